import {sweep, type SweepOptions} from './sweep.js';
import {createTransitionTracker} from './transitions.js';
import type {Snapshot, Transition} from './types.js';

export type WatchOptions = SweepOptions & {
	/** Pause between the end of one sweep and the start of the next, in ms. */
	readonly intervalMs: number;
	readonly onSnapshot?: (snapshot: Snapshot) => void;
	/** Each change of a pair's state, after the snapshot it came with; the first snapshot gives `from: undefined`. */
	readonly onTransition?: (transition: Transition) => void;
	/** A sweep that failed for another reason than stopping. Without it the first failure ends the loop and rejects `done`. */
	readonly onError?: (error: Error) => void;
};

export type Watcher = {
	/** Settles once stopped and nothing is in flight (every socket closed). */
	readonly done: Promise<void>;
	/** Abort the sweep in flight and schedule no other; results that arrive later are dropped. */
	stop(): void;
};

/**
 * Sweep on an interval with a `setTimeout` chain: the next sweep is scheduled only after the
 * current one settles, so two never overlap. Each sweep has its own AbortController, aborted
 * by `stop()` (or by `signal`). What answers on a TCP port is found out once, when the port
 * turns open (the caller's `identify` can narrow it further): in the first sweep, so the first
 * snapshot is whole; later, in a second pass after the sweep's snapshot and transitions are
 * out, since a silent service would otherwise hold the news that it is open for the whole
 * identification budget. A second snapshot then carries what answered; later ones carry it over.
 */
export function watch(options: WatchOptions): Watcher {
	const {intervalMs, signal: outerSignal} = options;
	if (!(intervalMs >= 0 && Number.isFinite(intervalMs))) {
		throw new TypeError(`Expected an interval in ms, got ${intervalMs}`);
	}

	const tracker = createTransitionTracker();
	let isStopped = false;
	let isRunning = false;
	let hasSnapshot = false;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let controller: AbortController | undefined;
	let resolveDone: () => void = () => undefined;
	let rejectDone: (error: Error) => void = () => undefined;
	const done = new Promise<void>((resolve, reject) => {
		resolveDone = resolve;
		rejectDone = reject;
	});

	const stop = () => {
		if (isStopped) {
			return;
		}

		isStopped = true;
		clearTimeout(timer);
		outerSignal?.removeEventListener('abort', stop);
		controller?.abort();
		if (!isRunning) {
			resolveDone();
		}
	};

	const run = async () => {
		timer = undefined;
		isRunning = true;
		controller = new AbortController();
		try {
			const sweepOptions = {...options, signal: controller.signal};
			// The first snapshot is a whole picture, identified in the same pass; after it, a
			// port that turns open is news to deliver first.
			const isFirst = !hasSnapshot;
			const snapshot = await sweep({
				...sweepOptions,
				identify: (pair) =>
					isFirst &&
					pair.protocol === 'tcp' &&
					(options.identify?.(pair) ?? true),
			});
			hasSnapshot = true;
			if (!isStopped) {
				const update = tracker.update(snapshot);
				options.onSnapshot?.(update.snapshot);
				for (const transition of update.transitions) {
					options.onTransition?.(transition);
				}

				const opened = update.transitions
					.filter(({to, protocol}) => to === 'open' && protocol === 'tcp')
					.map(({port, protocol}) => ({port, protocol}))
					.filter((pair) => options.identify?.(pair) ?? true);
				if (!isFirst && opened.length > 0) {
					const identification = await sweep({
						...sweepOptions,
						pairs: opened,
						identify: () => true,
					});
					if (!isStopped) {
						options.onSnapshot?.(
							tracker.identified(update.snapshot, identification.results),
						);
					}
				}
			}
		} catch (error: unknown) {
			if (!isStopped) {
				const failure =
					error instanceof Error ? error : new Error(String(error));
				if (options.onError) {
					options.onError(failure);
				} else {
					stop();
					rejectDone(failure);
				}
			}
		} finally {
			isRunning = false;
		}

		if (isStopped) {
			resolveDone();
			return;
		}

		timer = setTimeout(() => {
			void run();
		}, intervalMs);
	};

	if (outerSignal?.aborted) {
		stop();
	} else {
		outerSignal?.addEventListener('abort', stop, {once: true});
		void run();
	}

	return {stop, done};
}
