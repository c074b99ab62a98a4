import type {CatalogueEntry} from '../catalogue/types.js';
import {stateOrder} from '../probe/sweep.js';
import {liveKey, type LiveRow} from './live-state.js';

type Span = Pick<CatalogueEntry, 'port' | 'endPort' | 'protocol'>;

/**
 * A range is watched on at most this many of its ports, from its first: X11's 6000-6063 and
 * FlexLM's 27000-27009 fit; a user catalogue's 1-65535 would be a port scan every sweep.
 */
export const maxRangePorts = 256;

/** The ports watched for an entry: its port, or every port of its range (up to `maxRangePorts`). */
export function entryPorts(entry: Span): number[] {
	const last = Math.min(entry.endPort, entry.port + maxRangePorts - 1);
	const ports: number[] = [];
	for (let {port} = entry; port <= last; port++) {
		ports.push(port);
	}

	return ports;
}

/** `6000, 6010, 6012 +2`: the first few ports, and how many more. */
function portList(ports: readonly number[]): string {
	const shown = ports.slice(0, 3).join(', ');
	return ports.length > 3 ? `${shown} +${ports.length - 3}` : shown;
}

const rank = (row: LiveRow) => stateOrder.indexOf(row.state);

/**
 * One row for a whole range, the way the sweep merges addresses: the best state of any port
 * (one X server listening makes X11 reachable), which ports are open, and how many ports are in
 * each state.
 */
function rangeRow(
	entry: Span,
	rows: ReadonlyMap<string, LiveRow>,
): LiveRow | undefined {
	const found: Array<{readonly port: number; readonly row: LiveRow}> = [];
	for (const port of entryPorts(entry)) {
		const row = rows.get(liveKey(port, entry.protocol));
		if (row) {
			found.push({port, row});
		}
	}

	let best: (typeof found)[number] | undefined;
	for (const item of found) {
		if (!best || rank(item.row) < rank(best.row)) {
			best = item;
		}
	}

	if (!best) {
		return undefined;
	}

	// Best state first, as the sweep ranks them.
	const counts = stateOrder
		.map((state) => ({
			state,
			count: found.filter(({row}) => row.state === state).length,
		}))
		.filter(({count}) => count > 0);

	const open = found.filter(({row}) => row.state === 'open');
	const answer = best.row.answered ? `: ${best.row.answered}` : '';
	// The latest change of any of its ports: when the range last read differently.
	let latest = best.row;
	for (const {row} of found) {
		if (row.since > latest.since) {
			latest = row;
		}
	}

	return {
		state: best.row.state,
		reason: counts.map(({state, count}) => `${count} ${state}`).join(', '),
		rttMs: best.row.rttMs,
		since: latest.since,
		isSinceObserved: latest.isSinceObserved,
		answered:
			open.length > 0
				? `${portList(open.map(({port}) => port))}${answer}`
				: best.row.answered,
		mismatch: best.row.mismatch && `${best.port}: ${best.row.mismatch}`,
		addresses: `${best.port}: ${best.row.addresses}`,
		openAddresses: best.row.openAddresses,
		families: best.row.families,
		...(best.row.perAddress && {perAddress: best.row.perAddress}),
	};
}

/**
 * The live rows of entries, by entry id: a single port's row as the probe gave it (the same
 * object while it reads the same, so memoised rows do not redraw), a range's rows merged into one.
 */
export function entryRows(
	entries: readonly CatalogueEntry[],
	rows: ReadonlyMap<string, LiveRow>,
): ReadonlyMap<string, LiveRow> {
	const byEntry = new Map<string, LiveRow>();
	for (const entry of entries) {
		const row =
			entry.endPort === entry.port
				? rows.get(liveKey(entry.port, entry.protocol))
				: rangeRow(entry, rows);
		if (row) {
			byEntry.set(entry.id, row);
		}
	}

	return byEntry;
}

/** Whether any port of the entry changed a moment ago. */
export const isEntryHighlighted = (
	entry: Span,
	highlights: ReadonlyMap<string, number>,
) =>
	entry.endPort === entry.port
		? highlights.has(liveKey(entry.port, entry.protocol))
		: entryPorts(entry).some((port) =>
				highlights.has(liveKey(port, entry.protocol)),
			);
