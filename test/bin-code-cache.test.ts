import {spawnSync} from 'node:child_process';
import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import test from 'ava';
import {temporaryDirectory} from './helpers/catalogue.js';
import {ensureBuilt} from './helpers/cli.js';

const root = path.join(import.meta.dirname, '..');
const byName = (a = '', b = '') => a.localeCompare(b);
const bin = path.join(root, 'bin', 'portui.js');

test('bin/portui.js knows the commands of source/cli.tsx, to keep a code cache for each', async (t) => {
	const [binText, cliText] = await Promise.all([
		readFile(bin, 'utf8'),
		readFile(path.join(root, 'source', 'cli.tsx'), 'utf8'),
	]);
	const listed = /const commands = new Set\(\[([^\]]*)\]\)/v.exec(binText)?.[1];
	const inBin = [...(listed ?? '').matchAll(/'([a-z]+)'/gv)].map(
		(match) => match[1],
	);
	const table = /const commands: Record<.*? = \{(.*?)\n\};/sv.exec(
		cliText,
	)?.[1];
	const inCli = [...(table ?? '').matchAll(/^\t(\w+): async/gmv)].map(
		(match) => match[1],
	);
	t.true(inCli.length > 5, 'the commands of cli.tsx were found');
	t.deepEqual(inBin.toSorted(byName), inCli.toSorted(byName));
});

/** Bin/portui.js with its code caches in `cacheHome`. */
const runWithCaches = (
	cacheHome: string,
	args: readonly string[],
	options: {readonly timeout?: number} = {},
) =>
	spawnSync(process.execPath, [bin, ...args], {
		env: {...process.env, XDG_CACHE_HOME: cacheHome},
		encoding: 'utf8',
		killSignal: 'SIGTERM',
		...options,
	});

/** The cache files in `cacheHome`, none when there is no directory yet. */
async function cacheFiles(cacheHome: string): Promise<string[]> {
	try {
		return await readdir(path.join(cacheHome, 'portui'));
	} catch {
		return [];
	}
}

/** The runs that have judged the cache `isWanted` picks (its first byte); a second start from it makes 2. */
async function judgedRuns(
	cacheHome: string,
	isWanted: (name: string) => boolean,
): Promise<number | undefined> {
	const names = await cacheFiles(cacheHome);
	const file = names.find((name) => isWanted(name)) ?? 'missing';
	const bytes = await readFile(path.join(cacheHome, 'portui', file));
	return bytes[0];
}

test('each command keeps a code cache of its own; --version writes none', async (t) => {
	await ensureBuilt();
	const cacheHome = await temporaryDirectory();
	const run = (...args: string[]) => runWithCaches(cacheHome, args);
	const caches = async () => {
		const names = await cacheFiles(cacheHome);
		return names
			.filter((name) => name.endsWith('.v8'))
			.map((name) => /-(\w+)\.v8$/v.exec(name)?.[1])
			.toSorted(byName);
	};

	t.is(run('--version').status, 0);
	t.deepEqual(
		await caches(),
		[],
		'a process.exit() inside the bundle writes no cache',
	);
	t.is(run('list', 'ssh').status, 0);
	t.is(run('probe', '127.0.0.1', '1').status, 0);
	t.deepEqual(await caches(), ['list', 'probe']);
	const written = await cacheFiles(cacheHome);
	t.true(
		written.every((name) => name.startsWith('cli-')),
		'a table read through a pipe loads no part of the build (Ink, the dashboard)',
	);
	// The counting byte and V8's data: a second run starts from it (the run count goes up).
	const isProbeCache = (name: string) => name.endsWith('-probe.v8');
	t.is(await judgedRuns(cacheHome, isProbeCache), 1);
	t.is(run('probe', '127.0.0.1', '1').status, 0);
	t.is(
		await judgedRuns(cacheHome, isProbeCache),
		2,
		'the cache was accepted and judged once more',
	);
});

test('a command that runs until stopped starts from its cache too (its V8 flag is set before the compile)', async (t) => {
	await ensureBuilt();
	const cacheHome = await temporaryDirectory();
	// A long-running command writes its cache 1.5 s after start; it is ended well after that.
	const watchOnce = () =>
		runWithCaches(cacheHome, ['watch', '127.0.0.1', '1', '--json'], {
			timeout: 3000,
		});
	const isWatchCache = (name: string) => name.endsWith('-watch.v8');

	t.regex(watchOnce().stdout, /"type":"snapshot"/v);
	t.is(await judgedRuns(cacheHome, isWatchCache), 1);
	t.regex(watchOnce().stdout, /"type":"snapshot"/v);
	// Rejected, the cache would be written anew with a count of 1 again.
	t.is(await judgedRuns(cacheHome, isWatchCache), 2);
});

test('a part of the build (the dashboard) runs from a code cache of its own', async (t) => {
	await ensureBuilt();
	const cacheHome = await temporaryDirectory();
	// Not on a terminal, the dashboard prints one snapshot and ends.
	const snapshot = () =>
		runWithCaches(cacheHome, ['127.0.0.1', '1', '--interval', '1s'], {
			timeout: 10_000,
		});
	const isPartCache = (name: string) =>
		name.startsWith('dashboard-') && name.endsWith('-dashboard.v8');

	const first = snapshot();
	t.is(first.status, 0);
	t.regex(first.stdout, /^1\/tcp\s+closed/mv);
	t.is(await judgedRuns(cacheHome, isPartCache), 1);
	t.is(snapshot().status, 0);
	t.is(
		await judgedRuns(cacheHome, isPartCache),
		2,
		'the cache of the part was accepted and judged once more',
	);
});
