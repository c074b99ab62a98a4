/*
Local-listener snapshot against `ss -tulpn`.

Run from the repository root (the TypeScript source is loaded through tsx):

	node --import tsx test/bench/listeners.js [--runs 15] [--listeners 2000]

Two scenes: the sockets this machine has now (a few), then with 2000 TCP listeners opened by this
process on 127.0.0.1 port 0 (closed again at the end, also on error). Per scene, interleaved so
that load from the shared machine hits both alike, median of --runs (at least 9) after 2 warm-ups:

- portui, owners rebuilt: `list({refreshOwners: true})`, the full work: read /proc/net/{tcp,tcp6,udp,
  udp6} and readlink every /proc/PID/fd entry. Compared with `ss -tulpn`, which does the same work
  (netlink instead of /proc/net, plus its own /proc/PID/fd scan for -p). The goal: at most 2x ss.
- portui, owners cached: `list()` with nothing new, what a dashboard refresh costs (cache policy in
  source/probe/listeners.ts).
- portui, owner scan alone and socket tables alone: where the time goes.

ss is timed as a user runs it: spawn, run, exit, output read. portui is timed in process (it is a
library call in the dashboard and in `portui watch`). Spawning /bin/true is timed alongside, and a
second ratio takes it out of ss's figure, so the comparison does not rest on process start-up.
Prints a table, then one JSON line per row for the bench aggregator:
{"bench":"listeners","name":...,"portui_ms":...,"anchor_ms":...,"anchor":...,"ratio":...,"ratio_without_spawn":...,"goal":"<= 2x ss"}.
*/
import {execFile} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import net from 'node:net';
import process from 'node:process';
import {promisify} from 'node:util';

/* eslint-disable n/file-extension-in-import -- tsx loads the TypeScript source */
const {createListenerScanner, readSocketTables} =
	await import('../../source/probe/listeners.ts');
const {scanOwners} = await import('../../source/probe/proc-owners.ts');
/* eslint-enable n/file-extension-in-import */

const execFileAsync = promisify(execFile);

function option(name, fallback) {
	const index = process.argv.indexOf(`--${name}`);
	return index === -1 ? fallback : Number(process.argv[index + 1]);
}

const runs = Math.max(9, option('runs', 15));
const wantedListeners = option('listeners', 2000);
const warmups = 2;

function median(values) {
	const sorted = values.toSorted((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1
		? sorted[middle]
		: (sorted[middle - 1] + sorted[middle]) / 2;
}

async function time(task) {
	const start = performance.now();
	await task();
	return performance.now() - start;
}

/** Soft limit on open files, as the kernel applies it to this process. */
function openFileLimit() {
	const line = readFileSync('/proc/self/limits', 'utf8')
		.split('\n')
		.find((text) => text.startsWith('Max open files'));
	const soft = line?.split(/\s{2,}/v)[1];
	return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

function openFileCount() {
	return readdirSync('/proc/self/fd').length;
}

async function ss(flags) {
	const {stdout} = await execFileAsync('ss', [flags], {
		maxBuffer: 64 * 1024 * 1024,
	});
	return stdout;
}

/** Each task runs once per round, in turn, so drift in machine load spreads over all of them. */
async function measure(tasks) {
	const times = tasks.map(() => []);
	for (let round = 0; round < warmups + runs; round++) {
		for (const [index, task] of tasks.entries()) {
			// eslint-disable-next-line no-await-in-loop -- one at a time is the point of a benchmark
			const ms = await time(task.run);
			if (round >= warmups) {
				times[index].push(ms);
			}
		}
	}

	return Object.fromEntries(
		tasks.map((task, index) => [task.key, median(times[index])]),
	);
}

async function scene(label, ports) {
	const scanner = createListenerScanner();
	const sample = await scanner.list({refreshOwners: true});
	if (!sample.isAvailable) {
		throw new Error(`local listeners unavailable: ${sample.reason}`);
	}

	// Sanity: both tools see our listeners, with this process as the owner.
	const ours = sample.sockets.filter(
		(socket) => ports.has(socket.port) && socket.pid === process.pid,
	);
	const ssText = await ss('-tulpn');
	const ssOurs = ssText.split('\n').filter((line) => {
		const port = Number(/127\.0\.0\.1:(\d+)\s/v.exec(line)?.[1]);
		return ports.has(port) && line.includes(`pid=${process.pid},`);
	});
	if (ours.length !== ports.size || ssOurs.length !== ports.size) {
		throw new Error(
			`${label}: expected ${ports.size} of our listeners, portui saw ${ours.length}, ss ${ssOurs.length}`,
		);
	}

	const medians = await measure([
		{key: 'cold', run: async () => scanner.list({refreshOwners: true})},
		{key: 'ss', run: async () => ss('-tulpn')},
		{key: 'warm', run: async () => scanner.list()},
		{key: 'scan', run: async () => scanOwners()},
		{key: 'tables', run: async () => readSocketTables()},
		{key: 'ssNoOwners', run: async () => ss('-tuln')},
		// How much of every ss figure is starting a process at all.
		{key: 'spawn', run: async () => execFileAsync('true')},
	]);
	return {label, sockets: sample.sockets.length, medians};
}

async function openListeners(count) {
	const servers = [];
	try {
		for (let index = 0; index < count; index++) {
			const server = net.createServer();
			servers.push(server);
			// eslint-disable-next-line no-await-in-loop -- sequential keeps the fd count predictable
			await new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(0, '127.0.0.1', resolve);
			});
		}
	} catch (error) {
		await closeAll(servers);
		throw error;
	}

	return servers;
}

async function closeAll(servers) {
	await Promise.all(
		servers.map(
			async (server) =>
				new Promise((resolve) => {
					server.close(() => {
						resolve();
					});
				}),
		),
	);
}

function portsOf(servers) {
	return new Set(servers.map((server) => server.address().port));
}

const scenes = [];
const few = await openListeners(3);
try {
	scenes.push(await scene('few sockets', portsOf(few)));
	// Headroom for what node, ss's pipe and the /proc reads hold open besides the listeners.
	const limit = openFileLimit();
	const count = Math.min(wantedListeners, Math.max(0, limit - 200));
	if (count < wantedListeners) {
		console.error(
			`open-file limit ${limit}: opening ${count} listeners instead of ${wantedListeners}`,
		);
	}

	const many = await openListeners(count);
	try {
		scenes.push(
			await scene(`${count} loopback listeners`, portsOf([...few, ...many])),
		);
	} finally {
		await closeAll(many);
	}
} finally {
	await closeAll(few);
}

const rows = [];
for (const {label, sockets, medians} of scenes) {
	rows.push(
		{
			name: `${label}: snapshot with owners`,
			portui: medians.cold,
			anchor: medians.ss,
			anchorName: 'ss -tulpn',
			sockets,
			spawn: medians.spawn,
		},
		{
			name: `${label}: snapshot, owners cached`,
			portui: medians.warm,
			anchor: medians.ss,
			anchorName: 'ss -tulpn',
			sockets,
			spawn: medians.spawn,
		},
		{
			name: `${label}: socket tables only`,
			portui: medians.tables,
			anchor: medians.ssNoOwners,
			anchorName: 'ss -tuln',
			sockets,
			spawn: medians.spawn,
		},
		{
			name: `${label}: owner scan only (/proc/*/fd)`,
			portui: medians.scan,
			anchor: medians.ss,
			anchorName: 'ss -tulpn',
			sockets,
			spawn: medians.spawn,
		},
	);
}

const format = (ms) => ms.toFixed(2).padStart(9);
const ratio = (row) => row.portui / row.anchor;
// Ss pays for starting a process, portui (a library call) does not: the second ratio takes that out.
const netRatio = (row) => row.portui / Math.max(row.anchor - row.spawn, 0.001);
console.log(
	`local listeners vs ss: medians of ${runs} runs (after ${warmups} warm-ups), ${openFileCount()} fds open at the end`,
);
console.log(
	`${'row'.padEnd(58)} ${'sockets'.padStart(7)} ${'portui ms'.padStart(9)} ${'anchor'.padStart(10)} ${'anchor ms'.padStart(9)} ${'ratio'.padStart(6)} ${'ratio w/o spawn'.padStart(15)}`,
);
for (const row of rows) {
	console.log(
		`${row.name.padEnd(58)} ${String(row.sockets).padStart(7)} ${format(row.portui)} ${row.anchorName.padStart(10)} ${format(row.anchor)} ${ratio(row).toFixed(2).padStart(6)} ${netRatio(row).toFixed(2).padStart(15)}`,
	);
}

for (const {label, medians} of scenes) {
	console.log(
		`${label}: spawning /bin/true alone takes ${medians.spawn.toFixed(2)} ms of every ss figure`,
	);
}

for (const row of rows) {
	console.log(
		JSON.stringify({
			/* eslint-disable camelcase -- the aggregator's field names */
			bench: 'listeners',
			name: row.name,
			portui_ms: Number(row.portui.toFixed(3)),
			anchor_ms: Number(row.anchor.toFixed(3)),
			anchor: row.anchorName,
			ratio: Number(ratio(row).toFixed(3)),
			ratio_without_spawn: Number(netRatio(row).toFixed(3)),
			goal: '<= 2x ss',
			/* eslint-enable camelcase */
		}),
	);
}
