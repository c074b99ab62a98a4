import type {
	AddressProbe,
	PortPair,
	PortState,
	ProbeResult,
	Snapshot,
	SocketHolder,
	Transition,
} from './types.js';

/*
The one place that decides what a change is. The dashboard, `watch` and `wait` all see changes
through this tracker, so two views of one outage never disagree. The rules:

- A state is known only from an observation by this watch. A pair the watch stops observing is
  forgotten; when it is observed again, that is a first sight (`from: undefined`), never a change
  from what was known before the gap.
- A change is the difference between two consecutive observations of one pair, stamped with the
  observation that saw it (`at`) and the one before it (`previousAt`): it happened in between.
- Downtime is reported only when the watch saw the port open, then not open, then open again.
- open <-> open|filtered is a lost or late UDP reply as often as a real change: it counts only once
  a second consecutive observation agrees.
- One address family stopping or starting to answer while the port's state stays the same (IPv6
  down, IPv4 still open) is a change of its own, naming the address.
- Where results carry the holder of the socket (this machine), a return to open after an outage
  names the holder before and after it, and a new holder's pid on a port that stayed open is a
  change of its own (`isOwnerChange`): a reload that kept the socket.
*/

/** What the tracker remembers of one pair between observations. */
export type PairHistory = {
	readonly state: PortState;
	/** Epoch ms of the first observation of `state`. */
	readonly since: number;
	/** Whether the observation before `since` read another state: the watch saw it begin. */
	readonly isSinceObserved: boolean;
	/** With `isSinceObserved`: that observation before, so the state began after it. */
	readonly changedAfter?: number;
	/** Epoch ms of the last observation. */
	readonly lastAt: number;
	/** Epoch ms of the first observation that found it no longer open, while it stays not open. */
	readonly leftOpenAt?: number;
	/** Each address's state at the last observation. */
	readonly addresses: ReadonlyMap<string, PortState>;
	/** What answered in this open period. */
	readonly answered?: string;
	readonly mismatch?: string;
	/** Whether identification was tried in this open period (once per period is enough). */
	readonly isIdentified: boolean;
	/** The holder at the last observation that read it open, in this open period. */
	readonly owner?: SocketHolder;
	/** While not open: the holder when it was last seen open, for the return's before/after. */
	readonly ownerWhenLeft?: SocketHolder;
	/** A noisy change seen once, waiting for the next observation to agree. */
	readonly unconfirmed?: {
		readonly state: PortState;
		readonly at: number;
		readonly previousAt: number;
	};
};

export type TrackerState = ReadonlyMap<string, PairHistory>;

export const pairKey = (pair: PortPair) => `${pair.port}/${pair.protocol}`;

/** A change between open and open|filtered: a lost reply as often as a real change. */
export const isNoisyChange = (from: PortState, to: PortState) =>
	from !== to &&
	(from === 'open' || from === 'open|filtered') &&
	(to === 'open' || to === 'open|filtered');

const addressStates = (result: ProbeResult) =>
	new Map(result.addresses.map((probe) => [probe.address, probe.state]));

function describeResult(raw: ProbeResult, history: PairHistory): ProbeResult {
	const result: {-readonly [K in keyof ProbeResult]: ProbeResult[K]} = {
		...raw,
		since: history.since,
		isSinceObserved: history.isSinceObserved,
	};
	if (history.changedAfter !== undefined) {
		result.changedAfter = history.changedAfter;
	}

	if (history.unconfirmed) {
		result.state = history.state;
		result.unconfirmed = history.unconfirmed.state;
	}

	// Identification is done once per open period; later observations carry what it found.
	if (history.state === 'open' && raw.answered === undefined) {
		if (history.answered !== undefined) {
			result.answered = history.answered;
		}

		if (history.mismatch !== undefined) {
			result.mismatch = history.mismatch;
		}
	}

	return result;
}

/** A transition of `result`'s pair, with `result` as its result. */
const transitionOf = (
	result: ProbeResult,
	change: Omit<Transition, 'host' | 'port' | 'protocol' | 'result'>,
): Transition => ({
	host: result.host,
	port: result.port,
	protocol: result.protocol,
	...change,
	result,
});

/** The family transitions of a pair whose state did not change: an address that began or stopped answering. */
function familyChanges(before: PairHistory, result: ProbeResult): Transition[] {
	const changes: Transition[] = [];
	for (const probe of result.addresses) {
		const previous = before.addresses.get(probe.address);
		if (
			previous === undefined ||
			previous === probe.state ||
			(previous === 'open') === (probe.state === 'open') ||
			isNoisyChange(previous, probe.state)
		) {
			continue;
		}

		changes.push(
			transitionOf(result, {
				from: previous,
				to: probe.state,
				at: result.at,
				previousAt: before.lastAt,
				address: probe.address,
				family: probe.family,
			}),
		);
	}

	return changes;
}

type Observed = {
	readonly history: PairHistory;
	readonly transitions: readonly Transition[];
};

function firstSight(result: ProbeResult): Observed {
	const history: PairHistory = {
		state: result.state,
		since: result.at,
		isSinceObserved: false,
		lastAt: result.at,
		addresses: addressStates(result),
		isIdentified: result.state === 'open' && result.answered !== undefined,
		...(result.state === 'open' &&
			result.owner !== undefined && {owner: result.owner}),
		...(result.state === 'open' &&
			result.answered !== undefined && {answered: result.answered}),
		...(result.state === 'open' &&
			result.mismatch !== undefined && {mismatch: result.mismatch}),
	};
	return {
		history,
		transitions: [
			transitionOf(describeResult(result, history), {
				from: undefined,
				to: result.state,
				at: result.at,
			}),
		],
	};
}

/** One observation of a pair the watch has seen before. */
function observe(before: PairHistory, result: ProbeResult): Observed {
	const {state: to, at} = result;
	const addresses = addressStates(result);
	if (isNoisyChange(before.state, to)) {
		const {unconfirmed} = before;
		if (unconfirmed?.state !== to) {
			// Seen once: held until the next observation agrees.
			const history: PairHistory = {
				...before,
				lastAt: at,
				addresses,
				unconfirmed: {state: to, at, previousAt: before.lastAt},
			};
			return {history, transitions: []};
		}

		// Confirmed: the change dates from the observation that first saw it.
		return change(before, result, unconfirmed.at, unconfirmed.previousAt);
	}

	if (to !== before.state) {
		return change(before, result, at, before.lastAt);
	}

	const history: PairHistory = {
		...before,
		lastAt: at,
		addresses,
		unconfirmed: undefined,
		...(to === 'open' && result.owner !== undefined && {owner: result.owner}),
		...(to === 'open' &&
			result.answered !== undefined && {
				answered: result.answered,
				mismatch: result.mismatch,
				isIdentified: true,
			}),
	};
	const described = describeResult(result, history);
	const transitions = familyChanges(before, described);
	if (
		to === 'open' &&
		before.owner !== undefined &&
		result.owner !== undefined &&
		before.owner.pid !== result.owner.pid
	) {
		transitions.push(
			transitionOf(described, {
				from: 'open',
				to: 'open',
				at,
				previousAt: before.lastAt,
				ownerBefore: before.owner,
				ownerAfter: result.owner,
				isOwnerChange: true,
			}),
		);
	}

	return {history, transitions};
}

function change(
	before: PairHistory,
	result: ProbeResult,
	at: number,
	previousAt: number,
): Observed {
	const to = result.state;
	const isOpen = to === 'open';
	const leftOpenAt = isOpen
		? undefined
		: before.state === 'open'
			? at
			: before.leftOpenAt;
	const ownerWhenLeft = isOpen
		? undefined
		: before.state === 'open'
			? before.owner
			: before.ownerWhenLeft;
	const history: PairHistory = {
		state: to,
		since: at,
		isSinceObserved: true,
		changedAfter: previousAt,
		lastAt: result.at,
		addresses: addressStates(result),
		isIdentified: isOpen && result.answered !== undefined,
		...(leftOpenAt !== undefined && {leftOpenAt}),
		...(ownerWhenLeft !== undefined && {ownerWhenLeft}),
		...(isOpen && result.owner !== undefined && {owner: result.owner}),
		...(isOpen && result.answered !== undefined && {answered: result.answered}),
		...(isOpen && result.mismatch !== undefined && {mismatch: result.mismatch}),
	};
	const downMs =
		isOpen && before.leftOpenAt !== undefined
			? at - before.leftOpenAt
			: undefined;
	return {
		history,
		transitions: [
			transitionOf(describeResult(result, history), {
				from: before.state,
				to,
				at,
				previousAt,
				...(downMs !== undefined && {downMs}),
				...ownersAround(before, result, downMs !== undefined),
			}),
		],
	};
}

/** The holders a change names: before and after an outage's end, or the one before the port left open. */
function ownersAround(
	before: PairHistory,
	result: ProbeResult,
	isReturn: boolean,
): Pick<Transition, 'ownerBefore' | 'ownerAfter'> {
	if (isReturn) {
		return {
			...(before.ownerWhenLeft !== undefined && {
				ownerBefore: before.ownerWhenLeft,
			}),
			...(result.owner !== undefined && {ownerAfter: result.owner}),
		};
	}

	return before.state === 'open' && before.owner !== undefined
		? {ownerBefore: before.owner}
		: {};
}

/**
 * Given what was known and a new snapshot (of every watched pair, or of some): the transitions,
 * the snapshot with each result's `since` set and what answered carried over within an open
 * period, and the new state. Pairs not in the snapshot keep their history. A pure function.
 */
export function diffResults(
	previous: TrackerState,
	snapshot: Snapshot,
): {
	readonly state: TrackerState;
	readonly snapshot: Snapshot;
	readonly transitions: readonly Transition[];
} {
	const state = new Map(previous);
	const transitions: Transition[] = [];
	const results = snapshot.results.map((raw) => {
		const key = pairKey(raw);
		const before = previous.get(key);
		const observed = before ? observe(before, raw) : firstSight(raw);
		state.set(key, observed.history);
		for (const transition of observed.transitions) {
			transitions.push(transition);
		}

		return describeResult(raw, observed.history);
	});

	return {state, snapshot: {...snapshot, results}, transitions};
}

/** Forget every pair not in `keys`: a pair the watch stops observing starts afresh when it returns. */
export function retainPairs(
	state: TrackerState,
	keys: ReadonlySet<string>,
): TrackerState {
	let next: Map<string, PairHistory> | undefined;
	for (const key of state.keys()) {
		if (!keys.has(key)) {
			next ??= new Map(state);
			next.delete(key);
		}
	}

	return next ?? state;
}

export type TransitionTracker = {
	/** Feed a snapshot; get it back with `since` and identification carried over, and its transitions. */
	update(snapshot: Snapshot): {
		readonly snapshot: Snapshot;
		readonly transitions: readonly Transition[];
	};
	/** Whether the pair still needs identifying: it is not open, or open and not yet identified in this open period. */
	shouldIdentify(pair: PortPair): boolean;
	/**
	 * Add what answered (found after the snapshot that saw the ports open) to the pairs that are
	 * still open, and get `snapshot` back with it.
	 */
	identified(snapshot: Snapshot, results: readonly ProbeResult[]): Snapshot;
	/** Forget the pairs not in `pairs`. */
	retain(pairs: readonly PortPair[]): void;
	history(pair: PortPair): PairHistory | undefined;
};

export function createTransitionTracker(): TransitionTracker {
	let state: TrackerState = new Map();
	return {
		update(snapshot) {
			const next = diffResults(state, snapshot);
			state = next.state;
			return {snapshot: next.snapshot, transitions: next.transitions};
		},
		shouldIdentify(pair) {
			const history = state.get(pairKey(pair));
			return history?.state !== 'open' || !history.isIdentified;
		},
		identified(snapshot, results) {
			const next = new Map(state);
			const found = new Map<string, ProbeResult>();
			for (const result of results) {
				const key = pairKey(result);
				const before = next.get(key);
				if (before?.state === 'open') {
					// Tried: a silent service is not asked again every sweep of this open period.
					next.set(key, {
						...before,
						isIdentified: true,
						...(result.state === 'open' &&
							result.answered !== undefined && {
								answered: result.answered,
								mismatch: result.mismatch,
							}),
					});
					found.set(key, result);
				}
			}

			state = next;
			return {
				...snapshot,
				results: snapshot.results.map((result) => {
					const history = state.get(pairKey(result));
					return found.has(pairKey(result)) && history
						? describeResult({...result, answered: undefined}, history)
						: result;
				}),
			};
		},
		retain(pairs) {
			state = retainPairs(state, new Set(pairs.map((pair) => pairKey(pair))));
		},
		history: (pair) => state.get(pairKey(pair)),
	};
}

/** The addresses of a result that answer open but `except`, for a family transition's `(127.0.0.1 still open)`. */
export const openAddresses = (
	addresses: readonly AddressProbe[],
	except?: string,
) =>
	addresses
		.filter((probe) => probe.state === 'open' && probe.address !== except)
		.map((probe) => probe.address);
