/*
Warm in-process TCP sweep of 127.0.0.1 against `nmap -sT -Pn -n` on the same ports.

Run from the repository root (the TypeScript source is loaded through tsx):

	node --import tsx test/bench/sweep.js [--runs 7]

Two rows, each timed in the same run for both tools, interleaved round by round so that load
from the shared machine hits both alike; medians of --runs (at least 5) after 2 warm-ups:

- every curated TCP port (source/catalogue/load.ts; ports 1-1000 only if it cannot be loaded).
  The team's network rule allows sweeps of ports 1-1000 and of ports the bench itself opened,
  so curated ports above 1000 are held by listeners this script opens on 127.0.0.1 for the run
  (they show as open to both tools); one that is already taken is left out and counted.
- ports 1-1000, plus three listeners the bench opens (so both tools have open ports to find).
- the same through net.Socket (PORTUI_NET_SOCKET=1), a reference row without a goal: what the
  bare TCP handle that probes connect with (source/probe/raw-tcp.ts) saves.

portui is timed as the dashboard and `portui watch` use it: `sweep()` in a warm process, no
identification, default concurrency and timeout, bundled and minified as shipped (importShipped)
with source maps off. nmap is timed as a user runs it: the whole
process, spawn to exit (the goal in issue 3: the warm sweep no slower than nmap's whole run).
Both tools must agree on which ports are open, or the row says so. If nmap is missing, the
script installs it from Debian's packages when it can (root and apt-get), else prints
"skipped: <why>" and rows without an anchor.

Prints a table, then one JSON line per row for the bench aggregator:
{"bench":"sweep","name":...,"portui_ms":...,"anchor_ms":...,"anchor":"nmap -sT -Pn -n","ratio":...,"goal":"<= 1x nmap" (1-1000: "<= 0.5x nmap", issue 16),"ports":...,"runs":...}
*/
import {execFile} from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import process from 'node:process';
import {pathToFileURL} from 'node:url';
import {promisify} from 'node:util';
import {findNmap, importShipped, median} from './lib/common.js';

const engineExports =
	"export {sweep, defaultConcurrency} from './source/probe/sweep.ts';\nexport {defaultTcpTimeoutMs} from './source/probe/tcp.ts';";
const {sweep, defaultConcurrency, defaultTcpTimeoutMs} =
	await importShipped(engineExports);
// The same engine connecting through net.Socket, as before the bare handle (source/probe/raw-tcp.ts):
// the reference row says what the handle buys. The choice is made when the module loads.
process.env.PORTUI_NET_SOCKET = '1';
const {sweep: netSocketSweep} = await importShipped(engineExports);
delete process.env.PORTUI_NET_SOCKET;

// Tsx turns source maps on; the shipped bundle (bin/portui.js -> dist/cli.js) runs without them,
// and with them every refused connect pays for a source-mapped stack trace (about 15% here).
process.setSourceMapsEnabled(false);

const execFileAsync = promisify(execFile);
const host = '127.0.0.1';
const anchor = 'nmap -sT -Pn -n';
const goal = '<= 1x nmap';
const warmups = 2;

function option(name, fallback) {
	const index = process.argv.indexOf(`--${name}`);
	return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const runs = Math.max(5, option('runs', 7));

/** Curated TCP ports (ranges expanded), or undefined when the catalogue cannot be loaded. */
async function curatedTcpPorts() {
	try {
		// eslint-disable-next-line n/file-extension-in-import -- tsx loads the TypeScript source
		const {loadCatalogue} = await import('../../source/catalogue/load.ts');
		const catalogue = await loadCatalogue({userFile: false});
		const ports = new Set();
		for (const entry of catalogue.curated) {
			if (entry.protocol === 'tcp') {
				for (let {port} = entry; port <= entry.endPort; port++) {
					ports.add(port);
				}
			}
		}

		return [...ports].toSorted((a, b) => a - b);
	} catch (error) {
		console.error(
			`catalogue not loaded (${error.message}): the curated row is left out`,
		);
		return undefined;
	}
}

/** A listener on 127.0.0.1:`port` (0: any), or undefined when the port is taken. */
async function hold(port) {
	const server = net.createServer((socket) => {
		socket.on('error', () => undefined);
		socket.destroy();
	});
	try {
		await new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen({port, host, exclusive: true}, resolve);
		});
		return server;
	} catch {
		return undefined;
	}
}

async function closeAll(servers) {
	await Promise.all(
		servers.map(
			async (server) =>
				new Promise((resolve) => {
					server.close(resolve);
				}),
		),
	);
}

async function portuiSweep(ports, engine = sweep) {
	const snapshot = await engine({
		host,
		pairs: ports.map((port) => ({port, protocol: 'tcp'})),
	});
	return new Set(
		snapshot.results
			.filter((result) => result.state === 'open')
			.map((result) => result.port),
	);
}

async function nmapSweep(ports) {
	const {stdout} = await execFileAsync(
		'nmap',
		['-sT', '-Pn', '-n', '-p', ports.join(','), host, '-oG', '-'],
		{
			maxBuffer: 16 * 1024 * 1024,
		},
	);
	const open = new Set();
	for (const match of stdout.matchAll(/(\d+)\/open\/tcp/gv)) {
		open.add(Number(match[1]));
	}

	return open;
}

const sameSet = (a, b) =>
	a.size === b.size && [...a].every((value) => b.has(value));

async function measure(scene, nmap) {
	const times = {portui: [], nmap: []};
	let isAgreed = true;
	for (let round = 0; round < warmups + runs; round++) {
		let start = performance.now();
		// eslint-disable-next-line no-await-in-loop -- one at a time is the point of a benchmark
		const portuiOpen = await portuiSweep(scene.ports, scene.sweep);
		const portuiMs = performance.now() - start;
		let nmapMs;
		if (nmap.isAvailable) {
			start = performance.now();
			// eslint-disable-next-line no-await-in-loop
			const nmapOpen = await nmapSweep(scene.ports);
			nmapMs = performance.now() - start;
			isAgreed &&= sameSet(portuiOpen, nmapOpen);
		}

		if (round >= warmups) {
			times.portui.push(portuiMs);
			if (nmapMs !== undefined) {
				times.nmap.push(nmapMs);
			}
		}
	}

	const portuiMs = median(times.portui);
	const anchorMs = nmap.isAvailable ? median(times.nmap) : undefined;
	return {
		/* eslint-disable camelcase -- the aggregator's field names */
		bench: 'sweep',
		name: scene.name,
		portui_ms: Number(portuiMs.toFixed(2)),
		anchor_ms: anchorMs === undefined ? null : Number(anchorMs.toFixed(2)),
		anchor,
		ratio:
			anchorMs === undefined ? null : Number((portuiMs / anchorMs).toFixed(3)),
		goal: scene.goal === null ? null : (scene.goal ?? goal),
		ports: scene.ports.length,
		runs,
		...(nmap.isAvailable ? {agree: isAgreed} : {skipped: nmap.reason}),
		/* eslint-enable camelcase */
	};
}

export async function benchSweep() {
	const nmap = findNmap();
	if (!nmap.isAvailable) {
		console.log(`skipped: ${nmap.reason}`);
	}

	const held = [];
	const scenes = [];
	try {
		const curated = await curatedTcpPorts();
		if (curated) {
			const ports = [];
			let taken = 0;
			for (const port of curated) {
				if (port <= 1000) {
					ports.push(port);
					continue;
				}

				// eslint-disable-next-line no-await-in-loop -- sequential keeps the fd count predictable
				const server = await hold(port);
				if (server) {
					held.push(server);
					ports.push(port);
				} else {
					taken++;
				}
			}

			const above = ports.filter((port) => port > 1000).length;
			scenes.push({
				name: `curated TCP ports on ${host} (${ports.length - above} <= 1000, ${above} above held by the bench${taken ? `, ${taken} in use left out` : ''})`,
				ports,
			});
		}

		const extra = [];
		for (let count = 0; count < 3; count++) {
			// eslint-disable-next-line no-await-in-loop
			extra.push(await hold(0));
		}

		held.push(...extra);
		const thousand = [
			...Array.from({length: 1000}, (_, index) => index + 1),
			...extra.map((server) => server.address().port),
		];
		scenes.push(
			{
				name: `ports 1-1000 + 3 bench listeners on ${host}`,
				// Issue 16 tightened this row: a plain Node connect loop does it in a third of nmap's time.
				goal: '<= 0.5x nmap',
				ports: thousand,
			},
			{
				name: '  the same through net.Socket (PORTUI_NET_SOCKET=1), reference',
				goal: null,
				ports: thousand,
				sweep: netSocketSweep,
			},
		);

		const rows = [];
		for (const scene of scenes) {
			// eslint-disable-next-line no-await-in-loop
			rows.push(await measure(scene, nmap));
		}

		return rows;
	} finally {
		await closeAll(held);
	}
}

// Run directly, it prints; imported (by an aggregator), it only exports `benchSweep`.
const isMain =
	process.argv[1] !== undefined &&
	pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url;
if (isMain) {
	const rows = await benchSweep();
	const cell = (value) =>
		(value === null ? '-' : value.toFixed(2)).padStart(10);
	console.log(
		`TCP sweep vs ${anchor}: medians of ${runs} runs (after ${warmups} warm-ups); portui concurrency ${defaultConcurrency}, timeout ${defaultTcpTimeoutMs} ms`,
	);
	console.log(
		`${'row'.padEnd(82)} ${'ports'.padStart(5)} ${'portui ms'.padStart(10)} ${'nmap ms'.padStart(10)} ${'ratio'.padStart(10)}  agree`,
	);
	for (const row of rows) {
		console.log(
			`${row.name.padEnd(82)} ${String(row.ports).padStart(5)} ${cell(row.portui_ms)} ${cell(row.anchor_ms)} ${cell(row.ratio)}  ${row.agree ?? '-'}`,
		);
	}

	for (const row of rows) {
		console.log(JSON.stringify(row));
	}
}
