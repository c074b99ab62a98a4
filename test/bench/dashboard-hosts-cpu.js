// CPU of the dashboard watching three hosts at once against the same dashboard watching one
// (issue 15: "the multi-host dashboard at 3 hosts stays within the single-host CPU goal per
// host", the single-host goal being <= 2 % of a core, issue 13). Twelve TCP services with a
// banner on each of 127.0.21.1, .2 and .3 (the same twelve port numbers), listed in a user
// catalogue and brought into view with `/benchcpu`; two real dashboards in 80x30
// pseudo-terminals at the default 2 s interval, one on `127.0.21.1`, one on all three, measured
// over the same consecutive windows (the machine is shared: both see the same noise). Medians.
// Traffic: 127.0.21.1-3 only (the listeners and the curated ports the first frame shows).
// Run: node --import tsx test/bench/dashboard-hosts-cpu.js   (BENCH_QUICK=1: fewer, shorter
// windows; BENCH_CPU_WINDOWS, BENCH_CPU_WINDOW_SECONDS to tune)
import {once} from 'node:events';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {ensureBuilt, isQuick, median, report, root} from './lib/common.js';
import {cpuShares} from './lib/cpu.js';

const {PtySession} = await import(
	new URL('../helpers/pty.ts', import.meta.url).href
);

const hosts = ['127.0.21.1', '127.0.21.2', '127.0.21.3'];
const serviceCount = 12;
const windows = Number(process.env.BENCH_CPU_WINDOWS ?? (isQuick ? 3 : 6));
const windowSeconds = Number(
	process.env.BENCH_CPU_WINDOW_SECONDS ?? (isQuick ? 6 : 10),
);
const singleHostGoal = 2;

async function openService(host, port, index) {
	const server = createServer((socket) => {
		socket.on('error', () => undefined);
		socket.end(`SSH-2.0-benchcpu_${index}\r\n`);
	});
	server.listen({port, host, exclusive: true});
	await once(server, 'listening');
	return server;
}

const isDrawn = (session) =>
	/^portui {2}/v.test(session.lines[0] ?? '') &&
	session.lines.some((line) => /^[┗└+]/v.test(line));

const openRows = (session) =>
	session.lines.filter((line) => /open .*SSH-2\.0-benchcpu/v.test(line)).length;

ensureBuilt();
const scratch = await mkdtemp(path.join(tmpdir(), 'portui-bench-hosts-'));
const servers = [];
const sessions = [];
try {
	// The first host's ports, taken by the system; the same numbers on the other two.
	for (let index = 0; index < serviceCount; index++) {
		// eslint-disable-next-line no-await-in-loop -- one port after the other
		servers.push(await openService(hosts[0], 0, index));
	}

	const ports = servers.map((server) => server.address().port);
	for (const host of hosts.slice(1)) {
		for (const [index, port] of ports.entries()) {
			// eslint-disable-next-line no-await-in-loop
			servers.push(await openService(host, port, index));
		}
	}

	const catalogue = path.join(scratch, 'catalogue.json');
	await writeFile(
		catalogue,
		JSON.stringify({
			entries: ports.map((port, index) => ({
				port,
				protocol: 'tcp',
				service: `benchcpu${String(index).padStart(2, '0')}`,
				longName: 'a benchmark service',
				daemons: ['node'],
				verdict: 'caution',
			})),
		}),
	);
	const start = (targets) =>
		new PtySession(
			process.execPath,
			[
				path.join(root, 'bin', 'portui.js'),
				...targets,
				'--catalogue',
				catalogue,
			],
			{
				columns: 80,
				rows: 30,
				env: {XDG_CACHE_HOME: scratch, XDG_STATE_HOME: scratch},
			},
		);
	const single = start(hosts.slice(0, 1));
	const several = start(hosts);
	sessions.push(single, several);
	for (const session of sessions) {
		// eslint-disable-next-line no-await-in-loop
		await session.waitFor(isDrawn, {description: 'the first frame'});
		session.write('/benchcpu\r');
	}

	await single.waitFor((session) => openRows(session) === serviceCount, {
		description: 'one host: twelve services open',
		timeoutMs: 20_000,
	});
	// Every host's twelve open, as its own watch reads them (the host line).
	await several.waitFor(
		(session) =>
			openRows(session) === serviceCount &&
			hosts.every((host) =>
				(session.lines[1] ?? '').includes(`${host} ${serviceCount} open`),
			),
		{
			description: 'three hosts: twelve services open on each',
			timeoutMs: 30_000,
		},
	);
	await delay(3000);
	const [singleShares, severalShares] = await cpuShares(
		sessions.map((session) => session.pid),
		{windows, seconds: windowSeconds},
	);
	const shares = {single: singleShares, several: severalShares};

	const one = median(shares.single);
	const three = median(shares.several);
	const perHost = three / hosts.length;
	const list = (values) => values.map((value) => value.toFixed(2)).join(', ');
	report(
		'dashboard-hosts-cpu',
		`dashboard-hosts-cpu: 80x30 pseudo-terminals, --interval 2s, ${serviceCount} services open on each of ${hosts.join(', ')}; median of ${windows} windows of ${windowSeconds} s (1 host: ${list(shares.single)} %; 3 hosts: ${list(shares.several)} %)`,
		[
			{
				name: `CPU share, 3 hosts x ${serviceCount} services open, per host`,
				unit: '%',
				portui: perHost,
				anchor: one,
				anchorName: 'the same dashboard on 1 host',
				goal: `<= ${singleHostGoal}% of a core per host`,
				ok: perHost <= singleHostGoal,
			},
			{
				name: `CPU share, 3 hosts x ${serviceCount} services open, whole dashboard`,
				unit: '%',
				portui: three,
				anchor: one,
				anchorName: 'the same dashboard on 1 host',
				goal: 'reference',
			},
		],
	);
} finally {
	await Promise.all(sessions.map(async (session) => session.dispose()));
	for (const server of servers) {
		server.close();
	}

	await rm(scratch, {recursive: true, force: true});
}
