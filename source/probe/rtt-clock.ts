import {nowMs} from './clock.js';

/*
A round-trip time that is the path's, not the process's (issue 10 item 4). A probe's RTT read as
"callback time minus call time" counts everything the event loop did in between: the other
sockets of the sweep (256 callbacks in one turn), start-up, a render. Three corrections:

- the start is stamped when the connect() call is really made (Node defers it to a later tick),
  and the end is the time the event loop came back from waiting on the sockets: every socket
  event handled in one turn of the loop gets that turn's first timestamp, so the hundredth
  callback of a turn is not a hundred callbacks late;
- a sample whose flight overlapped a stall of the event loop (a timer that ran more than
  `stallMs` late, measured only while probes are in flight) is dropped: the event may have
  waited in the kernel for the stall to end;
- what is shown is the smallest clean sample of the recent ones for that port (like ping's min),
  and nothing when there is none.
*/

let turnAt: number | undefined;

/** The time the current turn of the event loop started handling socket events. */
export function socketEventTime(): number {
	if (turnAt === undefined) {
		turnAt = nowMs();
		setImmediate(() => {
			turnAt = undefined;
		});
	}

	return turnAt;
}

/** A timer this much late means the loop was busy: samples across it are not trusted. */
export const stallMs = 5;
const tickMs = 10;
const stalls: Array<{readonly from: number; readonly to: number}> = [];
let watchers = 0;
let ticker: NodeJS.Timeout | undefined;
let expected = 0;

function tick() {
	const now = nowMs();
	const late = now - expected;
	if (late > stallMs) {
		stalls.push({from: now - late, to: now});
		if (stalls.length > 64) {
			stalls.shift();
		}
	}

	expected = now + tickMs;
}

/** Starts watching the loop for stalls while a probe is in flight; call the returned function when it ends. */
export function watchStalls(): () => void {
	watchers++;
	if (!ticker) {
		expected = nowMs() + tickMs;
		ticker = setInterval(tick, tickMs);
		ticker.unref();
	}

	let isDone = false;
	return () => {
		if (isDone) {
			return;
		}

		isDone = true;
		watchers--;
		if (watchers === 0 && ticker) {
			clearInterval(ticker);
			ticker = undefined;
		}
	};
}

/** Whether the loop stalled between `from` and `to` (nowMs() times), as far as it was watched. */
export function isPolluted(from: number, to: number): boolean {
	// The watcher's own tick may not have run yet for a stall that is just ending: measure it now.
	if (ticker && nowMs() - expected > stallMs) {
		tick();
	}

	// A stall's end is when the watcher's timer ran, a little after the loop was free again: an
	// overlap under a millisecond is that slack (and within what the RTT may be off by anyway).
	return stalls.some(
		(stall) => Math.min(stall.to, to) - Math.max(stall.from, from) > 1,
	);
}

/** How long a clean sample is kept to stand in for a polluted one, and the samples kept per port. */
const recentMs = 60_000;
const recentCount = 5;
const recent = new Map<string, Array<{at: number; rttMs: number}>>();

/**
 * The RTT to show for `key` (address, protocol, port): the least of the recent clean samples,
 * this one included when it is clean; undefined when there is none.
 */
export function bestRtt(
	key: string,
	sample: number | undefined,
	now: number = nowMs(),
): number | undefined {
	// In place: this runs for every probe of every sweep, a thousand times for ports 1-1000.
	let samples = recent.get(key);
	if (samples) {
		let kept = 0;
		for (const entry of samples) {
			if (now - entry.at < recentMs) {
				samples[kept++] = entry;
			}
		}

		samples.length = kept;
	}

	if (sample !== undefined) {
		if (!samples) {
			if (recent.size > 4096) {
				recent.clear();
			}

			samples = [];
			recent.set(key, samples);
		}

		samples.push({at: now, rttMs: sample});
		if (samples.length > recentCount) {
			samples.shift();
		}
	}

	if (!samples || samples.length === 0) {
		recent.delete(key);
		return undefined;
	}

	let best = Infinity;
	for (const entry of samples) {
		best = Math.min(best, entry.rttMs);
	}

	return best;
}
