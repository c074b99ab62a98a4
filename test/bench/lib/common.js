// What the bench scripts share: options, statistics, nmap, rows printed as a table and as the
// JSON lines that test/bench/run.js collects. This directory holds no bench of its own, so the
// aggregator, which runs the .js files directly in test/bench/, never starts it.
import {spawnSync} from 'node:child_process';
import {readdirSync, statSync} from 'node:fs';
import {copyFile, mkdir, mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {build} from 'esbuild';
import {bundle} from '../../../scripts/build.js';

/** The repository's root directory. */
export const root = fileURLToPath(new URL('../../..', import.meta.url));

/** `--name N` from the command line, else `fallback`. */
export function option(name, fallback) {
	const index = process.argv.indexOf(`--${name}`);
	return index === -1 ? fallback : Number(process.argv[index + 1]);
}

/** `--quick` on the command line, or BENCH_QUICK=1 from the aggregator. */
export const isQuick =
	process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

/** `--runs N`, else BENCH_RUNS, else `fallback` (`quickFallback` with --quick); at least `least`. */
export function runCount({fallback, quickFallback, least = 1}) {
	const fromEnvironment = Number(process.env.BENCH_RUNS);
	const chosen = option(
		'runs',
		Number.isInteger(fromEnvironment) && fromEnvironment > 0
			? fromEnvironment
			: isQuick
				? quickFallback
				: fallback,
	);
	return Math.max(least, chosen);
}

export function median(values) {
	const sorted = values.toSorted((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1
		? sorted[middle]
		: (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile (p in 0..100): a value that was measured, never an interpolation. */
export function percentile(values, p) {
	const sorted = values.toSorted((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const sleep = async (ms) =>
	new Promise((resolve) => {
		setTimeout(resolve, ms);
	});

export const isRoot = () => process.getuid?.() === 0;

/** Nmap is runnable, installing it from Debian's packages if it is missing and we can; else the reason. */
export function findNmap() {
	const isRunnable = () =>
		spawnSync('nmap', ['--version'], {stdio: 'ignore'}).status === 0;
	if (isRunnable()) {
		return {isAvailable: true};
	}

	if (
		!isRoot() ||
		spawnSync('apt-get', ['--version'], {stdio: 'ignore'}).status !== 0
	) {
		return {
			isAvailable: false,
			reason:
				'nmap is not installed, and apt-get as root is not available to install it',
		};
	}

	console.error('nmap is missing: installing it with apt-get install -y nmap');
	const install = spawnSync('apt-get', ['install', '-y', 'nmap'], {
		stdio: 'ignore',
		timeout: 600_000,
	});
	if (install.status !== 0) {
		return {
			isAvailable: false,
			reason: `apt-get install -y nmap failed (status ${install.status})`,
		};
	}

	return isRunnable()
		? {isAvailable: true}
		: {isAvailable: false, reason: 'nmap still not runnable after install'};
}

function newestUnder(directory) {
	let newest = 0;
	for (const entry of readdirSync(directory, {withFileTypes: true})) {
		const full = path.join(directory, entry.name);
		newest = Math.max(
			newest,
			entry.isDirectory() ? newestUnder(full) : statSync(full).mtimeMs,
		);
	}

	return newest;
}

/**
 * Rebuilds dist/cli.js (what bin/portui.js runs) when it is missing or older than source/ or the
 * build script; returns the reason when that fails.
 */
export function ensureBuilt() {
	const bundle = path.join(root, 'dist', 'cli.js');
	// A missing bundle counts as built at 0: older than any source.
	const builtAt = statSync(bundle, {throwIfNoEntry: false})?.mtimeMs ?? 0;

	const newest = Math.max(
		newestUnder(path.join(root, 'source')),
		statSync(path.join(root, 'scripts', 'build.js')).mtimeMs,
	);
	if (builtAt >= newest) {
		return undefined;
	}

	console.error('dist/cli.js is older than source/: npm run build');
	const build = spawnSync('npm', ['run', 'build'], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
		timeout: 300_000,
	});
	return build.status === 0
		? undefined
		: `npm run build failed (status ${build.status})`;
}

/**
 * A directory shaped like the package, for an app started the way portui is: bin/portui.js as
 * shipped (with the package.json that makes it CommonJS) running `entryPoint`, bundled the way
 * portui's bundle is, as dist/cli.js.
 */
export async function bundleAsPackage(directory, entryPoint) {
	await mkdir(path.join(directory, 'bin'), {recursive: true});
	for (const file of ['portui.js', 'package.json']) {
		// eslint-disable-next-line no-await-in-loop -- two small copies
		await copyFile(
			path.join(root, 'bin', file),
			path.join(directory, 'bin', file),
		);
	}

	await bundle({entryPoint, outfile: path.join(directory, 'dist', 'cli.js')});
}

/**
 * Engine modules as they run in the shipped bundle: bundled and minified by esbuild (the build's
 * settings), imported from a temporary file. Loaded through tsx instead, every function pays for
 * tsx's transforms (a `__name` call per closure made), which the bundle does not: a sweep of
 * 1,000 loopback ports took some 15 % more CPU that way. `exports` is the entry's source, a list
 * of `export ... from './source/...'` lines relative to the repository root.
 */
export async function importShipped(exports) {
	const directory = await mkdtemp(path.join(tmpdir(), 'portui-bench-'));
	const outfile = path.join(directory, 'engine.mjs');
	try {
		await build({
			stdin: {contents: exports, resolveDir: root, loader: 'ts'},
			outfile,
			bundle: true,
			minify: true,
			platform: 'node',
			target: 'node20',
			format: 'esm',
			logLevel: 'warning',
		});
		return await import(pathToFileURL(outfile).href);
	} finally {
		await rm(directory, {recursive: true, force: true});
	}
}

const round = (value, digits = 2) =>
	value === undefined || value === null ? null : Number(value.toFixed(digits));

/**
 * Prints `rows` as a readable table, then one JSON line each for the aggregator:
 * {bench, name, unit, portui, anchor, anchorName, ratio, goal, ok, ...extra}. A row with
 * `skipped` has no figures; `ok` is undefined for a reference row (no goal).
 */
export function report(bench, title, rows) {
	console.log(title);
	const cell = (value, width) =>
		(value === undefined || value === null ? '-' : value.toFixed(1)).padStart(
			width,
		);
	const nameWidth = Math.max(...rows.map((row) => row.name.length), 3);
	for (const row of rows) {
		if (row.skipped) {
			console.log(`${row.name.padEnd(nameWidth)}  skipped: ${row.skipped}`);
			continue;
		}

		const ratio = row.anchor ? row.portui / row.anchor : undefined;
		const verdict =
			row.ok === undefined ? '' : row.ok ? '  goal met' : '  goal missed';
		console.log(
			`${row.name.padEnd(nameWidth)} ${cell(row.portui, 9)} ${row.unit ?? 'ms'}   ${row.anchorName ?? ''} ${cell(row.anchor, 9)}   ratio ${ratio === undefined ? '-' : ratio.toFixed(2)}   ${row.goal ?? ''}${verdict}`,
		);
	}

	for (const row of rows) {
		const {name, portui, anchor, anchorName, goal, ok, skipped, ...extra} = row;
		const ratio =
			anchor && portui !== undefined ? round(portui / anchor, 3) : null;
		console.log(
			JSON.stringify({
				bench,
				name,
				unit: row.unit ?? 'ms',
				portui: round(portui),
				anchor: round(anchor),
				anchorName,
				ratio,
				goal,
				ok,
				...(skipped && {skipped}),
				...extra,
			}),
		);
	}
}
