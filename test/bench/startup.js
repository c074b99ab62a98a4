// Start-up to the first full frame in a pseudo-terminal at 80x24, read through xterm.js: portui
// as shipped (bundle + V8 code cache), the same bundle without the cache, a minimal Ink app
// bundled and started the same way, and the same minimal app unbundled, against `node -e 0`
// started in the same pty the same number of times, interleaved so load on the machine hits
// every variant alike. Medians; goal: portui at most 3x `node -e 0`.
// Run: node --import tsx test/bench/startup.js   (BENCH_RUNS=15 by default)
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {cpus, tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {bundle} from '../../scripts/build.js';
import {bundleAsPackage} from './lib/common.js';

// TypeScript through tsx (see Run above); a static import would lose its extension to the linter.
const {PtySession} = await import(
	new URL('../helpers/pty.ts', import.meta.url).href
);

const root = fileURLToPath(new URL('../..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const median = (values) =>
	values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

/** Header on the first row, a pane's bottom border and the footer's keys: the whole first frame. */
const isDashboardDrawn = (session) =>
	/^portui {2}/v.test(session.lines[0] ?? '') &&
	session.lines.some((line) => /^[┗└+]/v.test(line)) &&
	session.lines.some((line) => line.includes('move'));

/**
 * Milliseconds from spawn to `isDone` on the screen (or to exit when there is none). `isWarmUp`:
 * stay 2.5 s, for bin/portui.js writes its code cache 1.5 s after start, then quit with q.
 */
async function timeOnce(variant, isWarmUp = false) {
	const started = performance.now();
	const session = new PtySession(variant.command[0], variant.command.slice(1), {
		columns: 80,
		rows: 24,
		cwd: variant.cwd ?? root,
		env: variant.env,
	});
	try {
		await (variant.isDone
			? session.waitFor(variant.isDone, {
					timeoutMs: 30_000,
					description: `${variant.name}: first frame`,
				})
			: session.waitForExit({timeoutMs: 30_000}));

		const elapsed = performance.now() - started;
		if (isWarmUp && variant.isDone) {
			await new Promise((resolve) => {
				setTimeout(resolve, 2500);
			});
			session.write('q');
			await session.waitForExit({timeoutMs: 10_000}).catch(() => undefined);
		}

		return elapsed;
	} finally {
		await session.dispose();
	}
}

/** A directory shaped like the package (bin/portui.js, dist/cli.js) holding the minimal Ink app. */
async function minimalInkPackage(scratch) {
	const directory = path.join(scratch, 'minimal');
	await bundleAsPackage(
		directory,
		path.join(root, 'test', 'bench', 'minimal-ink.tsx'),
	);
	await writeFile(path.join(directory, 'package.json'), '{"type": "module"}');
	// Unbundled: Node resolves and compiles Ink, React and their dependencies module by module.
	const unbundled = path.join(
		root,
		'node_modules',
		'.portui-bench-minimal-ink.mjs',
	);
	await writeFile(
		unbundled,
		"import React from 'react';\nimport {render, Text} from 'ink';\nrender(React.createElement(Text, null, 'minimal ink app'));\n",
	);
	return {bin: path.join(directory, 'bin', 'portui.js'), unbundled};
}

const scratch = await mkdtemp(path.join(tmpdir(), 'portui-bench-startup-'));
try {
	await bundle();
	const minimal = await minimalInkPackage(scratch);
	const cacheHome = (name) => path.join(scratch, `cache-${name}`);
	const inkDrawn = (session) => session.screen.includes('minimal ink app');
	const portuiArguments = [path.join(root, 'bin', 'portui.js'), '127.0.0.1'];
	const variants = [
		{name: 'node -e 0', command: [process.execPath, '-e', '0']},
		{
			name: 'minimal Ink app, bundled + code cache',
			command: [process.execPath, minimal.bin],
			env: {XDG_CACHE_HOME: cacheHome('minimal')},
			isDone: inkDrawn,
		},
		{
			name: 'minimal Ink app, unbundled',
			command: [process.execPath, minimal.unbundled],
			isDone: inkDrawn,
		},
		{
			name: 'portui dashboard, as shipped (bundle + code cache)',
			command: [process.execPath, ...portuiArguments],
			env: {XDG_CACHE_HOME: cacheHome('portui')},
			isDone: isDashboardDrawn,
		},
		{
			name: 'portui dashboard, bundle without code cache',
			command: [process.execPath, ...portuiArguments],
			env: {PORTUI_NO_CODE_CACHE: '1'},
			isDone: isDashboardDrawn,
		},
	];

	// The first start writes the code caches; it is not measured.
	for (const variant of variants) {
		// eslint-disable-next-line no-await-in-loop -- one process at a time is the method
		await timeOnce(variant, true);
	}

	const samples = new Map(variants.map((variant) => [variant.name, []]));
	for (let run = 0; run < runs; run++) {
		for (const variant of variants) {
			// eslint-disable-next-line no-await-in-loop -- one process at a time is the method
			samples.get(variant.name).push(await timeOnce(variant));
		}
	}

	const anchor = median(samples.get('node -e 0'));
	console.log(
		`startup: time to the first full frame in a pty at 80x24, medians of ${runs} interleaved runs; Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`,
	);
	for (const variant of variants.slice(1)) {
		const portui = median(samples.get(variant.name));
		const ratio = portui / anchor;
		const isShipped = variant.name.includes('as shipped');
		console.log(
			`${variant.name.padEnd(52)} ${portui.toFixed(1).padStart(7)} ms   node -e 0 ${anchor.toFixed(1)} ms   ratio ${ratio.toFixed(2)}`,
		);
		console.log(
			JSON.stringify({
				bench: 'startup',
				name: variant.name,
				unit: 'ms',
				portui: Number(portui.toFixed(1)),
				anchor: Number(anchor.toFixed(1)),
				anchorName: 'node -e 0',
				ratio: Number(ratio.toFixed(2)),
				goal: isShipped ? '<= 3x node -e 0' : 'reference',
				ok: isShipped ? ratio <= 3 : true,
			}),
		);
	}
} finally {
	await rm(scratch, {recursive: true, force: true});
	await rm(path.join(root, 'node_modules', '.portui-bench-minimal-ink.mjs'), {
		force: true,
	});
}
