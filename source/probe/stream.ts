import {sweep, type SweepOptions} from './sweep.js';
import type {ProbeResult, Snapshot} from './types.js';

/**
 * A sweep as an async iterator: each pair's result as soon as it is settled (an answer at once,
 * silence once its lane has judged it), then the snapshot as the iterator's return value. Leaving
 * the loop early (`break`, a throw) aborts the sweep and closes its sockets.
 *
 * TCP and UDP keep their own schedules by running as two sweeps of one host: give each its own
 * `pairs` (the TCP ones, the UDP ones) and its own interval; a UDP sweep of a rate-limiting host
 * takes as long as the host allows, and never holds up the TCP one.
 *
 *   for await (const result of sweepResults({host, pairs})) show(result);
 */
export async function* sweepResults(
	options: Omit<SweepOptions, 'onResult'>,
): AsyncGenerator<ProbeResult, Snapshot> {
	const controller = new AbortController();
	const onOuterAbort = () => {
		controller.abort(options.signal?.reason);
	};

	options.signal?.addEventListener('abort', onOuterAbort, {once: true});
	const queue: ProbeResult[] = [];
	let wake: (() => void) | undefined;
	let isDone = false;
	const nextEvent = async () =>
		new Promise<void>((resolve) => {
			wake = resolve;
		});
	const running = sweep({
		...options,
		signal: controller.signal,
		onResult(result) {
			queue.push(result);
			wake?.();
		},
	}).finally(() => {
		isDone = true;
		wake?.();
	});
	// Its failure is thrown where the loop reads it, not as an unhandled rejection meanwhile.
	running.catch(() => undefined);
	try {
		for (;;) {
			const next = queue.shift();
			if (next) {
				yield next;
				continue;
			}

			if (isDone) {
				// eslint-disable-next-line no-await-in-loop -- the loop ends here
				return await running;
			}

			// eslint-disable-next-line no-await-in-loop -- waiting for the next result is the point
			await nextEvent();
			wake = undefined;
		}
	} finally {
		options.signal?.removeEventListener('abort', onOuterAbort);
		if (!isDone) {
			controller.abort();
			await running.catch(() => undefined);
		}
	}
}
