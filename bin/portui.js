#!/usr/bin/env node
// Runs the bundle (dist/cli.js, the body of an async function) with a V8 code cache: parsing and
// compiling the bundle is the largest start-up cost Node leaves to us, and Node 20 caches no ES
// module code. The cache is written once per bundle and Node version, to
// $XDG_CACHE_HOME/portui (~/.cache/portui), after start-up so that it holds the functions the
// first frame needed; PORTUI_NO_CODE_CACHE=1 skips it. Any failure of the cache only costs time.
import {
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import {createRequire} from 'node:module';
import {homedir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import vm from 'node:vm';

// React's development build keeps a performance entry per commit and grows without bound in a
// long run; the bundle is built for production, and children we start inherit it.
process.env.NODE_ENV = 'production';

const bundleUrl = new URL('../dist/cli.js', import.meta.url);
const bundlePath = fileURLToPath(bundleUrl);
const source = readFileSync(bundlePath, 'utf8');

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
await main(createRequire(bundlePath), {
	url: bundleUrl.href,
	dirname: path.dirname(bundlePath),
	filename: bundlePath,
});
