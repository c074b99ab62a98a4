/*
`npm run bench`: every benchmark script in test/bench/ (the .js files beside this one), each in
its own child process, one after another, then ONE table of all their rows with the machine
described at the top. Not part of `npm test`; CI does not run it.

	node test/bench/run.js [--only NAME[,NAME]] [--quick] [--markdown] [--timeout SECONDS]

--only       run only these scripts (file names without .js; repeatable)
--quick      fewer runs (each script gets --quick, --runs 5 and BENCH_RUNS=5, BENCH_QUICK=1)
--markdown   print the final table as Markdown (for BENCHMARKS.md)
--timeout    the limit per script, in seconds (default 1200); a script past it is killed

Each script prints its own readable table (shown as it runs, indented) and one JSON line per
row. The field names differ a little between scripts and are normalised here:
  row:     name
  portui:  portui_ms | portui          anchor figure: anchor_ms | anchor (a number)
  anchor:  anchorName | anchor (a string)
  ratio:   ratio (else portui / anchor);  goal: goal;  unit: unit (default ms)
  met:     none for a row whose goal is "reference" (or absent); else false when the tools
           disagreed (agree: false); else ok; else a goal "<= Nx ..." read against the ratio
A script that fails, times out or prints no row shows a "skipped: why" row; the runner itself
does not fail because one of them did. Traffic stays on loopback: see each script's header.
*/
import {spawn, spawnSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

const directory = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(directory, '..', '..');

function parseOptions(argv) {
	const options = {
		only: [],
		isQuick: false,
		isMarkdown: false,
		timeoutSeconds: 1200,
	};
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index];
		switch (argument) {
			case '--quick': {
				options.isQuick = true;

				break;
			}

			case '--markdown': {
				options.isMarkdown = true;

				break;
			}

			case '--only':
			case '--timeout': {
				const value = argv[++index];
				if (value === undefined) {
					throw new Error(`${argument} needs a value`);
				}

				if (argument === '--only') {
					options.only.push(...value.split(',').filter(Boolean));
				} else {
					options.timeoutSeconds = Number(value);
					if (!(options.timeoutSeconds > 0)) {
						throw new Error(`--timeout: expected seconds, got ${value}`);
					}
				}

				break;
			}

			default: {
				if (argument.startsWith('--only=')) {
					options.only.push(
						...argument.slice('--only='.length).split(',').filter(Boolean),
					);
				} else {
					throw new Error(
						`unknown option ${argument} (accepted: --only NAME, --quick, --markdown, --timeout SECONDS)`,
					);
				}
			}
		}
	}

	return options;
}

function machine() {
	const cpus = os.cpus();
	const [one, five, fifteen] = os.loadavg();
	const distribution = (() => {
		try {
			return /^PRETTY_NAME="?([^"\n]*)/mv.exec(
				readFileSync('/etc/os-release', 'utf8'),
			)?.[1];
		} catch {
			return undefined;
		}
	})();
	const nmap = spawnSync('nmap', ['--version'], {encoding: 'utf8'});
	return {
		cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
		cores: cpus.length,
		memoryGiB: os.totalmem() / 2 ** 30,
		kernel: `${os.type()} ${os.release()} ${os.arch()}`,
		distribution,
		node: process.version,
		nmap:
			nmap.status === 0
				? /Nmap version (\S+)/v.exec(nmap.stdout)?.[1]
				: undefined,
		load: [one, five, fifteen],
		date: new Date().toISOString(),
		isRoot: process.getuid?.() === 0,
	};
}

function describeMachine(info) {
	const load = info.load.map((value) => value.toFixed(2)).join(' ');
	const busy =
		info.load[0] > info.cores * 0.5
			? `  (busy: load above half the cores; figures are noisier than on an idle machine)`
			: '';
	return [
		`date     ${info.date}`,
		`cpu      ${info.cores} x ${info.cpu}, ${info.memoryGiB.toFixed(1)} GiB memory`,
		`system   ${info.kernel}${info.distribution ? `, ${info.distribution}` : ''}${info.isRoot ? ', running as root' : ''}`,
		`tools    Node ${info.node}, nmap ${info.nmap ?? 'not installed'}`,
		`load     ${load} (1, 5, 15 min) at start${busy}`,
	];
}

function scripts(only) {
	const all = readdirSync(directory)
		.filter((file) => file.endsWith('.js') && file !== 'run.js')
		.map((file) => file.slice(0, -3))
		.toSorted();
	const unknown = only.filter((name) => !all.includes(name));
	if (unknown.length > 0) {
		throw new Error(
			`--only: no bench named ${unknown.join(', ')} (there are: ${all.join(', ')})`,
		);
	}

	return only.length > 0 ? all.filter((name) => only.includes(name)) : all;
}

let running;

/** Runs one script to completion or to the limit; never rejects. */
async function runScript(name, options) {
	const file = path.join(directory, `${name}.js`);
	const quick = options.isQuick ? ['--quick', '--runs', '5'] : [];
	// Tsx for every script: several load the TypeScript source; plain JavaScript is unaffected.
	const child = spawn(process.execPath, ['--import', 'tsx', file, ...quick], {
		cwd: root,
		env: {
			...process.env,
			CI: 'false',
			...(options.isQuick && {BENCH_QUICK: '1', BENCH_RUNS: '5'}),
		},
		stdio: ['ignore', 'pipe', 'pipe'],
		// Its own process group, so a timeout ends what it started too (nmap, ss, a pty).
		detached: true,
	});
	running = child;
	const rows = [];
	const errors = [];
	let isTimedOut = false;
	const limit = setTimeout(() => {
		isTimedOut = true;
		killGroup(child);
	}, options.timeoutSeconds * 1000);

	const lines = (stream, onLine) => {
		let rest = '';
		stream.setEncoding('utf8');
		stream.on('data', (chunk) => {
			const parts = (rest + chunk).split('\n');
			rest = parts.pop();
			for (const line of parts) {
				onLine(line);
			}
		});
		stream.on('end', () => {
			if (rest) {
				onLine(rest);
			}
		});
	};

	lines(child.stdout, (line) => {
		const row = parseRow(line);
		if (row) {
			rows.push(row);
		} else if (line.trim()) {
			console.log(`  ${line}`);
		}
	});
	lines(child.stderr, (line) => {
		if (line.trim()) {
			errors.push(line);
			console.log(`  ! ${line}`);
		}
	});

	const [code, signal] = await new Promise((resolve) => {
		child.on('error', (error) => {
			errors.push(error.message);
			resolve([undefined, undefined]);
		});
		child.on('close', (exitCode, exitSignal) => {
			resolve([exitCode, exitSignal]);
		});
	});
	clearTimeout(limit);
	running = undefined;
	if (code === 0 && rows.length > 0) {
		return rows;
	}

	const why = isTimedOut
		? `timed out after ${options.timeoutSeconds} s`
		: code === 0
			? 'printed no JSON rows'
			: `${signal ? `killed by ${signal}` : `exit status ${code}`}${lastError(errors)}`;
	return [
		...rows,
		{
			bench: name,
			row: rows.length > 0 ? '(the rest)' : '',
			skipped: why,
		},
	];
}

/** The error a script died of (else its last line on stderr), for the "skipped: why" row. */
function lastError(errors) {
	const lines = errors
		.map((text) => text.trim())
		.filter(
			(text) =>
				text &&
				!text.startsWith('at ') &&
				!text.startsWith('Node.js v') &&
				!/^\^+$/v.test(text),
		);
	const line =
		lines.findLast((text) => /^[\w.]*Error\b|^Error:/v.test(text)) ??
		lines.at(-1);
	return line ? `: ${line.replaceAll(/\s+/gv, ' ').slice(0, 160)}` : '';
}

/** Signals the child's process group; one that has already exited is no error. */
function signalGroup(child, signal) {
	try {
		process.kill(-child.pid, signal);
	} catch (error) {
		if (error.code !== 'ESRCH') {
			throw error;
		}
	}
}

/** SIGTERM to the child and what it started (nmap, ss, a pty), SIGKILL to what is left 5 s later. */
function killGroup(child) {
	signalGroup(child, 'SIGTERM');
	setTimeout(() => {
		signalGroup(child, 'SIGKILL');
	}, 5000).unref();
}

const numberOrUndefined = (value) =>
	typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** One JSON line of a script, normalised; undefined for any other line. */
function parseRow(line) {
	if (!line.startsWith('{')) {
		return undefined;
	}

	let data;
	try {
		data = JSON.parse(line);
	} catch {
		return undefined;
	}

	if (typeof data?.bench !== 'string' || typeof data.name !== 'string') {
		return undefined;
	}

	const portui = numberOrUndefined(data.portui_ms ?? data.portui);
	const anchor = numberOrUndefined(
		data.anchor_ms ?? (typeof data.anchor === 'number' ? data.anchor : null),
	);
	const anchorName =
		data.anchorName ??
		(typeof data.anchor === 'string' ? data.anchor : undefined);
	const ratio =
		numberOrUndefined(data.ratio) ??
		(portui !== undefined && anchor ? portui / anchor : undefined);
	const goal = typeof data.goal === 'string' ? data.goal : undefined;
	return {
		bench: data.bench,
		row: data.name,
		unit: typeof data.unit === 'string' ? data.unit : 'ms',
		portui,
		anchorName,
		anchor,
		ratio,
		goal,
		met: verdict(data, ratio, goal),
		skipped: typeof data.skipped === 'string' ? data.skipped : undefined,
		agree: data.agree,
	};
}

/** True or false when the row has a goal we can judge; undefined for reference rows. */
function verdict(data, ratio, goal) {
	if (data.agree === false) {
		return false;
	}

	// Some scripts mark reference rows ok: true; a row without a goal meets none.
	if (goal === undefined || /^reference\b/v.test(goal)) {
		return undefined;
	}

	if (typeof data.ok === 'boolean') {
		return data.ok;
	}

	const bound = goal && /^\s*<=\s*([\d.]+)\s*x\b/v.exec(goal);
	return bound && ratio !== undefined ? ratio <= Number(bound[1]) : undefined;
}

function formatFigure(value, unit) {
	if (value === undefined) {
		return '-';
	}

	const digits =
		Number.isInteger(value) || Math.abs(value) >= 100
			? 0
			: Math.abs(value) >= 10
				? 1
				: 2;
	return `${value.toFixed(digits)} ${unit}`;
}

function tableCells(row) {
	if (row.skipped && row.portui === undefined) {
		return [row.bench, row.row, '', `skipped: ${row.skipped}`, '', '', '', ''];
	}

	return [
		row.bench,
		row.row,
		formatFigure(row.portui, row.unit),
		row.anchorName ?? '-',
		row.skipped
			? `skipped: ${row.skipped}`
			: formatFigure(row.anchor, row.unit),
		row.ratio === undefined ? '-' : row.ratio.toFixed(2),
		row.goal ?? '-',
		row.met === undefined ? '-' : row.met ? 'met' : 'MISSED',
	];
}

const headings = [
	'bench',
	'row',
	'portui',
	'anchor',
	'anchor figure',
	'ratio',
	'goal',
	'result',
];
const rightAligned = new Set([2, 4, 5]);

function printTable(rows, isMarkdown) {
	const body = rows.map((row) => tableCells(row));
	if (isMarkdown) {
		const escape = (text) => text.replaceAll('|', String.raw`\|`);
		console.log(`| ${headings.join(' | ')} |`);
		console.log(
			`|${headings.map((_, index) => (rightAligned.has(index) ? ' ---: ' : ' --- ')).join('|')}|`,
		);
		for (const cells of body) {
			console.log(`| ${cells.map((cell) => escape(cell)).join(' | ')} |`);
		}

		return;
	}

	const widths = headings.map((heading, index) =>
		Math.max(heading.length, ...body.map((cells) => cells[index].length)),
	);
	const line = (cells) =>
		cells
			.map((cell, index) =>
				rightAligned.has(index)
					? cell.padStart(widths[index])
					: cell.padEnd(widths[index]),
			)
			.join('  ')
			.trimEnd();
	console.log(line(headings));
	console.log(widths.map((width) => '-'.repeat(width)).join('  '));
	for (const cells of body) {
		console.log(line(cells));
	}
}

async function main() {
	let options;
	let names;
	try {
		options = parseOptions(process.argv.slice(2));
		names = scripts(options.only);
	} catch (error) {
		console.error(`bench: ${error.message}`);
		return 2;
	}

	const header = describeMachine(machine());
	for (const line of header) {
		console.log(line);
	}

	const rows = [];
	const started = performance.now();
	for (const name of names) {
		console.log(`\n== ${name}`);
		const scriptStart = performance.now();
		// eslint-disable-next-line no-await-in-loop -- one bench at a time, or they measure each other
		rows.push(...(await runScript(name, options)));
		console.log(
			`   (${((performance.now() - scriptStart) / 1000).toFixed(0)} s)`,
		);
	}

	console.log(
		`\nportui benchmarks${options.isQuick ? ' (quick)' : ''}: ${names.length} scripts in ${((performance.now() - started) / 1000).toFixed(0)} s, figures are medians unless the row says p50/p95`,
	);
	for (const line of header) {
		console.log(line);
	}

	console.log('');
	printTable(rows, options.isMarkdown);
	const judged = rows.filter((row) => row.met !== undefined);
	const missed = judged.filter((row) => !row.met);
	const skipped = rows.filter((row) => row.skipped);
	console.log(
		`\n${judged.length - missed.length} of ${judged.length} goals met${missed.length > 0 ? `, missed: ${missed.map((row) => `${row.bench} / ${row.row}`).join('; ')}` : ''}${skipped.length > 0 ? `; ${skipped.length} skipped` : ''}`,
	);
	return 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, () => {
		if (running) {
			killGroup(running);
		}

		process.exit(130);
	});
}

process.exitCode = await main();
