import {readSocketTables} from './listeners.js';
import {isLocalTarget, listenerKey} from './local.js';
import type {ProcNetSocket} from './proc-net.js';
import {mergeProbes, sweep, type SweepOptions} from './sweep.js';
import {resolveTarget} from './targets.js';
import {createTransitionTracker, pairKey} from './transitions.js';
import type {
	PortPair,
	ProbeResult,
	ResolvedTarget,
	Snapshot,
	Transition,
} from './types.js';

export type WatchOptions = SweepOptions & {
	/** Pause between the end of one sweep and the start of the next, in ms. */
	readonly intervalMs: number;
	readonly onSnapshot?: (snapshot: Snapshot) => void;
	/**
	 * Each change of a pair's state, after the snapshot it came with (see transitions.ts); a
	 * pair's first observation gives `from: undefined`.
	 */
	readonly onTransition?: (transition: Transition) => void;
	/** A sweep that failed for another reason than stopping. Without it the first failure ends the loop and rejects `done`. */
	readonly onError?: (error: Error) => void;
	/**
	 * This machine's socket tables, read when the target is this machine. Default: /proc/net.
	 * `false`: connect to every port on every sweep.
	 */
	readonly readSocketTables?: false | (() => readonly ProcNetSocket[] | string);
};

export type Watcher = {
	/** Settles once stopped and nothing is in flight (every socket closed). */
	readonly done: Promise<void>;
	/** Abort the sweep in flight and schedule no other; results that arrive later are dropped. */
	stop(): void;
	/**
	 * Watch these pairs from now on. Pairs that stay keep their history; pairs that leave are
	 * forgotten (when they return, their first observation is a first sight, not a change); new
	 * pairs are swept at once, without waiting for the interval.
	 */
	setPairs(pairs: readonly PortPair[]): void;
};

type LocalView = {
	readonly target: ResolvedTarget & {readonly isResolved: true};
	readonly sockets: readonly ProcNetSocket[];
};

/**
 * Sweep on an interval with a `setTimeout` chain: the next sweep is scheduled only after the
 * current one settles, so two never overlap. Each sweep has its own AbortController, aborted
 * by `stop()` (or by `signal`). Every observation goes through one transition tracker, which
 * decides what a change is.
 *
 * What answers on a TCP port is found out once per open period: in the same pass for a pair
 * seen for the first time (so the first snapshot is whole), in a second pass for a port that
 * turns open later (news first: a silent service would hold it for the whole identification
 * budget). A second snapshot then carries what answered.
 *
 * Connections are costly to the watched: many daemons log every connection that closes without
 * a word (sshd's `kex_exchange_identification`), so a watch of this machine learns from its
 * socket tables whether a port it saw open is still held by the same listening socket, or one
 * it saw refused still has none, and connects only when the tables say something changed (to
 * confirm it) or to identify a port that turned open.
 */
export function watch(options: WatchOptions): Watcher {
	const {intervalMs, signal: outerSignal} = options;
	if (!(intervalMs >= 0 && Number.isFinite(intervalMs))) {
		throw new TypeError(`Expected an interval in ms, got ${intervalMs}`);
	}

	const tracker = createTransitionTracker();
	/** Per `22/tcp 127.0.0.1`: the listener inodes when a connect last found it open. */
	const listeners = new Map<string, string>();
	let {pairs} = options;
	let keys = new Set(pairs.map((pair) => pairKey(pair)));
	let added: PortPair[] = [];
	let isStopped = false;
	let isRunning = false;
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

	const now = options.now ?? Date.now;
	const wantsIdentify = (pair: PortPair) =>
		pair.protocol === 'tcp' && (options.identify?.(pair) ?? true);

	const readLocal = async (
		signal: AbortSignal,
	): Promise<LocalView | undefined> => {
		if (options.readSocketTables === false) {
			return undefined;
		}

		const target = await resolveTarget(options.host, {signal});
		if (!target.isResolved || !isLocalTarget(target)) {
			return undefined;
		}

		const sockets = (options.readSocketTables ?? readSocketTables)();
		return typeof sockets === 'string' ? undefined : {target, sockets};
	};

	/** A pair the socket tables settle without a connect, or undefined. */
	const fromTables = (
		pair: PortPair,
		local: LocalView,
	): ProbeResult | undefined => {
		const history = tracker.history(pair);
		if (
			pair.protocol !== 'tcp' ||
			!history ||
			history.unconfirmed !== undefined ||
			(history.state === 'open' && !history.isIdentified)
		) {
			return undefined;
		}

		const outcomes = [];
		for (const {address, family} of local.target.addresses) {
			const was = history.addresses.get(address);
			const held = listenerKey(local.sockets, pair.port, {address, family});
			if (
				was === 'open' &&
				held !== '' &&
				held === listeners.get(`${pairKey(pair)} ${address}`)
			) {
				outcomes.push({
					probe: {address, family, state: 'open', reason: 'listening'},
				} as const);
			} else if (was === 'closed' && held === '') {
				outcomes.push({
					probe: {address, family, state: 'closed', reason: 'no listener'},
				} as const);
			} else {
				return undefined;
			}
		}

		return mergeProbes(options.host, pair, outcomes, now());
	};

	const remember = (results: readonly ProbeResult[], local: LocalView) => {
		for (const result of results) {
			for (const {address, family, state} of result.addresses) {
				const key = `${pairKey(result)} ${address}`;
				if (state === 'open') {
					listeners.set(
						key,
						listenerKey(local.sockets, result.port, {address, family}),
					);
				} else {
					listeners.delete(key);
				}
			}
		}
	};

	const observe = async (
		swept: readonly PortPair[],
		signal: AbortSignal,
	): Promise<{
		snapshot: Snapshot;
		identifiedInPass: ProbeResult[];
	}> => {
		const startedAt = now();
		const local = await readLocal(signal);
		const settled = new Map<string, ProbeResult>();
		const toProbe: PortPair[] = [];
		for (const pair of swept) {
			const result = local && fromTables(pair, local);
			if (result) {
				settled.set(pairKey(pair), result);
			} else {
				toProbe.push(pair);
			}
		}

		const firstSights = new Set(
			toProbe
				.filter((pair) => !tracker.history(pair) && wantsIdentify(pair))
				.map((pair) => pairKey(pair)),
		);
		const probed =
			toProbe.length > 0 || !local
				? await sweep({
						...options,
						pairs: toProbe,
						signal,
						identify: (pair) => firstSights.has(pairKey(pair)),
					})
				: undefined;
		if (local && probed) {
			remember(probed.results, local);
		}

		for (const result of probed?.results ?? []) {
			settled.set(pairKey(result), result);
		}

		const results = swept
			.map((pair) => settled.get(pairKey(pair)))
			.filter(
				(result): result is ProbeResult =>
					result !== undefined && keys.has(pairKey(result)),
			);
		return {
			snapshot: {
				host: options.host,
				target: probed?.target ?? local!.target,
				startedAt,
				finishedAt: now(),
				results,
			},
			identifiedInPass: results.filter(
				(result) => firstSights.has(pairKey(result)) && result.state === 'open',
			),
		};
	};

	const run = async (swept: readonly PortPair[]) => {
		timer = undefined;
		isRunning = true;
		controller = new AbortController();
		const {signal} = controller;
		try {
			const {snapshot, identifiedInPass} = await observe(swept, signal);
			if (!isStopped) {
				const update = tracker.update(snapshot);
				const shown =
					identifiedInPass.length > 0
						? tracker.identified(update.snapshot, identifiedInPass)
						: update.snapshot;
				options.onSnapshot?.(shown);
				for (const transition of update.transitions) {
					options.onTransition?.(transition);
				}

				const opened = shown.results
					.filter(
						(result) =>
							result.state === 'open' &&
							wantsIdentify(result) &&
							tracker.shouldIdentify(result),
					)
					.map(({port, protocol}) => ({port, protocol}));
				if (opened.length > 0) {
					const identification = await sweep({
						...options,
						pairs: opened,
						signal,
						identify: () => true,
					});
					if (!isStopped) {
						options.onSnapshot?.(
							tracker.identified(shown, identification.results),
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

		// Pairs added while this sweep ran are swept at once; then the whole set on the interval.
		const catchUp = added.filter((pair) => keys.has(pairKey(pair)));
		added = [];
		timer = setTimeout(
			() => {
				void run(catchUp.length > 0 ? catchUp : pairs);
			},
			catchUp.length > 0 ? 0 : intervalMs,
		);
	};

	const setPairs = (next: readonly PortPair[]) => {
		const nextKeys = new Set(next.map((pair) => pairKey(pair)));
		const fresh = next.filter((pair) => !keys.has(pairKey(pair)));
		pairs = next;
		keys = nextKeys;
		tracker.retain(next);
		if (isStopped || fresh.length === 0) {
			return;
		}

		if (isRunning) {
			added.push(...fresh);
		} else {
			clearTimeout(timer);
			void run(fresh);
		}
	};

	if (outerSignal?.aborted) {
		stop();
	} else {
		outerSignal?.addEventListener('abort', stop, {once: true});
		void run(pairs);
	}

	return {stop, done, setPairs};
}
