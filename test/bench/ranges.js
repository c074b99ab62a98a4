/*
Key latency with many ranges in view (issue 12, item 11): the dashboard with 256 range entries of
256 ports each, at 200x124 (about 100 catalogue rows in view), on the real probe service watching
127.0.0.1, against the same dashboard with the curated catalogue only (the baseline, same run).
256 ranges in view asked for 65,536 ports a sweep and a copy of the rows map per transition:
`j` took 119 s. The watch is now capped at 1024 ports a view and a batch of transitions is
applied in one copy.

Run from the repository root (the TypeScript source is loaded through tsx):

	node --import tsx test/bench/ranges.js [--presses 40] [--quick]

Per press: `j` written to the app's stdin, then the time until a frame arrives whose selected
row is the next one (the frame that shows the move). The first sweeps run meanwhile (every
250 ms), as they would for a person scrolling. Every wait is bounded. Traffic: 127.0.0.1 only,
ports 1024-62479 (closed: a connect is refused at once, then the socket table says so).

Goal: p95 at most 100 ms with the ranges in view; the baseline is for reference.
*/
import process from 'node:process';
import {isQuick, option, percentile, report, sleep} from './lib/common.js';

// As bin/portui.js does before React loads: the development build is several times slower.
process.env.NODE_ENV ??= 'production';
const {default: React} = await import('react');
const {render} = await import('ink-testing-library');

/* eslint-disable n/file-extension-in-import -- tsx loads the TypeScript source */
const {App} = await import('../../source/app.tsx');
const {buildCatalogue, toEntry} =
	await import('../../source/catalogue/load.ts');
const {defaultProbeService} =
	await import('../../source/hooks/default-probe-service.ts');
/* eslint-enable n/file-extension-in-import */

process.setSourceMapsEnabled(false);

const presses = Math.max(5, option('presses', isQuick ? 15 : 40));
const columns = 200;
const rows = 124;
/** A frame slower than this is a failure, not a slow sample. */
const limitMs = 30_000;

const {default: curatedFile} = await import('../../catalogue/curated.json', {
	with: {type: 'json'},
});
const curated = curatedFile.entries;

/** The curated entries, or (`ranges` > 0) that many ranges of 256 ports and nothing else, all in view. */
function catalogueWith(ranges) {
	const raw =
		ranges === 0
			? curated
			: Array.from({length: ranges}, (_, index) => ({
					port: 1024 + index * 240,
					endPort: 1024 + index * 240 + 255,
					protocol: 'tcp',
					service: `range${index}`,
					longName: 'a range of 256 ports',
				}));
	return buildCatalogue([
		{entries: raw.map((entry) => toEntry(entry, 'curated')), raw},
	]);
}

const selectedLine = (frame) =>
	frame.split('\n').find((line) => /^[┃│\|] >/v.test(line)) ?? '';

async function nextFrame(instance, predicate) {
	const started = performance.now();
	while (performance.now() - started < limitMs) {
		if (predicate(instance.lastFrame() ?? '')) {
			return;
		}

		// eslint-disable-next-line no-await-in-loop -- polling the frame, bounded by limitMs
		await sleep(1);
	}

	throw new Error(
		`no frame showed the key in time; last frame:\n${instance.lastFrame()}`,
	);
}

async function scene(name, catalogue) {
	const instance = render(
		React.createElement(App, {
			catalogue,
			initialHost: '127.0.0.1',
			initialIntervalMs: 250,
			isAscii: false,
			isColor: false,
			probe: defaultProbeService,
			onExit() {
				// The bench unmounts the app itself.
			},
		}),
	);
	try {
		Object.defineProperty(instance.stdout, 'columns', {value: columns});
		Object.defineProperty(instance.stdout, 'rows', {value: rows});
		instance.stdout.emit('resize');
		await nextFrame(instance, (frame) => frame.includes('portui'));
		// The key handlers subscribe in effects after the first frame.
		await sleep(300);
		const latencies = [];
		for (let press = 0; press < presses; press++) {
			const before = selectedLine(instance.lastFrame() ?? '');
			const started = performance.now();
			instance.stdin.write('j');
			// eslint-disable-next-line no-await-in-loop -- one key at a time, as a person types
			await nextFrame(instance, (frame) => selectedLine(frame) !== before);
			latencies.push(performance.now() - started);
			// eslint-disable-next-line no-await-in-loop
			await sleep(50);
		}

		return {name, latencies};
	} finally {
		instance.unmount();
	}
}

const baseline = await scene('curated only', catalogueWith(0));
const ranges = await scene('256 ranges x 256 ports', catalogueWith(256));
const p95 = (latencies) => percentile(latencies, 95);
report('ranges', `key latency at ${columns}x${rows}, ${presses} presses of j`, [
	{
		name: 'key latency p95, 256 ranges of 256 ports in view',
		portui: p95(ranges.latencies),
		anchorName: 'the curated catalogue, same run',
		anchor: p95(baseline.latencies),
		goal: '<= 100 ms',
		ok: p95(ranges.latencies) <= 100,
	},
	{
		name: 'key latency p50, 256 ranges in view',
		portui: percentile(ranges.latencies, 50),
		anchorName: 'the curated catalogue, same run',
		anchor: percentile(baseline.latencies, 50),
		goal: 'reference',
	},
]);
// The probe service's socket scanner keeps a timer; the bench is done.
// eslint-disable-next-line unicorn/no-process-exit
process.exit(0);
