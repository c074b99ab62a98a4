/*
One-shot `portui probe 127.0.0.1 1-1000` (the built binary, spawn to exit) against
`nmap -sT -Pn -n -p1-1000 127.0.0.1` (spawn to exit), both with their default table on a pipe.

Run from the repository root:

	node test/bench/oneshot.js [--runs 9] [--quick]

Both are timed as a user runs them: process start, catalogue or service tables loaded, the
sweep, the output written and read, exit. Interleaved round by round so that load from the
shared machine hits both alike; medians of --runs (at least 3) after 2 warm-ups. Both tools
must agree on which ports are open, or the row says so. A second row, one port (22), shows
what start-up alone costs each tool; `node -e 0`, timed in the same rounds, is named in the
rows for scale. dist/cli.js is rebuilt first when a file under source/ is
newer. Goal (issue 6): at most 2x nmap.
*/
import {execFile} from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import {promisify} from 'node:util';
import {
	ensureBuilt,
	findNmap,
	isQuick,
	median,
	report,
	root,
	runCount,
} from './lib/common.js';

const execFileAsync = promisify(execFile);
const bin = path.join(root, 'bin', 'portui.js');
const host = '127.0.0.1';
const runs = runCount({fallback: 9, quickFallback: 5, least: 3});
const warmups = 2;

const openIn = (text, pattern) =>
	new Set([...text.matchAll(pattern)].map((match) => Number(match[1])));

const tools = {
	async portui(ports) {
		const {stdout} = await execFileAsync(
			process.execPath,
			[bin, 'probe', host, ports],
			{cwd: root, maxBuffer: 64 * 1024 * 1024},
		);
		// `  22  tcp  ssh  open  ...`: the table's port, protocol, service and state columns.
		return openIn(stdout, /^\s*(\d+)\s+tcp\s+\S+\s+open\s/gmv);
	},
	async nmap(ports) {
		const {stdout} = await execFileAsync(
			'nmap',
			['-sT', '-Pn', '-n', `-p${ports}`, host],
			{maxBuffer: 64 * 1024 * 1024},
		);
		return openIn(stdout, /^(\d+)\/tcp\s+open\s/gmv);
	},
};

async function timed(task) {
	const start = performance.now();
	const value = await task();
	return {ms: performance.now() - start, value};
}

const sameSet = (a, b) =>
	a.size === b.size && [...a].every((value) => b.has(value));

async function measure(ports) {
	const times = {portui: [], nmap: [], node: []};
	let isAgreed = true;
	let open = 0;
	for (let round = 0; round < warmups + runs; round++) {
		/* eslint-disable no-await-in-loop -- one process at a time is the method */
		const portui = await timed(async () => tools.portui(ports));
		const nmap = await timed(async () => tools.nmap(ports));
		// Node's own start-up, for scale: the floor under any one-shot portui command.
		const node = await timed(async () =>
			execFileAsync(process.execPath, ['-e', '0']),
		);
		/* eslint-enable no-await-in-loop */
		isAgreed &&= sameSet(portui.value, nmap.value);
		open = portui.value.size;
		if (round >= warmups) {
			times.portui.push(portui.ms);
			times.nmap.push(nmap.ms);
			times.node.push(node.ms);
		}
	}

	return {
		portui: median(times.portui),
		anchor: median(times.nmap),
		node: median(times.node),
		isAgreed,
		open,
	};
}

const anchorName = 'nmap -sT -Pn -n';
const goal = '<= 2x nmap';
const scenes = [
	{ports: '1-1000', name: `one-shot probe ${host} 1-1000`, goal},
	{ports: '22', name: `one-shot probe ${host} 22 (start-up)`},
];
const nmap = findNmap();
const buildFailure = ensureBuilt();
const rows = [];
for (const scene of scenes) {
	if (buildFailure || !nmap.isAvailable) {
		rows.push({name: scene.name, skipped: buildFailure ?? nmap.reason});
		continue;
	}

	// eslint-disable-next-line no-await-in-loop -- one scene at a time
	const result = await measure(scene.ports);
	const ratio = result.portui / result.anchor;
	rows.push({
		name: `${scene.name}: ${result.open} open, node -e 0 ${result.node.toFixed(0)} ms${result.isAgreed ? '' : ', TOOLS DISAGREE on open ports'}`,
		portui: result.portui,
		anchor: result.anchor,
		anchorName,
		goal: scene.goal ?? 'reference',
		ok: scene.goal ? ratio <= 2 && result.isAgreed : undefined,
		agree: result.isAgreed,
		nodeMs: Number(result.node.toFixed(2)),
		runs,
	});
}

report(
	'oneshot',
	`one-shot probe vs ${anchorName}, spawn to exit: medians of ${runs} runs after ${warmups} warm-ups${isQuick ? ' (quick)' : ''}`,
	rows,
);
