/*
The engine on a real network (issue 16 rows 1, 9, 10), each beside nmap in the same run, in the
namespaces of test/net/topology.ts (a client, a router and a server made for the run and
deleted after it; no packet leaves them). Needs root; prints "skipped: why" rows otherwise.

	node --import tsx test/bench/net.js [--quick]

- row 1: 100 TCP ports of the server behind `iptables -j REJECT` (ICMP port unreachable, which
  the server's kernel sends six at once, then one a second): `portui probe` against `nmap -sT`,
  whole runs. Both must call all 100 closed. Goal: <= 2x nmap.
- row 10: UDP, 100 closed ports and 3 answering ones, ICMP limits off on the server
  (net.ipv4.icmp_ratelimit=0): `portui probe --proto udp` against `nmap -sU`. Both must agree.
  Goal: <= 5x nmap.
- row 9: the curated UDP ports of the server (default ICMP limits) swept by the service while
  a TCP sweep of the curated TCP ports runs beside it: when the first UDP result arrives (goal
  <= 3 s), and how long the TCP sweep takes meanwhile (goal: within the dashboard's 2 s TCP
  interval, so the TCP rows keep their cadence while UDP goes at the pace the server allows).
- issue 10 item 4: the RTT portui shows for an open port (one `portui probe`) on loopback and on
  a host 20 ms away through the relay, against ping's minimum of 5 and nmap's reported latency.
  Goal: within 1 ms or 10% of ping.
One run each (rows 1 and 10 take nmap tens of seconds by design); --quick runs the same.
BENCH_NET_ROWS=rtt,9,10,1 picks rows.
*/
import {execFile} from 'node:child_process';
import process from 'node:process';
import {promisify} from 'node:util';
import {ensureBuilt, findNmap, report, root} from './lib/common.js';

/* eslint-disable n/file-extension-in-import -- tsx loads the TypeScript source */
const {createTopology, server4, whyNoNamespaces} =
	await import('../net/topology.ts');
const {nmap, portuiProbe} = await import('../net/tools.ts');
const {loadCatalogue} = await import('../../source/catalogue/load.ts');
/* eslint-enable n/file-extension-in-import */

const execFileAsync = promisify(execFile);
const bench = 'net';

async function row1() {
	const topology = await createTopology();
	try {
		topology.sh(
			topology.server,
			'iptables -A INPUT -p tcp --dport 44000:44099 -j REJECT',
		);
		const ours = await portuiProbe(topology, server4, '44000-44099');
		const theirs = await nmap(topology, ['-sT', '-p', '44000-44099', server4]);
		const oursClosed = ours.results.filter(
			(result) => result.state === 'closed',
		).length;
		const theirsClosed = theirs.ports.filter(
			(port) => port.state === 'closed',
		).length;
		const agree = oursClosed === 100 && theirsClosed === 100;
		return {
			name: 'row 1: 100 TCP ports behind REJECT (ICMP, default limits), whole runs',
			portui: ours.ms,
			anchor: theirs.ms,
			anchorName: 'nmap -sT',
			goal: '<= 2x nmap',
			ok: agree && ours.ms <= 2 * theirs.ms,
			agree,
			closed: {portui: oursClosed, nmap: theirsClosed},
		};
	} finally {
		topology.close();
	}
}

async function row10() {
	const topology = await createTopology();
	try {
		topology.sh(topology.server, 'sysctl -qw net.ipv4.icmp_ratelimit=0');
		const listener = await topology.start(topology.server, process.execPath, [
			'test/net/servers.cjs',
			...[44_200, 44_201, 44_202].map((port) => `udp:${server4}:${port}`),
		]);
		const ports = '44100-44199,44200-44202';
		const ours = await portuiProbe(topology, server4, ports, [
			'--proto',
			'udp',
		]);
		const theirs = await nmap(topology, ['-sU', '-p', ports, server4]);
		listener.kill();
		const state = (value) => (value === 'open' ? 'open' : value);
		const oursBy = new Map(
			ours.results.map((result) => [result.port, state(result.state)]),
		);
		const theirsOpen = theirs.ports.filter(
			(port) => port.state === 'open',
		).length;
		const oursOpen = [...oursBy.values()].filter(
			(value) => value === 'open',
		).length;
		const oursClosed = [...oursBy.values()].filter(
			(value) => value === 'closed',
		).length;
		const agree = oursOpen === 3 && oursClosed === 100 && theirsOpen === 3;
		return {
			name: 'row 10: UDP 100 closed + 3 open, target ICMP limits off, whole runs',
			portui: ours.ms,
			anchor: theirs.ms,
			anchorName: 'nmap -sU',
			goal: '<= 5x nmap',
			ok: agree && ours.ms <= 5 * theirs.ms,
			agree,
		};
	} finally {
		topology.close();
	}
}

async function row9() {
	const topology = await createTopology();
	try {
		const catalogue = await loadCatalogue({userFile: false});
		const pairs = (protocol) => [
			...new Set(
				catalogue.curated
					.filter(
						(entry) =>
							entry.protocol === protocol && entry.port === entry.endPort,
					)
					.map((entry) => entry.port),
			),
		];
		const udp = pairs('udp');
		const tcp = pairs('tcp');
		const script = `
			import {sweep} from './source/probe/sweep.ts';
			const started = performance.now();
			let firstUdp;
			const udp = sweep({host: '${server4}', pairs: ${JSON.stringify(udp)}.map((port) => ({port, protocol: 'udp'})),
				onResult() { firstUdp ??= performance.now() - started; }});
			const tcpStarted = performance.now();
			await sweep({host: '${server4}', pairs: ${JSON.stringify(tcp)}.map((port) => ({port, protocol: 'tcp'}))});
			const tcpMs = performance.now() - tcpStarted;
			await udp;
			console.log(JSON.stringify({firstUdp, tcpMs, udpMs: performance.now() - started}));`;
		const {stdout} = await execFileAsync(
			'ip',
			[
				'netns',
				'exec',
				topology.client,
				process.execPath,
				'--import',
				'tsx',
				'--input-type=module',
				'-e',
				script,
			],
			{cwd: root, timeout: 600_000},
		);
		const {firstUdp, tcpMs, udpMs} = JSON.parse(stdout);
		return [
			{
				name: `row 9: first of ${udp.length} curated UDP results, remote host`,
				portui: firstUdp,
				goal: '<= 3000 ms',
				ok: firstUdp <= 3000,
				udpSweepMs: Math.round(udpMs),
			},
			{
				name: `row 9: TCP sweep of ${tcp.length} curated ports while UDP runs`,
				portui: tcpMs,
				goal: '<= 2000 ms (the TCP interval)',
				ok: tcpMs <= 2000,
			},
		];
	} finally {
		topology.close();
	}
}

/** Nmap's own latency figure for the host (its smoothed RTT, in µs in -oX), in ms. */
async function nmapLatencyMs(run, host, port) {
	const {stdout} = await run('nmap', [
		'-sT',
		'-Pn',
		'-n',
		'-oX',
		'-',
		'-p',
		String(port),
		host,
	]);
	const srtt = /<times srtt="(\d+)"/v.exec(stdout)?.[1];
	return srtt === undefined ? undefined : Number(srtt) / 1000;
}

async function pingMinMs(run, host) {
	const {stdout} = await run('ping', ['-n', '-c', '5', '-i', '0.2', host]);
	const min = /= ([\d.]+)\//v.exec(stdout)?.[1];
	return min === undefined ? undefined : Number(min);
}

/** Issue 10 item 4: portui's RTT of an open port against nmap's latency and ping's minimum. */
async function rttRows() {
	const rows = [];
	const scenes = [
		{name: 'loopback', relay: undefined, host: '127.0.0.1'},
		{
			name: 'namespace host 20 ms away (relay)',
			relay: {delayMs: 10, loss: 0},
			host: server4,
		},
	];
	for (const scene of scenes) {
		// eslint-disable-next-line no-await-in-loop -- one scene after the other
		const topology = await createTopology(
			scene.relay ? {relay: scene.relay} : {},
		);
		try {
			const port = 44_300;
			const where = scene.relay ? topology.server : topology.client;
			// eslint-disable-next-line no-await-in-loop
			const listener = await topology.start(where, process.execPath, [
				'test/net/servers.cjs',
				`tcp:${scene.host}:${port}`,
			]);
			const run = async (command, args) =>
				execFileAsync(
					'ip',
					['netns', 'exec', topology.client, command, ...args],
					{cwd: root},
				);
			// eslint-disable-next-line no-await-in-loop
			const ours = await portuiProbe(topology, scene.host, String(port));
			// eslint-disable-next-line no-await-in-loop
			const theirs = await nmapLatencyMs(run, scene.host, port);
			// eslint-disable-next-line no-await-in-loop
			const ping = await pingMinMs(run, scene.host);
			// What the dashboard and `portui watch` show: six sweeps in one process, the last figure.
			const script = `import {sweep} from './source/probe/sweep.ts';
				let rtt;
				for (let i = 0; i < 6; i++) {
					const s = await sweep({host: '${scene.host}', pairs: [{port: ${port}, protocol: 'tcp'}]});
					rtt = s.results[0].rttMs;
					await new Promise((resolve) => setTimeout(resolve, 300));
				}
				console.log(JSON.stringify({rtt}));`;

			// eslint-disable-next-line no-await-in-loop
			const warmRun = await run(process.execPath, [
				'--import',
				'tsx',
				'--input-type=module',
				'-e',
				script,
			]);
			const warm = JSON.parse(warmRun.stdout).rtt;
			listener.kill();
			const tolerance = Math.max(1, 0.1 * ping);
			const within = (rtt) =>
				rtt !== undefined && Math.abs(rtt - ping) <= tolerance;
			const oneShot = ours.results[0]?.rttMs ?? undefined;
			rows.push(
				{
					name: `rtt, ${scene.name}, one-shot probe: portui vs ping min (nmap latency ${theirs?.toFixed(3)} ms)`,
					portui: oneShot,
					anchor: ping,
					anchorName: 'ping min',
					goal: 'within 1 ms or 10% of ping',
					ok: within(oneShot),
					nmapLatencyMs: theirs,
				},
				{
					name: `rtt, ${scene.name}, warm (sixth sweep in one process): portui vs ping min`,
					portui: warm,
					anchor: ping,
					anchorName: 'ping min',
					goal: 'within 1 ms or 10% of ping',
					ok: within(warm),
				},
			);
		} finally {
			topology.close();
		}
	}

	return rows;
}

const why = whyNoNamespaces();
const nmapFound = findNmap();
const rows = [];
if (why !== undefined || !nmapFound.isAvailable) {
	rows.push({name: 'issue 16 rows 1, 9, 10', skipped: why ?? nmapFound.reason});
} else {
	const buildFailure = ensureBuilt();
	if (buildFailure) {
		rows.push({name: 'issue 16 rows 1, 9, 10', skipped: buildFailure});
	} else {
		const only = process.env.BENCH_NET_ROWS?.split(',');
		const wants = (name) => !only || only.includes(name);
		if (wants('rtt')) {
			rows.push(...(await rttRows()));
		}

		if (wants('9')) {
			rows.push(...(await row9()));
		}

		if (wants('10')) {
			rows.push(await row10());
		}

		if (wants('1')) {
			rows.push(await row1());
		}
	}
}

report(
	bench,
	'The engine on a namespace network, against nmap in the same run',
	rows,
);
