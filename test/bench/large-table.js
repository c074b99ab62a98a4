/*
Large tables on a terminal against the same table through a pipe (issue 12, item 6): the built
binary's `probe 127.0.0.1 1-65535` (65,535 rows) and `list --all-sources` (about 13,000 rows),
each run in a pseudo-terminal (node-pty, 80x24, its output read and dropped) and with stdout a
pipe (read and dropped), spawn to exit.

Run from the repository root:

	node test/bench/large-table.js [--runs 3] [--quick]

Wall time and peak RSS come from GNU time (`/usr/bin/time -f '%e %M'`) around node, so both
ways are measured alike; medians of --runs, the two ways interleaved round by round so load
from the shared machine hits both. Before the line printer, the terminal probe ran 4.5 minutes
to a 4 GB heap and died, and list took 17.7 s and 892 MB on a terminal against 0.42 s piped.
Goal: a terminal costs at most 1.5x the pipe in time and in memory (tables scale linearly and
the terminal's table is drawn a line at a time). Traffic: 127.0.0.1 only.
*/
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import pty from '@lydell/node-pty';
import {
	ensureBuilt,
	isQuick,
	median,
	report,
	root,
	runCount,
} from './lib/common.js';

const bin = path.join(root, 'bin', 'portui.js');
const gnuTime = '/usr/bin/time';
const runs = runCount({fallback: 3, quickFallback: 1, least: 1});
const scratch = mkdtempSync(path.join(os.tmpdir(), 'portui-bench-table-'));
const timeFile = path.join(scratch, 'time');

/** `[seconds, peak RSS in KiB]` from GNU time's output file. */
function readTime() {
	const [seconds, kib] = readFileSync(timeFile, 'utf8').trim().split(/\s+/v);
	return {ms: Number(seconds) * 1000, rssMiB: Number(kib) / 1024};
}

const command = (args) => [
	gnuTime,
	['-f', '%e %M', '-o', timeFile, process.execPath, bin, ...args],
];

async function onTerminal(args) {
	const [file, argv] = command(args);
	const child = pty.spawn(file, argv, {
		name: 'xterm-256color',
		cols: 80,
		rows: 24,
		cwd: root,
		env: {...process.env, LANG: 'C.UTF-8', CI: '', NO_COLOR: ''},
	});
	let bytes = 0;
	child.onData((data) => {
		bytes += data.length;
	});
	const exitCode = await new Promise((resolve) => {
		child.onExit(({exitCode}) => {
			resolve(exitCode);
		});
	});
	return {...readTime(), exitCode, bytes};
}

async function throughPipe(args) {
	const [file, argv] = command(args);
	const child = spawn(file, argv, {
		cwd: root,
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let bytes = 0;
	child.stdout.on('data', (chunk) => {
		bytes += chunk.length;
	});
	const exitCode = await new Promise((resolve) => {
		child.on('close', resolve);
	});
	return {...readTime(), exitCode, bytes};
}

const scenes = [
	{name: 'probe 127.0.0.1 1-65535', args: ['probe', '127.0.0.1', '1-65535']},
	{name: 'list --all-sources', args: ['list', '--all-sources']},
];

const buildFailure = ensureBuilt();
const rows = [];
for (const scene of scenes) {
	if (buildFailure || !existsSync(gnuTime)) {
		rows.push({
			name: scene.name,
			skipped: buildFailure ?? `${gnuTime} (GNU time) is missing`,
		});
		continue;
	}

	const terminal = [];
	const pipe = [];
	let failure;
	for (let round = 0; round < runs; round++) {
		/* eslint-disable no-await-in-loop -- one process at a time is the method */
		const onPty = await onTerminal(scene.args);
		const piped = await throughPipe(scene.args);
		/* eslint-enable no-await-in-loop */
		if (onPty.exitCode !== 0 || piped.exitCode !== 0) {
			failure = `exit ${onPty.exitCode} on a terminal, ${piped.exitCode} piped`;
			break;
		}

		terminal.push(onPty);
		pipe.push(piped);
	}

	if (failure) {
		rows.push({name: scene.name, skipped: failure});
		continue;
	}

	const of = (list, key) => median(list.map((run) => run[key]));
	const timeRatio = of(terminal, 'ms') / of(pipe, 'ms');
	const rssRatio = of(terminal, 'rssMiB') / of(pipe, 'rssMiB');
	rows.push(
		{
			name: `${scene.name} on a pty vs piped: time`,
			portui: of(terminal, 'ms'),
			anchor: of(pipe, 'ms'),
			anchorName: 'piped',
			goal: '<= 1.5x piped',
			ok: timeRatio <= 1.5,
			kibOut: Math.round(of(terminal, 'bytes') / 1024),
			runs,
		},
		{
			name: `${scene.name} on a pty vs piped: peak RSS`,
			unit: 'MiB',
			portui: of(terminal, 'rssMiB'),
			anchor: of(pipe, 'rssMiB'),
			anchorName: 'piped',
			goal: '<= 1.5x piped',
			ok: rssRatio <= 1.5,
			runs,
		},
	);
}

rmSync(scratch, {recursive: true, force: true});
report(
	'large-table',
	`large tables, pty (80x24) vs pipe, spawn to exit, GNU time: medians of ${runs} runs${isQuick ? ' (quick)' : ''}`,
	rows,
);
