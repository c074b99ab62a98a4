import type {
	PortPair,
	PortState,
	ProbeResult,
	Snapshot,
	Transition,
} from './types.js';

/** What the tracker remembers of one pair between snapshots. */
export type PairHistory = {
	readonly state: PortState;
	/** Epoch ms of the first answer that found it no longer open, while it stays not open. */
	readonly leftOpenAt?: number;
	/** What answered when it turned open, kept for the snapshots that do not identify again. */
	readonly answered?: string;
	readonly mismatch?: string;
};

export type TrackerState = ReadonlyMap<string, PairHistory>;

export const pairKey = (pair: PortPair) => `${pair.port}/${pair.protocol}`;

function carryIdentification(
	result: ProbeResult,
	previous: PairHistory | undefined,
): ProbeResult {
	if (
		result.state !== 'open' ||
		previous?.state !== 'open' ||
		result.answered !== undefined
	) {
		return result;
	}

	return {
		...result,
		...(previous.answered !== undefined && {answered: previous.answered}),
		...(previous.mismatch !== undefined && {mismatch: previous.mismatch}),
	};
}

/**
 * The one place transitions are decided. Given what was known and a new snapshot: the
 * transitions (every pair whose state changed, and on the first sight of a pair one with
 * `from: undefined`), the snapshot with `answered` carried over to ports that stayed open,
 * and the new state. A return to open carries `downMs`: from the first answer that found the
 * port not open to the answer that finds it open again. A pure function.
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
		const result = carryIdentification(raw, before);
		const from = before?.state;
		const to = result.state;
		const isOpen = to === 'open';
		const leftOpenAt = isOpen
			? undefined
			: from === 'open'
				? result.at
				: before?.leftOpenAt;
		state.set(key, {
			state: to,
			...(leftOpenAt !== undefined && {leftOpenAt}),
			...(isOpen &&
				result.answered !== undefined && {answered: result.answered}),
			...(isOpen &&
				result.mismatch !== undefined && {mismatch: result.mismatch}),
		});
		if (from !== to) {
			const downMs =
				isOpen && before?.leftOpenAt !== undefined
					? result.at - before.leftOpenAt
					: undefined;
			transitions.push({
				host: result.host,
				port: result.port,
				protocol: result.protocol,
				from,
				to,
				at: result.at,
				...(downMs !== undefined && {downMs}),
				result,
			});
		}

		return result;
	});

	return {state, snapshot: {...snapshot, results}, transitions};
}

export type TransitionTracker = {
	/** Feed a snapshot; get it back with identification carried over, and its transitions. */
	update(snapshot: Snapshot): {
		readonly snapshot: Snapshot;
		readonly transitions: readonly Transition[];
	};
	/** True unless the pair was open at the last snapshot: identify when a port turns open, once. */
	shouldIdentify(pair: PortPair): boolean;
	/**
	 * Add what answered (found after the snapshot that saw the ports open) to the pairs that are
	 * still open, and get `snapshot` back with it.
	 */
	identified(snapshot: Snapshot, results: readonly ProbeResult[]): Snapshot;
	stateOf(pair: PortPair): PortState | undefined;
};

export function createTransitionTracker(): TransitionTracker {
	let state: TrackerState = new Map();
	return {
		update(snapshot) {
			const next = diffResults(state, snapshot);
			state = next.state;
			return {snapshot: next.snapshot, transitions: next.transitions};
		},
		shouldIdentify: (pair) => state.get(pairKey(pair))?.state !== 'open',
		identified(snapshot, results) {
			const next = new Map(state);
			const found = new Map<string, ProbeResult>();
			for (const result of results) {
				const key = pairKey(result);
				const before = next.get(key);
				if (before?.state === 'open' && result.state === 'open') {
					found.set(key, result);
					next.set(key, {
						state: 'open',
						...(result.answered !== undefined && {answered: result.answered}),
						...(result.mismatch !== undefined && {mismatch: result.mismatch}),
					});
				}
			}

			state = next;
			return {
				...snapshot,
				results: snapshot.results.map((result) =>
					carryIdentification(result, found.get(pairKey(result))),
				),
			};
		},
		stateOf: (pair) => state.get(pairKey(pair))?.state,
	};
}
