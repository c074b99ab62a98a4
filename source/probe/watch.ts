import {readSocketTables} from './listeners.js';
import {isLocalTarget, listenerKey, withOwner} from './local.js';
import type {ProcNetSocket} from './proc-net.js';
import {mergeProbes, sweep, type SweepOptions} from './sweep.js';
import {resolveTarget} from './targets.js';
import {createTransitionTracker, pairKey} from './transitions.js';
import type {
	LocalSocket,
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
	/**
	 * Deliver each pair as soon as it is answered (`onSnapshot` with the pairs answered since the
	 * last call), and sweep TCP and UDP on schedules of their own: a UDP sweep of a remote host
	 * goes at the pace its ICMP rate limit allows, and must not hold TCP's news. Without it, one
	 * snapshot a sweep of every pair.
	 */
	readonly isStreaming?: boolean;
	/**
	 * This machine's sockets with their holders (`listLocalSockets`), read once a sweep when the
	 * target is this machine: results then carry their `owner`, and transitions name the holder
	 * before and after an outage, or a holder that changed while the port stayed open.
	 */
	readonly readOwners?: (
		signal: AbortSignal,
	) => Promise<readonly LocalSocket[] | undefined>;
	/** How long a whole sweep of a lane took from start to start (`tcp`, `udp`, or `all` without streaming). */
	readonly onCadence?: (lane: Lane, ms: number) => void;
};

export type Lane = 'tcp' | 'udp' | 'all';

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
	/** The same sockets with their holders, when the watch reads owners. */
	owners?: readonly LocalSocket[];
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
	let keys = new Set(options.pairs.map((pair) => pairKey(pair)));
	let isStopped = false;
	let resolveDone: () => void = () => undefined;
	let rejectDone: (error: Error) => void = () => undefined;
	const done = new Promise<void>((resolve, reject) => {
		resolveDone = resolve;
		rejectDone = reject;
	});

	const now = options.now ?? Date.now;
	const wantsIdentify = (pair: PortPair) =>
		pair.protocol === 'tcp' && (options.identify?.(pair) ?? true);

	const readLocal = (
		target: ResolvedTarget & {readonly isResolved: true},
	): LocalView | undefined => {
		if (options.readSocketTables === false || !isLocalTarget(target)) {
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

	/** Through the tracker and out: the snapshot as shown, and its transitions. */
	const deliver = (
		snapshot: Snapshot,
		identifiedInPass: readonly ProbeResult[],
		owners?: readonly LocalSocket[],
	): Snapshot => {
		const results = snapshot.results
			.filter((result) => keys.has(pairKey(result)))
			.map((result) => (owners ? withOwner(result, owners) : result));
		const update = tracker.update({...snapshot, results});
		const shown =
			identifiedInPass.length > 0
				? tracker.identified(update.snapshot, identifiedInPass)
				: update.snapshot;
		options.onSnapshot?.(shown);
		for (const transition of update.transitions) {
			options.onTransition?.(transition);
		}

		return shown;
	};

	/** Without streaming: one snapshot of the whole sweep, in the order the pairs were given. */
	const whole = (
		swept: readonly PortPair[],
		sweepResult: {
			readonly startedAt: number;
			readonly target: ResolvedTarget;
			readonly results: readonly ProbeResult[];
			readonly local: LocalView | undefined;
			readonly firstSights: ReadonlySet<string>;
		},
	): readonly ProbeResult[] => {
		const {local, firstSights} = sweepResult;
		const byKey = new Map(
			sweepResult.results.map((result) => [pairKey(result), result]),
		);
		const results = swept
			.map((pair) => byKey.get(pairKey(pair)))
			.filter((result) => result !== undefined);
		if (local) {
			remember(results, local);
		}

		return deliver(
			{
				host: options.host,
				target: sweepResult.target,
				startedAt: sweepResult.startedAt,
				finishedAt: now(),
				results,
			},
			results.filter(
				(result) => firstSights.has(pairKey(result)) && result.state === 'open',
			),
			local?.owners,
		).results;
	};

	/**
	 * One sweep of `swept`: the pairs the socket tables settle, and a probe of the rest, through
	 * the tracker (as they are answered, when streaming). Gives every result as shown.
	 */
	const observe = async (
		swept: readonly PortPair[],
		signal: AbortSignal,
	): Promise<readonly ProbeResult[]> => {
		const startedAt = now();
		// Resolved once a sweep, for the socket tables and the probes alike.
		const target = await resolveTarget(options.host, {signal});
		if (!target.isResolved) {
			// An unresolvable host has no results: the snapshot says so.
			deliver(
				{host: options.host, target, startedAt, finishedAt: now(), results: []},
				[],
			);
			return [];
		}

		const local = readLocal(target);
		if (local && options.readOwners) {
			// Owners that cannot be read leave results without one: never a guess.
			local.owners = await options.readOwners(signal).catch(() => undefined);
			if (signal.aborted) {
				return [];
			}
		}

		const shown: ProbeResult[] = [];
		const settled: ProbeResult[] = [];
		const toProbe: PortPair[] = [];
		for (const pair of swept) {
			const result = local && fromTables(pair, local);
			if (result) {
				settled.push(result);
			} else {
				toProbe.push(pair);
			}
		}

		const firstSights = new Set(
			toProbe
				.filter((pair) => !tracker.history(pair) && wantsIdentify(pair))
				.map((pair) => pairKey(pair)),
		);
		let pending: ProbeResult[] = [];
		let flushTimer: ReturnType<typeof setImmediate> | undefined;
		const flush = () => {
			flushTimer = undefined;
			if (pending.length === 0 || isStopped || signal.aborted) {
				return;
			}

			const results = pending;
			pending = [];
			if (local) {
				remember(results, local);
			}

			const snapshot = deliver(
				{
					host: options.host,
					target,
					startedAt,
					finishedAt: now(),
					results,
				},
				results.filter(
					(result) =>
						firstSights.has(pairKey(result)) && result.state === 'open',
				),
				local?.owners,
			);
			shown.push(...snapshot.results);
		};

		// Streaming: what the tables settled goes out now, each probed pair as it is answered.
		if (options.isStreaming && settled.length > 0) {
			pending = settled;
			flush();
		}

		const probed =
			toProbe.length > 0
				? await sweep({
						...options,
						target,
						pairs: toProbe,
						signal,
						identify: (pair) => firstSights.has(pairKey(pair)),
						...(options.isStreaming && {
							onResult(result: ProbeResult) {
								pending.push(result);
								flushTimer ??= setImmediate(flush);
							},
						}),
					})
				: undefined;
		clearImmediate(flushTimer);
		if (!options.isStreaming) {
			return whole(swept, {
				startedAt,
				target,
				results: [...settled, ...(probed?.results ?? [])],
				local,
				firstSights,
			});
		}

		flush();
		return shown;
	};

	/** What answers on the pairs that turned open (news first: this comes after). */
	const identifyOpened = async (
		shown: readonly ProbeResult[],
		signal: AbortSignal,
	) => {
		const opened = shown
			.filter(
				(result) =>
					result.state === 'open' &&
					wantsIdentify(result) &&
					tracker.shouldIdentify(result),
			)
			.map(({port, protocol}) => ({port, protocol}));
		if (opened.length === 0) {
			return;
		}

		const identification = await sweep({
			...options,
			pairs: opened,
			signal,
			identify: () => true,
		});
		if (!isStopped) {
			options.onSnapshot?.(
				tracker.identified(
					{
						...identification,
						results: shown.filter((result) =>
							opened.some((pair) => pairKey(pair) === pairKey(result)),
						),
					},
					identification.results,
				),
			);
		}
	};

	const fail = (error: unknown) => {
		const failure = error instanceof Error ? error : new Error(String(error));
		if (options.onError) {
			options.onError(failure);
		} else {
			stop();
			rejectDone(failure);
		}
	};

	/** A setTimeout chain over some of the pairs: one for all, or one per protocol when streaming. */
	const createLane = (lane: Lane) => {
		const ofLane = (pairs: readonly PortPair[]) =>
			lane === 'all' ? pairs : pairs.filter((pair) => pair.protocol === lane);
		let pairs = ofLane(options.pairs);
		let added: PortPair[] = [];
		let isRunning = false;
		let timer: ReturnType<typeof setTimeout> | undefined;
		let controller: AbortController | undefined;
		let lastFullStart: number | undefined;
		let resolveLane: () => void = () => undefined;
		const laneDone = new Promise<void>((resolve) => {
			resolveLane = resolve;
		});

		const run = async (swept: readonly PortPair[]) => {
			timer = undefined;
			isRunning = true;
			controller = new AbortController();
			const {signal} = controller;
			const startedAt = now();
			const isFull = swept === pairs;
			try {
				const shown = await observe(swept, signal);
				if (!isStopped) {
					await identifyOpened(shown, signal);
				}

				if (isFull && !isStopped) {
					if (lastFullStart !== undefined) {
						options.onCadence?.(lane, startedAt - lastFullStart);
					}

					lastFullStart = startedAt;
				}
			} catch (error: unknown) {
				if (!isStopped) {
					fail(error);
				}
			} finally {
				isRunning = false;
			}

			if (isStopped) {
				resolveLane();
				return;
			}

			// Pairs added while this sweep ran are swept at once; then the whole set on the interval.
			const catchUp = added.filter((pair) => keys.has(pairKey(pair)));
			added = [];
			schedule(
				catchUp.length > 0 ? catchUp : pairs,
				catchUp.length > 0 ? 0 : intervalMs,
			);
		};

		const schedule = (swept: readonly PortPair[], delayMs: number) => {
			timer = setTimeout(() => {
				// The interval's sweep is of the set as it is then.
				void run(swept === pairs || delayMs > 0 ? pairs : swept);
			}, delayMs);
		};

		return {
			laneDone,
			start() {
				void run(pairs);
			},
			setPairs(next: readonly PortPair[]) {
				const mine = ofLane(next);
				const fresh = mine.filter(
					(pair) => !pairs.some((known) => pairKey(known) === pairKey(pair)),
				);
				pairs = mine;
				// A cadence is measured between two whole sweeps of one set: a new set starts afresh
				// (the gap a search or a catch-up sweep made is no sweep's duration).
				lastFullStart = undefined;
				if (isStopped || fresh.length === 0) {
					return;
				}

				if (isRunning) {
					added.push(...fresh);
				} else {
					clearTimeout(timer);
					void run(fresh);
				}
			},
			stop() {
				clearTimeout(timer);
				controller?.abort();
				if (!isRunning) {
					resolveLane();
				}
			},
		};
	};

	const lanes = (
		options.isStreaming ? (['tcp', 'udp'] as const) : (['all'] as const)
	).map((lane) => createLane(lane));

	function stop() {
		if (isStopped) {
			return;
		}

		isStopped = true;
		outerSignal?.removeEventListener('abort', stop);
		for (const lane of lanes) {
			lane.stop();
		}
	}

	void Promise.all(lanes.map(async (lane) => lane.laneDone)).then(() => {
		resolveDone();
	});

	const setPairs = (next: readonly PortPair[]) => {
		keys = new Set(next.map((pair) => pairKey(pair)));
		tracker.retain(next);
		for (const lane of lanes) {
			lane.setPairs(next);
		}
	};

	if (outerSignal?.aborted) {
		stop();
	} else {
		outerSignal?.addEventListener('abort', stop, {once: true});
		for (const lane of lanes) {
			lane.start();
		}
	}

	return {stop, done, setPairs};
}
