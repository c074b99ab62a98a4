import type {CatalogueEntry, Verdict} from '../catalogue/types.js';
import {stateOrder} from '../probe/sweep.js';
import type {PortState} from '../probe/types.js';
import type {SortKey} from './dashboard-state.js';
import {liveKey, type LiveEvent, type LiveRow} from './live-state.js';

/** `o` keeps these: a port that answers, or a UDP port that stays silent (open|filtered). */
export const isOpenState = (state: PortState | undefined) =>
	state === 'open' || state === 'open|filtered';

/** Risk first: what most needs a look when it answers. */
const verdictOrder: ReadonlyArray<Verdict | undefined> = [
	'insecure',
	'obsolete',
	'caution',
	'secure',
	undefined,
];

export type ArrangeOptions = {
	readonly isOpenOnly: boolean;
	readonly sortBy: SortKey;
};

/**
 * The rows in the order `s` chose, only the open ones under `o`. Pending rows (not probed yet
 * by this watch) sort after every observed state; ties keep the catalogue's order (port).
 */
export function arrangeEntries(
	entries: readonly CatalogueEntry[],
	rows: ReadonlyMap<string, LiveRow>,
	{isOpenOnly, sortBy}: ArrangeOptions,
): readonly CatalogueEntry[] {
	if (!isOpenOnly && sortBy === 'port') {
		return entries;
	}

	const kept = isOpenOnly
		? entries.filter((entry) => isOpenState(rows.get(entry.id)?.state))
		: entries;
	if (sortBy === 'port') {
		return kept;
	}

	const rank = (entry: CatalogueEntry) => {
		if (sortBy === 'verdict') {
			return verdictOrder.indexOf(entry.verdict);
		}

		const state = rows.get(entry.id)?.state;
		return state === undefined ? stateOrder.length : stateOrder.indexOf(state);
	};

	return kept
		.map((entry, index) => ({entry, index, rank: rank(entry)}))
		.toSorted((a, b) => a.rank - b.rank || a.index - b.index)
		.map(({entry}) => entry);
}

export type StateCounts = {
	/** Watched ports this watch has an answer for: none, and the counts say nothing yet. */
	readonly observed: number;
	/** Watched ports that answer open (or open|filtered) now. */
	readonly open: number;
	/** Watched ports this watch saw open and then not open, that have not come back. */
	readonly down: number;
};

/** The header's `3 open · 1 down`, over the pairs watched now (`22/tcp` keys) of `host`. */
export function stateCounts(
	watchedKeys: readonly string[],
	rows: ReadonlyMap<string, LiveRow>,
	events: readonly LiveEvent[],
	host: string,
): StateCounts {
	const last = new Map<string, LiveEvent>();
	for (const event of events) {
		// A change of one family while the port still answers is not the port going down.
		if (event.kind === 'port' && event.host === host && !event.address) {
			last.set(liveKey(event.port, event.protocol), event);
		}
	}

	let open = 0;
	let down = 0;
	let observed = 0;
	for (const key of watchedKeys) {
		const state = rows.get(key)?.state;
		if (state !== undefined) {
			observed++;
		}

		if (isOpenState(state)) {
			open++;
		} else if (state !== undefined) {
			const event = last.get(key);
			if (event?.kind === 'port' && isOpenState(event.from)) {
				down++;
			}
		}
	}

	return {observed, open, down};
}
