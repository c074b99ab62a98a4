#!/usr/bin/env node
/* eslint-disable unicorn/prefer-module, n/prefer-global/process -- a CommonJS entry point, see below */
'use strict';
// CommonJS (bin/package.json says so): an ES module entry costs Node its ES module loader and
// an ES wrapper for every built-in it imports, about 15 ms of a start-up budget of some 375.
//
// Runs the bundle (dist/cli.js, the body of an async function) with a V8 code cache: parsing and
// compiling the bundle is the largest start-up cost Node leaves to us, and Node 20 caches no ES
// module code. The cache is written once per bundle and Node version, to
// $XDG_CACHE_HOME/portui (~/.cache/portui), after start-up so that it holds the functions the
// first frame needed; PORTUI_NO_CODE_CACHE=1 skips it. Any failure of the cache only costs time.
const {
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} = require('node:fs');
const {homedir} = require('node:os');
const path = require('node:path');
const {pathToFileURL} = require('node:url');
const vm = require('node:vm');

// React's development build keeps a performance entry per commit and grows without bound in a
// long run; the bundle is built for production, and children we start inherit it.
process.env.NODE_ENV = 'production';

// The young generation's size is set in the bundle, for the commands that run long (cli.tsx).

const bundlePath = path.join(__dirname, '..', 'dist', 'cli.js');
// ASCII (the build checks): read as Latin-1, a copy, where UTF-8 would be decoded (1-2 ms here).
const source = readFileSync(bundlePath, 'latin1');
function cacheLocation() {
	if (process.env.PORTUI_NO_CODE_CACHE) {
		return undefined;
	}

	const base = process.env.XDG_CACHE_HOME;
	const directory = path.join(
		base && path.isAbsolute(base) ? base : path.join(homedir(), '.cache'),
		'portui',
	);
	const {size, mtimeMs} = statSync(bundlePath);
	const key = `${process.version}-${process.arch}-${size}-${Math.trunc(mtimeMs)}`;
	return {directory, file: path.join(directory, `cli-${key}.v8`)};
}

function readCache(location) {
	try {
		return location && readFileSync(location.file);
	} catch {
		return undefined;
	}
}

function saveCache(location, script) {
	try {
		mkdirSync(location.directory, {recursive: true});
		const partial = `${location.file}.${process.pid}`;
		writeFileSync(partial, script.createCachedData());
		renameSync(partial, location.file);
		// Caches of earlier builds or Node versions only take space.
		for (const name of readdirSync(location.directory)) {
			if (
				name.startsWith('cli-') &&
				name.endsWith('.v8') &&
				path.join(location.directory, name) !== location.file
			) {
				rmSync(path.join(location.directory, name), {force: true});
			}
		}
	} catch {
		// Without a cache the next start is only slower.
	}
}

const location = cacheLocation();
const cachedData = readCache(location);
const script = new vm.Script(source, {filename: bundlePath, cachedData});
if (location && (cachedData === undefined || script.cachedDataRejected)) {
	const save = () => {
		clearTimeout(timer);
		process.off('exit', save);
		saveCache(location, script);
	};

	const timer = setTimeout(save, 1500);
	timer.unref();
	process.on('exit', save);
}

const main = script.runInThisContext();
// The bundle reports its own errors and sets the exit code; this promise never rejects for them.
main(require, {
	url: pathToFileURL(bundlePath).href,
	dirname: path.dirname(bundlePath),
	filename: bundlePath,
});
/* eslint-enable unicorn/prefer-module, n/prefer-global/process */
