// What the dashboard costs a terminal and a machine at 80x24, each figure beside an anchor taken
// in the same run:
// - bytes written while idle for 10 s (goal 0), against `watch -n1 ss -tln` for the same time;
// - bytes per single-port change (goal <= 300): a loopback listener the script opens and closes,
//   found with the dashboard's search (`/name`) in a user catalogue, counted over a window that
//   holds the change and the end of its highlight, against `watch -n1 ss -tln` over the same
//   window less its idle bytes; and the same dashboard drawn by Ink's own renderers (standard
//   and incrementalRendering) instead of portui's row-diffing stream;
// - CPU share at a 1 s interval over 60 s (goal <= 3% of a core), against `watch -n1 ss -tln`;
// - RSS over a simulated hour of sweeps (3,600 at 100 ms instead of 1 s; goal <= 100 MiB, flat).
// Traffic: 127.0.0.1 only, the curated ports in view (all below 1000) and the script's listener.
// Run: node --import tsx test/bench/render.js   (BENCH_QUICK=1 for a short run; BENCH_CHANGES,
// BENCH_CPU_SECONDS, BENCH_RSS_SWEEPS to tune; BENCH_PARTS=bytes,cpu,rss picks the parts to run)
import {once} from 'node:events';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {createServer} from 'node:net';
import {cpus, tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {bundle} from '../../scripts/build.js';
import {bundleAsPackage} from './lib/common.js';

const {PtySession} = await import(
	new URL('../helpers/pty.ts', import.meta.url).href
);

const root = fileURLToPath(new URL('../..', import.meta.url));
const isQuick = Boolean(process.env.BENCH_QUICK);
const idleSeconds = 10;
const changes = Number(process.env.BENCH_CHANGES ?? (isQuick ? 4 : 8));
const cpuSeconds = Number(process.env.BENCH_CPU_SECONDS ?? (isQuick ? 15 : 60));
const rssSweeps = Number(
	process.env.BENCH_RSS_SWEEPS ?? (isQuick ? 300 : 3600),
);
const parts = new Set(
	(process.env.BENCH_PARTS ?? 'bytes,cpu,rss')
		.split(',')
		.map((part) => part.trim()),
);
const service = 'benchprobe';
/** Long enough for the next sweep (1 s), the change, and the end of its 2 s highlight. */
const changeWindowMs = 4000;
const clockTicks = 100;

const median = (values) =>
	values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

async function listen(port = 0) {
	const server = createServer((socket) => {
		socket.destroy();
	});
	server.listen(port, '127.0.0.1');
	await once(server, 'listening');
	return server;
}

async function close(server) {
	await new Promise((resolve) => {
		server.close(resolve);
	});
}

const isDrawn = (session) =>
	/^portui {2}/v.test(session.lines[0] ?? '') &&
	session.lines.some((line) => /^[┗└+]/v.test(line));
const footer = (session) => session.lines[session.usedRows - 1] ?? '';
/** The pane rows of the bench entry: a renderer that leaves stale rows may show more than one. */
const paneRows = (session) =>
	session.lines.filter(
		(line) => line.includes(service) && /[┃│\|]/v.test(line),
	);
const showsState = (session, state) =>
	paneRows(session).some((line) =>
		new RegExp(String.raw`\b${state}\b`, 'v').test(line),
	);

/** CPU seconds of a process and its waited-for children, from /proc/PID/stat. */
async function cpuSecondsOf(pid) {
	const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// Fields 14-17 of stat(5), counted from the state field (3) after the command.
	const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
	return (utime + stime + cutime + cstime) / clockTicks;
}

async function rssMiB(pid) {
	const status = await readFile(`/proc/${pid}/status`, 'utf8');
	return Number(/^VmRSS:\s+(\d+)/mv.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function bytesOver(session, ms) {
	const before = session.bytesReceived;
	await delay(ms);
	return session.bytesReceived - before;
}

/** `/name` then Enter: the search leaves the script's entry as the one row, watched. */
async function search(session) {
	session.write(`/${service}`);
	await session.waitFor(
		(s) =>
			paneRows(s).length > 0 &&
			!s.lines.some((line) => /\b22 +tcp +ssh/v.test(line)),
		{
			description: 'the search to leave the bench entry',
		},
	);
	for (
		let attempt = 0;
		attempt < 3 && !footer(session).includes('move');
		attempt++
	) {
		session.write('\r');
		// eslint-disable-next-line no-await-in-loop -- a retry waits for its own answer
		await session
			.waitFor((s) => footer(s).includes('move'), {timeoutMs: 3000})
			.catch(() => undefined);
	}
}

/** Idle bytes, then bytes per change of the listener's state, for one way of drawing the dashboard. */
async function measureDashboard(command, env, catalogue, listener) {
	const session = new PtySession(
		command[0],
		[
			...command.slice(1),
			'127.0.0.1',
			'--interval',
			'1s',
			'--catalogue',
			catalogue,
		],
		{
			columns: 80,
			rows: 24,
			env,
		},
	);
	try {
		await session.waitFor(isDrawn, {description: 'the first frame'});
		// The first sweeps fill the live pane; idle starts once nothing has been written for 2.5 s.
		await session
			.waitForQuiet(2500, {timeoutMs: 20_000})
			.catch(() => undefined);
		const idleBytes = await bytesOver(session, idleSeconds * 1000);
		await search(session);
		await session.waitFor((s) => showsState(s, 'open'), {
			description: 'the listener open in the pane',
		});
		await session
			.waitForQuiet(2500, {timeoutMs: 10_000})
			.catch(() => undefined);
		// Idle again, now with an open port in view: what a change costs is counted above this.
		const openIdleBytes = await bytesOver(session, idleSeconds * 1000);
		const perChange = [];
		for (let index = 0; index < changes; index++) {
			const isClosing = index % 2 === 0;
			const before = session.bytesReceived;
			const started = performance.now();
			// eslint-disable-next-line no-await-in-loop -- one change at a time is the method
			await (isClosing ? listener.close() : listener.open());
			// eslint-disable-next-line no-await-in-loop
			await session.waitFor(
				(s) => showsState(s, isClosing ? 'closed' : 'open'),
				{
					description: `the listener ${isClosing ? 'closed' : 'open'} in the pane`,
				},
			);
			// eslint-disable-next-line no-await-in-loop
			await delay(Math.max(0, changeWindowMs - (performance.now() - started)));
			perChange.push(
				session.bytesReceived -
					before -
					(openIdleBytes / idleSeconds) * (changeWindowMs / 1000),
			);
		}

		const rows = session.usedRows;
		session.write('q');
		await session.waitForExit().catch(() => undefined);
		return {
			idleBytes,
			openIdleBytes,
			perChange: median(perChange),
			perChangeAll: perChange,
			rows,
		};
	} finally {
		await session.dispose();
	}
}

/** Reads less than 200 ms apart make one refresh of the screen. */
function refreshes(reads, from, to = Number.POSITIVE_INFINITY) {
	const bursts = [];
	for (const read of reads) {
		if (read.at < from || read.at > to) {
			continue;
		}

		const last = bursts.at(-1);
		if (last && read.at - last.end < 200) {
			last.end = read.at;
			last.bytes += read.bytes;
		} else {
			bursts.push({start: read.at, end: read.at, bytes: read.bytes});
		}
	}

	return bursts;
}

/**
 * `watch -n1 ss -tln`: bytes while idle, and per change the bytes of the refresh that shows it
 * less a refresh that shows nothing new (its clock). When the listener's line is below the
 * screen's last row (ss lists every listener of the machine), watch writes nothing for it.
 */
async function measureWatch(listener) {
	const session = new PtySession('watch', ['-n1', 'ss', '-tln'], {
		columns: 80,
		rows: 24,
	});
	try {
		await session.waitFor((s) => s.screen.includes('Every 1.0s'), {
			description: 'watch drawn',
		});
		await delay(1500);
		const idleStart = performance.now();
		const idleBytes = await bytesOver(session, idleSeconds * 1000);
		const idleRefresh = median(
			refreshes(session.reads, idleStart).map((burst) => burst.bytes),
		);
		const perChange = [];
		for (let index = 0; index < Math.min(changes, 4); index++) {
			const isClosing = index % 2 === 0;
			const changedAt = performance.now();
			// eslint-disable-next-line no-await-in-loop
			await (isClosing ? listener.close() : listener.open());
			// The first refresh that starts after the change shows it: ss runs again each second.
			// eslint-disable-next-line no-await-in-loop
			await delay(2500);
			const shown = refreshes(session.reads, changedAt).find(
				(burst) => burst.start > changedAt + 50,
			);
			perChange.push((shown?.bytes ?? idleRefresh) - idleRefresh);
		}

		return {idleBytes, perChange: median(perChange)};
	} finally {
		await session.dispose();
	}
}

/**
 * CPU share of portui at --interval 1s watching 127.0.0.1 and localhost (both families: twice
 * the probes), and of `watch -n1 ss -tln`, all over the same seconds.
 */
async function measureCpu(scratch) {
	const dashboard = (host) =>
		new PtySession(
			process.execPath,
			[path.join(root, 'bin', 'portui.js'), host, '--interval', '1s'],
			{
				columns: 80,
				rows: 24,
				env: {XDG_CACHE_HOME: scratch},
			},
		);
	const sessions = [
		dashboard('127.0.0.1'),
		dashboard('localhost'),
		new PtySession('watch', ['-n1', 'ss', '-tln'], {columns: 80, rows: 24}),
	];
	try {
		await Promise.all(
			sessions
				.slice(0, 2)
				.map(async (session) =>
					session.waitFor(isDrawn, {description: 'the first frame'}),
				),
		);
		await delay(3000);
		const before = await Promise.all(
			sessions.map(async (session) => cpuSecondsOf(session.pid)),
		);
		const started = performance.now();
		await delay(cpuSeconds * 1000);
		const after = await Promise.all(
			sessions.map(async (session) => cpuSecondsOf(session.pid)),
		);
		const seconds = (performance.now() - started) / 1000;
		const [loopback, localhost, watch] = after.map(
			(value, index) => (value - before[index]) / seconds,
		);
		return {loopback, localhost, watch};
	} finally {
		await Promise.all(sessions.map(async (session) => session.dispose()));
	}
}

/**
 * RSS while the dashboard sweeps the curated ports in view every 100 ms, `rssSweeps` times, and
 * the live JS heap after a full GC at a tenth of the run and at its end (test/bench/heap-probe.cjs).
 */
async function measureRss(scratch) {
	const heapFile = path.join(scratch, 'heap.txt');
	await writeFile(heapFile, '');
	const session = new PtySession(
		process.execPath,
		[path.join(root, 'bin', 'portui.js'), '127.0.0.1', '--interval', '100ms'],
		{
			columns: 80,
			rows: 24,
			env: {
				XDG_CACHE_HOME: scratch,
				PORTUI_BENCH_HEAP_FILE: heapFile,
				NODE_OPTIONS: `--expose-gc --require ${path.join(root, 'test', 'bench', 'heap-probe.cjs')}`,
			},
		},
	);
	const readHeaps = async () => {
		const text = await readFile(heapFile, 'utf8');
		return text.trim() === '' ? [] : text.trim().split('\n');
	};

	const heapNow = async () => {
		const earlier = await readHeaps();
		const count = earlier.length;
		session.kill('SIGUSR2');
		let heaps = [];
		for (let wait = 0; wait < 50; wait++) {
			// eslint-disable-next-line no-await-in-loop -- waiting for the child to answer
			heaps = await readHeaps();
			if (heaps.length > count) {
				break;
			}

			// eslint-disable-next-line no-await-in-loop
			await delay(100);
		}

		return Number(heaps.at(-1)) / 2 ** 20;
	};

	try {
		await session.waitFor(isDrawn, {description: 'the first frame'});
		// A sweep of a dozen refused loopback ports takes a few ms: 100 ms plus that each.
		const totalMs = rssSweeps * 110;
		const samples = [];
		let tenthHeap;
		let tenthRss;
		const started = performance.now();
		while (performance.now() - started < totalMs) {
			// eslint-disable-next-line no-await-in-loop -- sampling is sequential
			samples.push(await rssMiB(session.pid));
			if (
				tenthHeap === undefined &&
				performance.now() - started >= totalMs / 10
			) {
				tenthRss = samples.at(-1);
				// eslint-disable-next-line no-await-in-loop
				tenthHeap = await heapNow();
			}

			// eslint-disable-next-line no-await-in-loop
			await delay(Math.min(5000, totalMs / 20));
		}

		samples.push(await rssMiB(session.pid));
		const lastHeap = await heapNow();
		// The registry loads only when a search finds nothing curated: what that costs on top.
		session.write('/minecraft');
		await session.waitFor(
			(session) => session.lines[0]?.includes('registry') ?? false,
			{description: "a search in IANA's registry"},
		);
		const registrySamples = [];
		for (let sample = 0; sample < 10; sample++) {
			// eslint-disable-next-line no-await-in-loop -- sampling is sequential
			await delay(500);
			// eslint-disable-next-line no-await-in-loop
			registrySamples.push(await rssMiB(session.pid));
		}

		session.write('\u001Bq');
		return {
			first: samples[0],
			last: samples.at(-1),
			max: Math.max(...samples),
			withRegistry: Math.max(...registrySamples),
			tenthRss: tenthRss ?? samples.at(-1),
			tenthHeap: tenthHeap ?? lastHeap,
			lastHeap,
			minutes: (performance.now() - started) / 60_000,
		};
	} finally {
		await session.dispose();
	}
}

const rows = [];
function report(row) {
	const ratio =
		row.anchor === undefined || row.anchor === 0
			? undefined
			: row.portui / row.anchor;
	rows.push(row);
	const anchorText =
		row.anchor === undefined
			? ''
			: `${row.anchorName} ${row.anchor.toFixed(row.digits ?? 0)} ${row.unit}`;
	console.log(
		`${row.name.padEnd(58)} ${row.portui.toFixed(row.digits ?? 0).padStart(8)} ${row.unit.padEnd(6)} ${anchorText.padEnd(34)} ${ratio === undefined ? '' : `ratio ${ratio.toFixed(2)}`}  ${row.ok ? 'ok' : 'MISSES'} (${row.goal})`,
	);
	console.log(
		JSON.stringify({
			bench: 'render',
			name: row.name,
			unit: row.unit,
			portui: Number(row.portui.toFixed(3)),
			anchor: row.anchor === undefined ? null : Number(row.anchor.toFixed(3)),
			anchorName: row.anchorName ?? null,
			ratio: ratio === undefined ? null : Number(ratio.toFixed(3)),
			goal: row.goal,
			ok: row.ok,
		}),
	);
}

const scratch = await mkdtemp(path.join(tmpdir(), 'portui-bench-render-'));
// Inside the package, so that the catalogue's files are found from the bundle's location.
const inkPackage = path.join(
	root,
	'node_modules',
	'.portui-bench-ink-renderer',
);
let server = await listen();
const {port} = server.address();
const listener = {
	async close() {
		await close(server);
	},
	async open() {
		server = await listen(port);
	},
};
try {
	console.log(
		`render: 80x24 pseudo-terminal read through xterm.js; Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}; listener on 127.0.0.1:${port}`,
	);

	// Every part runs bin/portui.js, which runs this bundle.
	await bundle();
	if (parts.has('bytes')) {
		await bundleAsPackage(
			inkPackage,
			path.join(root, 'test', 'bench', 'ink-renderer.tsx'),
		);
		const catalogue = path.join(scratch, 'catalogue.json');
		await writeFile(
			catalogue,
			JSON.stringify({
				entries: [
					{
						port,
						protocol: 'tcp',
						service,
						longName: 'the benchmark listener',
						verdict: 'caution',
						remark: 'Opened and closed by test/bench/render.js.',
					},
				],
			}),
		);

		const shipped = await measureDashboard(
			[process.execPath, path.join(root, 'bin', 'portui.js')],
			{XDG_CACHE_HOME: scratch},
			catalogue,
			listener,
		);
		const inkBin = [
			process.execPath,
			path.join(inkPackage, 'bin', 'portui.js'),
		];
		const standard = await measureDashboard(
			inkBin,
			{XDG_CACHE_HOME: scratch, PORTUI_BENCH_RENDERER: 'standard'},
			catalogue,
			listener,
		);
		const incremental = await measureDashboard(
			inkBin,
			{XDG_CACHE_HOME: scratch, PORTUI_BENCH_RENDERER: 'incremental'},
			catalogue,
			listener,
		);
		const watch = await measureWatch(listener);

		report({
			name: `bytes idle for ${idleSeconds} s, curated ports in view`,
			unit: 'B',
			portui: shipped.idleBytes,
			anchor: watch.idleBytes,
			anchorName: 'watch -n1 ss -tln',
			goal: '0',
			ok: shipped.idleBytes === 0,
		});
		report({
			name: `bytes idle for ${idleSeconds} s, an open port in view`,
			unit: 'B',
			portui: shipped.openIdleBytes,
			anchor: watch.idleBytes,
			anchorName: 'watch -n1 ss -tln',
			goal: '0',
			ok: shipped.openIdleBytes === 0,
		});
		report({
			name: 'bytes per single-port change (median)',
			unit: 'B',
			portui: shipped.perChange,
			anchor: watch.perChange,
			anchorName: 'watch -n1 ss -tln',
			goal: '<= 300',
			ok: shipped.perChange <= 300,
		});
		report({
			name: 'bytes per change, Ink standard renderer',
			unit: 'B',
			portui: standard.perChange,
			anchor: shipped.perChange,
			anchorName: 'portui',
			goal: 'reference',
			ok: true,
		});
		report({
			name: 'bytes per change, Ink incrementalRendering',
			unit: 'B',
			portui: incremental.perChange,
			anchor: shipped.perChange,
			anchorName: 'portui',
			goal: 'reference',
			ok: true,
		});
		report({
			name: 'bytes idle with an open port, Ink standard',
			unit: 'B',
			portui: standard.openIdleBytes,
			goal: 'reference',
			ok: true,
		});
		report({
			name: 'bytes idle with an open port, Ink incremental',
			unit: 'B',
			portui: incremental.openIdleBytes,
			goal: 'reference',
			ok: true,
		});
		report({
			name: 'frame height at 24 rows',
			unit: 'rows',
			portui: shipped.rows,
			goal: '<= 23',
			ok: shipped.rows <= 23,
		});
	}

	if (parts.has('cpu')) {
		const cpu = await measureCpu(scratch);
		for (const [host, share] of [
			['127.0.0.1', cpu.loopback],
			['localhost', cpu.localhost],
		]) {
			report({
				name: `CPU share at --interval 1s over ${cpuSeconds} s, ${host}`,
				unit: '%',
				digits: 2,
				portui: share * 100,
				anchor: cpu.watch * 100,
				anchorName: 'watch -n1 ss -tln',
				goal: '<= 3% of a core',
				ok: share <= 0.03,
			});
		}
	}

	if (parts.has('rss')) {
		const rss = await measureRss(scratch);
		report({
			name: `RSS after ${rssSweeps} sweeps at 100 ms (${rss.minutes.toFixed(1)} min), highest`,
			unit: 'MiB',
			digits: 1,
			portui: rss.max,
			anchor: rss.first,
			anchorName: 'at the first frame',
			goal: '<= 100 MiB',
			ok: rss.max <= 100,
		});
		report({
			name: 'RSS at the end of the sweeps vs a tenth in',
			unit: 'MiB',
			digits: 1,
			portui: rss.last,
			anchor: rss.tenthRss,
			anchorName: 'a tenth in',
			goal: 'reference',
			ok: true,
		});
		report({
			name: "RSS once a search has loaded IANA's registry, highest of 5 s",
			unit: 'MiB',
			digits: 1,
			portui: rss.withRegistry,
			anchor: rss.max,
			anchorName: 'during the sweeps',
			goal: 'reference',
			ok: true,
		});
		report({
			name: 'live JS heap after a full GC: end of the run vs a tenth in',
			unit: 'MiB',
			digits: 1,
			portui: rss.lastHeap,
			anchor: rss.tenthHeap,
			anchorName: 'a tenth in',
			goal: 'flat: within 10%',
			ok: rss.lastHeap <= rss.tenthHeap * 1.1,
		});
	}
} finally {
	await close(server).catch(() => undefined);
	await rm(scratch, {recursive: true, force: true});
	await rm(inkPackage, {recursive: true, force: true});
}
