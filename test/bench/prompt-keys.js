/*
Key-to-screen latency of the dashboard's prompts: the search prompt typed at 10 ms a key (typing
over ssh, a paste split into reads), in a pseudo-terminal at 80x24 read through xterm.js, from the
write of each key to the first parsed screen whose prompt row shows the text up to that key.

	node --import tsx test/bench/prompt-keys.js [--runs 5] [--quick]

Anchor, in the same run and the same way: the least Ink app that echoes a key (test/bench/
echo-ink.tsx, one useInput and one state update a key). Both run side by side and are typed into
in turn, a run each, so that load on the machine falls on both alike. The dashboard watches 127.0.22.1 (nothing
listens there; loopback only) at its default interval while it is typed into. A key whose text
never shows is counted as lost (goal: none). Goal (issue 13): p95 at most 50 ms.
*/
import {fileURLToPath} from 'node:url';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {
	ensureBuilt,
	median,
	percentile,
	report,
	runCount,
} from './lib/common.js';

const {PtySession, spawnPortui} = await import(
	new URL('../helpers/pty.ts', import.meta.url).href
);

const query = process.env.BENCH_QUERY ?? 'postgresql';
const gapMs = 10;
const runs = runCount({fallback: 10, quickFallback: 3});
const echoApp = fileURLToPath(new URL('echo-ink.tsx', import.meta.url));

/** Types `/` and the query at 10 ms a key; the latency of every key of the query, and how many never showed. */
async function typeAndTime(session, promptRow) {
	const keys = ['/', ...query];
	const written = [];
	const shown = Array.from({length: keys.length}).fill(undefined);
	const check = () => {
		const row = promptRow(session);
		const now = performance.now();
		for (let index = 1; index < keys.length; index++) {
			if (
				shown[index] === undefined &&
				written[index] !== undefined &&
				row.startsWith(`/ ${query.slice(0, index)}`)
			) {
				shown[index] = now - written[index];
			}
		}

		return shown.slice(1).every((value) => value !== undefined);
	};

	const done = session
		.waitFor(check, {description: 'every key on the screen', timeoutMs: 10_000})
		.catch(() => undefined);
	for (const key of keys) {
		written.push(performance.now());
		session.write(key);
		// eslint-disable-next-line no-await-in-loop -- the pace of a typist is the point
		await delay(gapMs);
	}

	await done;
	const latencies = shown.slice(1).filter((value) => value !== undefined);
	return {latencies, lost: keys.length - 1 - latencies.length};
}

/**
 * Both apps open side by side, typed into in turn, a run each: load on the machine (2 shared
 * cores) falls on both alike, as the other benches interleave their anchor.
 */
async function measure(subjects) {
	const results = subjects.map(() => ({all: [], lost: 0}));
	const sessions = [];
	try {
		for (const subject of subjects) {
			sessions.push(subject.start());
		}

		for (const session of sessions) {
			// eslint-disable-next-line no-await-in-loop
			await session.waitFor((s) => s.screen.trim() !== '', {timeoutMs: 20_000});
			// eslint-disable-next-line no-await-in-loop
			await session.waitForQuiet(300);
		}

		for (let run = 0; run < runs; run++) {
			for (const [index, subject] of subjects.entries()) {
				const session = sessions[index];
				// eslint-disable-next-line no-await-in-loop
				const result = await typeAndTime(session, subject.promptRow);
				results[index].all.push(...result.latencies);
				results[index].lost += result.lost;
				// eslint-disable-next-line no-await-in-loop
				await subject.reset(session);
			}
		}
	} finally {
		await Promise.all(sessions.map(async (session) => session.dispose()));
	}

	return results;
}

const build = ensureBuilt();
if (build) {
	report('prompt-keys', 'prompt key-to-screen latency at 10 ms a key', [
		{name: 'prompt key-to-screen p95', skipped: build},
	]);
} else {
	await main();
}

async function main() {
	const [portui, echo] = await measure([
		{
			start: () => spawnPortui(['127.0.22.1'], {columns: 80, rows: 24}),
			promptRow: (session) => session.lines[1] ?? '',
			async reset(session) {
				// Esc leaves the search and clears it; wait for the idle hint.
				session.write('\u001B');
				await session.waitFor((s) =>
					(s.lines[1] ?? '').startsWith('/ to search'),
				);
			},
		},
		{
			start: () =>
				new PtySession(process.execPath, ['--import', 'tsx', echoApp], {
					columns: 80,
					rows: 24,
				}),
			promptRow: (session) =>
				session.lines.find((line) => line.startsWith('/')) ?? '',
			async reset(session) {
				session.write('\r');
				await session.waitFor((s) => s.lines.includes('/'));
			},
		},
	]);

	report(
		'prompt-keys',
		`prompt key-to-screen latency at ${gapMs} ms a key, ${runs} runs of ${query.length} keys`,
		[
			{
				name: 'prompt key-to-screen p95',
				portui: percentile(portui.all, 95),
				anchor: percentile(echo.all, 95),
				anchorName: 'minimal Ink echo',
				goal: '<= 50 ms',
				ok: percentile(portui.all, 95) <= 50,
				lost: portui.lost,
			},
			{
				name: 'prompt key-to-screen median',
				portui: median(portui.all),
				anchor: median(echo.all),
				anchorName: 'minimal Ink echo',
				goal: 'reference',
			},
			{
				name: 'prompt keys lost',
				unit: 'keys',
				portui: portui.lost,
				anchor: echo.lost,
				anchorName: 'minimal Ink echo',
				goal: '0',
				ok: portui.lost === 0,
			},
		],
	);
}
