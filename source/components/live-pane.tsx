import {memo, useEffect, useMemo, useState} from 'react';
import type {CatalogueEntry} from '../catalogue/types.js';
import type {LiveRow} from '../state/live-state.js';
import type {LocalOwner} from '../state/local-target.js';
import {holderLabel} from '../text/owner.js';
import {
	formatAge,
	formatClock,
	formatRtt,
	stateColor,
	stateLabel,
} from './format.js';
import type {PaneFrame} from './pane.js';
import {expectedMark, selectionStyle} from './row-marks.js';
import {TablePane} from './table-pane.js';
import {TableRow, type CellStyle, type TableColumn} from './table-row.js';

type LiveLayout = {
	readonly columns: readonly TableColumn[];
	readonly hasRtt: boolean;
	readonly hasSince: boolean;
	readonly hasSeconds: boolean;
};

/** State first, then what answered; how long the state has lasted and the rtt when there is room. */
export function liveColumns(innerWidth: number): LiveLayout {
	let rest = innerWidth - 10 - 8;
	const hasSince = rest >= 8;
	rest -= hasSince ? 8 : 0;
	const hasRtt = rest >= 7;
	rest -= hasRtt ? 7 : 0;
	const hasSeconds = hasSince && rest >= 3;
	rest -= hasSeconds ? 3 : 0;
	const columns: TableColumn[] = [{width: 8}];
	if (hasRtt) {
		columns.push({width: 5, align: 'right'});
	}

	if (hasSince) {
		columns.push({width: hasSeconds ? 9 : 6});
	}

	columns.push({width: 6 + Math.max(0, rest)});
	return {columns, hasRtt, hasSince, hasSeconds};
}

/**
 * What holds the port on this machine (`✓ sshd`, `✗ nginx` where sshd was expected), or else
 * what answered (`SSH-2.0-OpenSSH_9.6`), or why nothing could be sent.
 */
export function whoOf(
	row: LiveRow | undefined,
	owner: LocalOwner | undefined,
	isAscii: boolean,
): string {
	if (owner?.socket.process) {
		const mark = expectedMark(owner.isExpected, isAscii);
		// Unit or container first (what people restart), then the process.
		const [holder] = owner.socket.owners ?? [];
		const name = holder ? holderLabel(holder) : owner.socket.process;
		return mark ? `${mark} ${name}` : name;
	}

	if (owner?.socket.ownerHidden) {
		return '(hidden)';
	}

	return (
		row?.mismatch ??
		row?.answered ??
		(row?.state === 'unreachable' ? row.reason : '')
	);
}

/**
 * The since cell: how long a state the watch saw begin has lasted (`12s`, `4m`), ticking; a state
 * that was already so when the watch first looked reads `>=` the time of that look (`≥21:35`),
 * since how long it lasted before is not known.
 */
export function sinceCell(
	row: LiveRow,
	now: number,
	layout: Pick<LiveLayout, 'hasSeconds'>,
	isAscii: boolean,
): {readonly text: string; readonly nextChangeInMs?: number} {
	if (!row.isSinceObserved) {
		return {
			text: `${isAscii ? '>' : '≥'}${formatClock(row.since, layout.hasSeconds)}`,
		};
	}

	return formatAge(now - row.since, !layout.hasSeconds);
}

/** The state cell: `open`, and where the target has both families, which of them answer (`open 4`). */
export const stateCell = (row: LiveRow) =>
	row.families === ''
		? stateLabel(row.state)
		: `${stateLabel(row.state)} ${row.families}`;

/** Now, re-read whenever one of `rows`' ages changes its text: one timer for the pane, none while no age shows. */
function useAgeClock(
	rows: readonly LiveRow[],
	layout: LiveLayout,
	isAscii: boolean,
): number {
	const [now, setNow] = useState(() => Date.now());
	useEffect(() => {
		if (!layout.hasSince) {
			return;
		}

		let next = Infinity;
		const current = Date.now();
		for (const row of rows) {
			const wait = sinceCell(row, current, layout, isAscii).nextChangeInMs;
			if (wait !== undefined) {
				next = Math.min(next, wait);
			}
		}

		if (next === Infinity) {
			return;
		}

		const timer = setTimeout(() => {
			setNow(Date.now());
		}, next + 5);
		return () => {
			clearTimeout(timer);
		};
	}, [rows, layout, isAscii, now]);
	return now;
}

type LiveLineProps = {
	readonly row: LiveRow | undefined;
	readonly since: string;
	readonly who: string;
	readonly layout: LiveLayout;
	readonly isSelected: boolean;
	readonly isFocused: boolean;
	readonly isHighlighted: boolean;
	readonly isColor: boolean;
};

function LiveLineView({
	row,
	since,
	who,
	layout,
	isSelected,
	isFocused,
	isHighlighted,
	isColor,
}: LiveLineProps) {
	const cells = useMemo(() => {
		// No row: the running watch has not observed this port yet. Pending, never an older value.
		const values = [row ? stateCell(row) : '…'];
		if (layout.hasRtt) {
			values.push(formatRtt(row?.rttMs));
		}

		if (layout.hasSince) {
			values.push(since);
		}

		values.push(who);
		return values;
	}, [row, since, who, layout]);
	// A change shows for a moment on the state itself, in reverse: the eye goes there, and it
	// costs a few bytes where a highlighted row would repaint the whole line twice.
	const cellStyles = useMemo<CellStyle[]>(
		() => [
			{
				color: isColor && row ? stateColor(row.state) : undefined,
				isDim: !row,
				isBold: isHighlighted,
				isInverse: isHighlighted,
			},
		],
		[row, isColor, isHighlighted],
	);
	return (
		<TableRow
			columns={layout.columns}
			cells={cells}
			cellStyles={cellStyles}
			rowStyle={selectionStyle(isSelected, isFocused)}
		/>
	);
}

const LiveLine = memo(LiveLineView);

export type LivePaneProps = PaneFrame & {
	/** The entries in view, lined up with the catalogue's rows. */
	readonly entries: readonly CatalogueEntry[];
	/** By entry id; a range's ports merged into one row. */
	readonly rows: ReadonlyMap<string, LiveRow>;
	/** Who holds each entry's port on this machine, by entry id (empty for another host). */
	readonly owners: ReadonlyMap<string, LocalOwner>;
	/** The ids of the entries that changed a moment ago. */
	readonly highlighted: ReadonlySet<string>;
	readonly selectedId: string | undefined;
};

/** The live probe of the ports in view: state, rtt, since when, and who answered. */
function LivePaneView({
	entries,
	rows,
	owners,
	highlighted,
	selectedId,
	...pane
}: LivePaneProps) {
	const layout = useMemo(() => liveColumns(pane.width - 2), [pane.width]);
	const shownRows = useMemo(
		() =>
			entries
				.map((entry) => rows.get(entry.id))
				.filter((row): row is LiveRow => row !== undefined),
		[entries, rows],
	);
	const now = useAgeClock(shownRows, layout, pane.isAscii);
	const heading = useMemo(
		() => [
			'state',
			...(layout.hasRtt ? ['rtt'] : []),
			...(layout.hasSince ? ['since'] : []),
			'who',
		],
		[layout],
	);
	return (
		<TablePane
			{...pane}
			columns={layout.columns}
			heading={heading}
			rows={entries.map((entry) => {
				const row = rows.get(entry.id);
				return (
					<LiveLine
						key={entry.id}
						row={row}
						since={row ? sinceCell(row, now, layout, pane.isAscii).text : ''}
						who={whoOf(row, owners.get(entry.id), pane.isAscii)}
						layout={layout}
						isSelected={entry.id === selectedId}
						isFocused={pane.isFocused}
						isHighlighted={highlighted.has(entry.id)}
						isColor={pane.isColor}
					/>
				);
			})}
		/>
	);
}

export const LivePane = memo(LivePaneView);
