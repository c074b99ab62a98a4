/*
Identification against real daemons from Debian's packages (issue 11), with nmap in the same run.

	node --import tsx test/bench/identify.js [--runs 7] [--quick]

Starts dnsmasq (53), nginx (80 plain, 443 and 8080 TLS), sshd (22), slapd (389), snmpd (161/udp,
a private community) and chronyd (123/udp) on 127.0.11.10 with configs written to a temporary
directory (test/helpers/real-services.ts), then:

- probe 127.0.11.10 over the curated TCP ports: `portui probe HOST PORTS` as the row reads
  (the built binary, spawn to exit, identification on, its table read from a pipe) against
  `nmap -sT -Pn -n` on the same ports (spawn to exit), interleaved, medians of --runs after a
  warm-up; every run must agree with nmap on the open ports. Goal <= 3x. Reference rows: the same
  with --json (which also reads each open port's holder from /proc), with --no-identify (what
  identification adds; Node's start-up is most of the rest), and the sweep warm, in-process, as
  `watch` runs it.
- identification of each answering daemon: identifyTcp (a fresh connection each time) or the UDP
  probe, in-process, median of 3 x --runs. Goal <= 300 ms each; the TCP connect alone is the anchor.
- a table for BENCHMARKS.md: port, what portui answered, what `nmap -sV` (and -sU -sV) names.

Needs root (ports below 1024, daemons) and the packages .ci/run installs; rows are skipped with
the reason otherwise. Traffic: 127.0.11.10 only.
*/
import {execFile} from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import {promisify} from 'node:util';
import {findNmap, median, report, root, runCount, sleep} from './lib/common.js';

/* eslint-disable n/file-extension-in-import -- tsx loads the TypeScript source */
const {makeWorkDirectory} = await import('../helpers/real-daemons.ts');
const services = await import('../helpers/real-services.ts');
const {sweep} = await import('../../source/probe/sweep.ts');
const {identifyTcp} = await import('../../source/probe/identify.ts');
const {connectTcp} = await import('../../source/probe/tcp.ts');
const {probeUdpService} = await import('../../source/probe/udp-looks.ts');
const {loadCatalogue} = await import('../../source/catalogue/load.ts');
/* eslint-enable n/file-extension-in-import */

process.setSourceMapsEnabled(false);
const execFileAsync = promisify(execFile);
const address = '127.0.11.10';
const runs = runCount({fallback: 7, quickFallback: 5, least: 3});
const settleMs = 100;

const catalogue = await loadCatalogue({userFile: false});
const curatedTcp = [
	...new Set(
		catalogue.curated
			.filter((entry) => entry.protocol === 'tcp')
			.flatMap((entry) =>
				Array.from(
					{length: entry.endPort - entry.port + 1},
					(_, index) => entry.port + index,
				),
			),
	),
].toSorted((a, b) => a - b);

async function startAll(directory) {
	const where = (name) => ({address, directory: path.join(directory, name)});
	const started = await Promise.all([
		services.startDnsmasq(where('dnsmasq')),
		services.startNginx({...where('nginx'), plain: [80], tls: [443, 8080]}),
		services.startSshd(where('sshd')),
		services.startSlapd(where('slapd')),
		services.startSnmpd({...where('snmpd'), community: 'pi-bench-community'}),
		services.startChronyd(where('chronyd')),
	]);
	return started;
}

const daemonPorts = [
	{name: 'sshd', port: 22, protocol: 'tcp'},
	{name: 'dnsmasq', port: 53, protocol: 'tcp'},
	{name: 'nginx', port: 80, protocol: 'tcp'},
	{name: 'slapd', port: 389, protocol: 'tcp'},
	{name: 'nginx', port: 443, protocol: 'tcp'},
	{name: 'nginx (ssl)', port: 8080, protocol: 'tcp'},
	{name: 'dnsmasq', port: 53, protocol: 'udp'},
	{name: 'chronyd', port: 123, protocol: 'udp'},
	{name: 'snmpd', port: 161, protocol: 'udp'},
];

/**
 * The built binary, spawn to exit. As the row reads, `portui probe HOST PORTS`: its table
 * (plain text in a pipe) gives the open ports; with --json, the JSON does.
 */
async function portuiProbe(extra = []) {
	const start = performance.now();
	const {stdout} = await execFileAsync(
		process.execPath,
		[
			path.join(root, 'bin', 'portui.js'),
			'probe',
			address,
			curatedTcp.join(','),
			...extra,
		],
		{maxBuffer: 16 * 1024 * 1024},
	);
	const elapsed = performance.now() - start;
	const open = extra.includes('--json')
		? JSON.parse(stdout)
				.results.filter((result) => result.state === 'open')
				.map((result) => result.port)
		: [...stdout.matchAll(/^\s*(\d+)\s+tcp\s+\S+\s+open\s/gmv)].map((match) =>
				Number(match[1]),
			);
	return {elapsed, open: new Set(open)};
}

async function warmSweep() {
	const start = performance.now();
	const snapshot = await sweep({
		host: address,
		pairs: curatedTcp.map((port) => ({port, protocol: 'tcp'})),
		expect: (pair) => catalogue.byPair(pair.port, pair.protocol),
		identify: () => true,
	});
	return {elapsed: performance.now() - start, snapshot};
}

async function nmapSweep() {
	const start = performance.now();
	const {stdout} = await execFileAsync(
		'nmap',
		['-sT', '-Pn', '-n', '-p', curatedTcp.join(','), address, '-oG', '-'],
		{maxBuffer: 16 * 1024 * 1024},
	);
	const elapsed = performance.now() - start;
	return {
		elapsed,
		open: new Set(
			[...stdout.matchAll(/(\d+)\/open\/tcp/gv)].map((match) =>
				Number(match[1]),
			),
		),
	};
}

const sameSet = (a, b) =>
	a.size === b.size && [...a].every((value) => b.has(value));

async function sweepRows(nmap) {
	const times = {probe: [], json: [], bare: [], warm: [], nmap: []};
	let isAgreed = true;
	// Each command gets the daemons settled: sshd forks a child for every connection, and the
	// children of the command before would still be exiting.
	const settled = async (run) => {
		await sleep(settleMs);
		return run();
	};

	for (let round = 0; round < runs + 1; round++) {
		/* eslint-disable no-await-in-loop -- one at a time is the point of a benchmark */
		const probe = await settled(async () => portuiProbe());
		const json = await settled(async () => portuiProbe(['--json']));
		const bare = await settled(async () => portuiProbe(['--no-identify']));
		const warm = await settled(warmSweep);
		const other = nmap.isAvailable ? await settled(nmapSweep) : undefined;
		/* eslint-enable no-await-in-loop */
		if (other) {
			isAgreed &&=
				sameSet(probe.open, other.open) &&
				sameSet(json.open, other.open) &&
				sameSet(bare.open, other.open);
		}

		if (round > 0) {
			times.probe.push(probe.elapsed);
			times.json.push(json.elapsed);
			times.bare.push(bare.elapsed);
			times.warm.push(warm.elapsed);
			if (other) {
				times.nmap.push(other.elapsed);
			}
		}
	}

	const anchor = nmap.isAvailable ? median(times.nmap) : undefined;
	const row = (name, values) => {
		const portui = median(values);
		return {
			name,
			portui,
			anchor,
			anchorName: 'nmap -sT -Pn -n',
			goal: '<= 3x nmap',
			ok: anchor === undefined ? undefined : isAgreed && portui <= 3 * anchor,
			agree: isAgreed,
			ports: curatedTcp.length,
			runs,
			...(anchor === undefined && {skipped: nmap.reason}),
		};
	};

	return [
		row(`probe ${address} curated TCP (daemons up)`, times.probe),
		// JSON also names the holder of each open port, from this machine's /proc.
		row('  the same, --json (with the holders)', times.json),
		// What identification costs the command: the same probe as a pure state sweep.
		row('  the same, --no-identify', times.bare),
		row('warm sweep + identify, same ports', times.warm),
	];
}

async function identifyOnce({port, protocol}) {
	const start = performance.now();
	if (protocol === 'udp') {
		const result = await probeUdpService({address, family: 4, port});
		return {elapsed: performance.now() - start, answered: result.answered};
	}

	const result = await identifyTcp({
		address,
		family: 4,
		port,
		entry: catalogue.byPair(port, 'tcp'),
		timeoutMs: 1000,
	});
	return {
		elapsed: performance.now() - start,
		answered: result.answered,
		mismatch: result.mismatch,
	};
}

async function connectOnce(port) {
	const start = performance.now();
	await connectTcp({address, family: 4, port});
	return performance.now() - start;
}

async function identifyRows() {
	const rows = [];
	const answers = new Map();
	for (const daemon of daemonPorts) {
		const times = [];
		const connects = [];
		for (let index = 0; index < runs * 3; index++) {
			/* eslint-disable no-await-in-loop -- one at a time is the point of a benchmark */
			const {elapsed, answered, mismatch} = await identifyOnce(daemon);
			times.push(elapsed);
			answers.set(
				`${daemon.port}/${daemon.protocol}`,
				[answered, mismatch].filter(Boolean).join('; '),
			);
			if (daemon.protocol === 'tcp') {
				connects.push(await connectOnce(daemon.port));
			}
			/* eslint-enable no-await-in-loop */
		}

		const portui = median(times);
		rows.push({
			name: `identify ${daemon.port}/${daemon.protocol} ${daemon.name}`,
			portui,
			...(connects.length > 0 && {
				anchor: median(connects),
				anchorName: 'TCP connect',
			}),
			goal: '<= 300 ms',
			ok: portui <= 300,
			runs: times.length,
		});
	}

	return {rows, answers};
}

async function nmapVersions(nmap) {
	if (!nmap.isAvailable) {
		return new Map();
	}

	const tcpPorts = daemonPorts
		.filter((daemon) => daemon.protocol === 'tcp')
		.map((daemon) => daemon.port);
	const udpPorts = daemonPorts
		.filter((daemon) => daemon.protocol === 'udp')
		.map((daemon) => daemon.port);
	const [tcp, udp] = await Promise.all([
		execFileAsync('nmap', [
			'-sV',
			'-Pn',
			'-n',
			'-p',
			tcpPorts.join(','),
			address,
		]),
		execFileAsync('nmap', [
			'-sU',
			'-sV',
			'-Pn',
			'-n',
			'-p',
			udpPorts.join(','),
			address,
		]),
	]);
	const versions = new Map();
	for (const line of `${tcp.stdout}\n${udp.stdout}`.split('\n')) {
		const match = /^(\d+\/(?:tcp|udp))\s+(\S+)\s+(\S+)\s*(.*)$/v.exec(line);
		if (match) {
			versions.set(match[1], `${match[2]} ${match[3]} ${match[4]}`.trim());
		}
	}

	return versions;
}

const work = makeWorkDirectory();
let started = [];
try {
	started = await startAll(work.directory);
	const failed = started.filter((result) => !result.isStarted);
	for (const result of failed) {
		console.log(`not started: ${result.reason}`);
	}

	if (failed.length === started.length) {
		report('identify', 'identification against real daemons', [
			{
				name: 'identification',
				skipped: failed[0]?.reason ?? 'no daemon started',
			},
		]);
	} else {
		const nmap = findNmap();
		const sweepTable = await sweepRows(nmap);
		const {rows, answers} = await identifyRows();
		report('identify', `identification against real daemons on ${address}`, [
			...sweepTable,
			...rows,
		]);
		const versions = await nmapVersions(nmap);
		console.log(
			'\n| port | portui answered | nmap -sV service/version |\n| --- | --- | --- |',
		);
		for (const daemon of daemonPorts) {
			const key = `${daemon.port}/${daemon.protocol}`;
			console.log(
				`| ${key} | ${answers.get(key) || '-'} | ${versions.get(key) ?? '-'} |`,
			);
		}
	}
} finally {
	await Promise.all(
		started.map(async (result) =>
			result.isStarted ? result.daemon.stop() : undefined,
		),
	);
	work.remove();
}
