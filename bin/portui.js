#!/usr/bin/env node
/* eslint-disable unicorn/prefer-module, n/prefer-global/process -- a CommonJS entry point, see below */
'use strict';
// CommonJS (bin/package.json says so): an ES module entry costs Node its ES module loader and
// an ES wrapper for every built-in it imports, about 15 ms of a start-up budget of some 375.
//
// Runs the bundle (dist/cli.js, the body of an async function), and each part of it that a run
// imports (dist/dashboard.js, dist/ink-table.js, dist/exporter.js: see scripts/build.js), with a
// V8 code cache: parsing and compiling the bundle is the largest start-up cost Node leaves to us,
// and Node 20 caches no ES module code. The cache is written per script, Node version and command, to
// $XDG_CACHE_HOME/portui (~/.cache/portui), after start-up so that it holds the functions the
// first frame needed, by the first few runs (see `judgingRuns`); PORTUI_NO_CODE_CACHE=1 skips it.
// Any failure of the cache only costs time.
const {
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} = require('node:fs');
const {Buffer} = require('node:buffer');
const {homedir} = require('node:os');
const path = require('node:path');
const {pathToFileURL} = require('node:url');
const vm = require('node:vm');

// React's development build keeps a performance entry per commit and grows without bound in a
// long run; the bundle is built for production, and children we start inherit it.
process.env.NODE_ENV = 'production';

const distDirectory = path.join(__dirname, '..', 'dist');

/**
 * The commands of source/cli.tsx (a test keeps the two lists the same); anything else runs the
 * dashboard. Each has a cache of its own: V8 writes into a cache the functions the run that wrote
 * it had compiled, and a probe that started from the dashboard's cache (1.2 MB) took 8 ms longer
 * than from its own (0.44 MB).
 */
const commands = new Set([
	'audit',
	'during',
	'exporter',
	'list',
	'probe',
	'wait',
	'watch',
]);

/** The command this run is: one of `commands`, else the dashboard. */
const kind = commands.has(process.argv[2]) ? process.argv[2] : 'dashboard';

/** Where the code cache of dist/`name`.js for this command lives, unless caching is off. */
function cacheLocation(name, file) {
	if (process.env.PORTUI_NO_CODE_CACHE) {
		return undefined;
	}

	const base = process.env.XDG_CACHE_HOME;
	const directory = path.join(
		base && path.isAbsolute(base) ? base : path.join(homedir(), '.cache'),
		'portui',
	);
	const {size, mtimeMs} = statSync(file);
	const prefix = `${name}-${process.version}-${process.arch}-${size}-${Math.trunc(mtimeMs)}-`;
	return {
		directory,
		name,
		prefix,
		file: path.join(directory, `${prefix}${kind}.v8`),
	};
}

/**
 * The first runs of a command after a build may each replace its cache, with whatever they
 * compiled when that is more than the cache holds: one run need not take every path the next
 * takes (a probe of closed ports identifies nothing; with `--json` it names holders, without it
 * prints a table). A one-shot `probe` whose cache lacked its paths took 16 ms longer. The file
 * starts with a byte that counts the runs that have had their say.
 */
const judgingRuns = 4;

function readCache(location) {
	try {
		const bytes = location && readFileSync(location.file);
		return bytes && bytes.length > 1
			? {runs: bytes[0], data: bytes.subarray(1)}
			: undefined;
	} catch {
		return undefined;
	}
}

function saveCache(location, data, runs) {
	try {
		mkdirSync(location.directory, {recursive: true});
		const partial = `${location.file}.${process.pid}`;
		writeFileSync(partial, Buffer.concat([Buffer.of(runs), data]));
		renameSync(partial, location.file);
		// Caches of earlier builds or Node versions only take space.
		for (const name of readdirSync(location.directory)) {
			if (
				name.startsWith(`${location.name}-`) &&
				name.endsWith('.v8') &&
				!name.startsWith(location.prefix)
			) {
				rmSync(path.join(location.directory, name), {force: true});
			}
		}
	} catch {
		// Without a cache the next start is only slower.
	}
}

/** Whether a bundled script is running now: a process.exit() of its own (--help, --version). */
function isInsideBundle() {
	const {stackTraceLimit} = Error;
	Error.stackTraceLimit = Number.POSITIVE_INFINITY;
	const {stack = ''} = new Error('where the process ends');
	Error.stackTraceLimit = stackTraceLimit;
	return stack.includes(distDirectory + path.sep);
}

/**
 * V8 doubles its young generation whenever enough objects survive a scavenge, up to 2 x 16 MiB on
 * a 64-bit machine, and a dashboard that sweeps every 100 ms gets there within seconds: a third of
 * its resident memory was nursery. A growth factor of 1 keeps it at its starting size, for the
 * commands that run until stopped. Set here, before the bundle is compiled: V8 stamps a code
 * cache with its flags, and a flag set after the compile made every later start reject the cache
 * it wrote (the dashboard compiled from scratch at every start).
 */
const longRunning = new Set(['dashboard', 'during', 'exporter', 'watch']);
if (longRunning.has(kind)) {
	require('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
}

/** The scripts compiled so far whose caches are judged when start-up is over (`judgingRuns`). */
const judged = [];
let timer;

function saveCaches() {
	clearTimeout(timer);
	process.off('exit', saveCaches);
	// V8 would serialise functions still running, which the next start rejects.
	if (isInsideBundle()) {
		return;
	}

	// A part first imported later (the table at the end of a long probe) is judged in a round of its own.
	for (const {script, location, cache, isCached} of judged.splice(0)) {
		const data = script.createCachedData();
		if (!isCached || data.length > cache.data.length) {
			saveCache(location, data, isCached ? cache.runs + 1 : 1);
		} else {
			saveCache(location, cache.data, cache.runs + 1);
		}
	}
}

function judgeLater(compiled) {
	if (judged.length === 0) {
		timer = setTimeout(saveCaches, 1500);
		timer.unref();
		process.on('exit', saveCaches);
	}

	judged.push(compiled);
}

/**
 * Dist/`name`.js, compiled from its cache: the main script (cli) or a part of the build that a
 * run imports (scripts/build.js), returning the wrapper function that the build made of it.
 */
function compile(name) {
	const file = path.join(distDirectory, `${name}.js`);
	// ASCII (the build checks): read as Latin-1, a copy, where UTF-8 would be decoded (1-2 ms here).
	const source = readFileSync(file, 'latin1');
	const location = cacheLocation(name, file);
	const cache = readCache(location);
	const script = new vm.Script(source, {
		filename: file,
		cachedData: cache?.data,
	});
	const isCached = cache !== undefined && !script.cachedDataRejected;
	if (location && (!isCached || cache.runs < judgingRuns)) {
		judgeLater({script, location, cache, isCached});
	}

	return {file, run: script.runInThisContext()};
}

const meta = (file) => ({
	url: pathToFileURL(file).href,
	dirname: path.dirname(file),
	filename: file,
});

/** The exports of a part, which its script hands to the last argument of its wrapper. */
async function part(name) {
	const {file, run} = compile(name);
	let exports;
	await run(require, meta(file), part, (value) => {
		exports = value;
	});
	return exports;
}

const {file, run} = compile('cli');
// The bundle reports its own errors and sets the exit code; this promise never rejects for them.
run(require, meta(file), part);
/* eslint-enable unicorn/prefer-module, n/prefer-global/process */
