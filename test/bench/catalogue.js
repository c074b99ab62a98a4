// How long the merged catalogue takes to load (IANA registry + /etc/services + curated + user),
// measured inside fresh processes so every run pays the cold cost, against `node -e 0` started
// the same number of times in the same run.
// Run: node --import tsx test/bench/catalogue.js   (or through `npm run bench`)
import {execFileSync} from 'node:child_process';
import process from 'node:process';
import {performance} from 'node:perf_hooks';

const runs = Number(process.env.BENCH_RUNS ?? 15);

if (process.argv[2] === '--child') {
	// Tsx loads the TypeScript source.
	// eslint-disable-next-line n/file-extension-in-import
	const {loadCatalogue} = await import('../../source/catalogue/load.ts');
	// eslint-disable-next-line n/file-extension-in-import
	const {searchCatalogue} = await import('../../source/catalogue/search.ts');
	const firstFrameStart = performance.now();
	// What the dashboard's first frame waits for: curated and user entries only.
	await loadCatalogue({
		userFile: false,
		registry: false,
		systemServices: false,
	});
	const firstFrame = performance.now() - firstFrameStart;
	const start = performance.now();
	const catalogue = await loadCatalogue({userFile: false});
	const loaded = performance.now();
	searchCatalogue(catalogue.entries, {query: 'ssh', scope: 'all'});
	const firstSearch = performance.now();
	searchCatalogue(catalogue.entries, {query: 'http', scope: 'all'});
	const warmSearch = performance.now();
	process.stdout.write(
		JSON.stringify({
			firstFrame,
			load: loaded - start,
			firstSearch: firstSearch - loaded,
			warmSearch: warmSearch - firstSearch,
			entries: catalogue.entries.length,
			heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
		}),
	);
	// The child's only job is this one line; its handles must not keep it alive.
	// eslint-disable-next-line unicorn/no-process-exit
	process.exit(0);
}

const median = (values) => {
	const sorted = values.toSorted((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
};

const samples = [];
const nodeStart = [];
for (let run = 0; run < runs; run++) {
	const output = execFileSync(
		process.execPath,
		['--import', 'tsx', new URL(import.meta.url).pathname, '--child'],
		{
			encoding: 'utf8',
		},
	);
	samples.push(JSON.parse(output));
	const start = performance.now();
	execFileSync(process.execPath, ['-e', '0']);
	nodeStart.push(performance.now() - start);
}

const load = median(samples.map((sample) => sample.load));
const anchor = median(nodeStart);
const rows = [
	{
		name: 'curated catalogue load (the first frame waits for this), cold',
		portui: median(samples.map((sample) => sample.firstFrame)),
		anchor,
		anchorName: 'node -e 0',
	},
	{
		name: `merged catalogue load (${samples[0].entries} entries), after it`,
		portui: load,
		anchor,
		anchorName: 'node -e 0',
	},
	{
		name: 'first search over all entries ("ssh")',
		portui: median(samples.map((sample) => sample.firstSearch)),
		anchor,
		anchorName: 'node -e 0',
	},
	{
		name: 'next search ("http")',
		portui: median(samples.map((sample) => sample.warmSearch)),
		anchor,
		anchorName: 'node -e 0',
	},
];
console.log(
	`catalogue: medians of ${runs} fresh processes; heap after load ${median(samples.map((sample) => sample.heapMiB)).toFixed(1)} MiB`,
);
for (const row of rows) {
	const ratio = row.portui / row.anchor;
	console.log(
		`${row.name.padEnd(52)} ${row.portui.toFixed(1).padStart(7)} ms   ${row.anchorName} ${row.anchor.toFixed(1)} ms   ratio ${ratio.toFixed(2)}`,
	);
	console.log(
		JSON.stringify({
			bench: 'catalogue',
			name: row.name,
			unit: 'ms',
			portui: Number(row.portui.toFixed(2)),
			anchor: Number(row.anchor.toFixed(2)),
			anchorName: row.anchorName,
			ratio: Number(ratio.toFixed(3)),
			goal: 'well under node -e 0 (not what makes start-up slow)',
			ok: ratio < 1,
		}),
	);
}
