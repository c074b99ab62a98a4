import {memo, useEffect, useMemo, useState} from 'react';
import {type CatalogueEntry, type Verdict} from '../catalogue/types.js';
import type {LiveRow} from '../state/live-state.js';
import type {LocalOwner} from '../state/local-target.js';
import {holderLabel} from '../text/owner.js';
import {formatAge, formatClock, formatRtt, stateLabel} from './format.js';
import type {PaneFrame} from './pane.js';
import {expectedMark, selectionStyle} from './row-marks.js';
import {TablePane} from './table-pane.js';
import {TableRow, type CellStyle, type TableColumn} from './table-row.js';
import {colorOf, stateRole, usePalette} from './theme-context.js';

type LiveLayout = {
	readonly columns: readonly TableColumn[];
	readonly hasRtt: boolean;
	readonly hasSince: boolean;
	readonly hasSeconds: boolean;
	/** Who and what answered share one column (a narrow pane): `✓ python3 HTTP SimpleHTTP/0.6`. */
	readonly isMerged: boolean;
	/** Room for the holder's command line, as htop's Command column. */
	readonly hasCommand: boolean;
};

/** `✓ ` and a 15-character process name (the kernel's comm is at most 15). */
const whoWidth = 17;

/**
 * State first, then who holds the port and what answered: they get the width. A narrow pane puts
 * them in one column after the state and since; a wider one gives who, rtt and what answered
 * columns of their own, and the holder's command line where there is room. Decided by the width
 * alone, never by the rows in view.
 */
export function liveColumns(innerWidth: number): LiveLayout {
	const state: TableColumn = {width: 8};
	if (innerWidth < 60) {
		const hasSince = innerWidth >= 10 + 8 + whoWidth + 2;
		return {
			columns: [
				state,
				...(hasSince ? [{width: 6}] : []),
				{width: Math.max(1, innerWidth - 10 - (hasSince ? 8 : 0) - 2)},
			],
			hasRtt: false,
			hasSince,
			hasSeconds: false,
			isMerged: true,
			hasCommand: false,
		};
	}

	const rest = innerWidth - 10 - 7 - 11 - (whoWidth + 2);
	const hasCommand = rest >= 50;
	const answered = hasCommand ? 24 : rest - 2;
	return {
		columns: [
			state,
			{width: 5, align: 'right'},
			{width: 9},
			{width: whoWidth},
			{width: answered},
			...(hasCommand ? [{width: rest - answered - 4}] : []),
		],
		hasRtt: true,
		hasSince: true,
		hasSeconds: true,
		isMerged: false,
		hasCommand,
	};
}

/**
 * Who holds the port: `✓ sshd`, `✗ nginx` where sshd was expected, `(hidden)`; on a host read over
 * SSH, with what that means beside what answers from here (`sshd: reachable from here`).
 */
export function ownerText(
	owner: LocalOwner | undefined,
	isAscii: boolean,
): string {
	const mark = expectedMark(owner?.isExpected, isAscii);
	// Unit or container first (what people restart), then the process.
	const [first] = owner?.socket?.owners ?? [];
	const name = first ? holderLabel(first) : owner?.socket?.process;
	const holder = name
		? mark
			? `${mark} ${name}`
			: name
		: owner?.socket?.ownerHidden
			? '(hidden)'
			: undefined;
	// A host read over SSH: who holds the port there, beside what answers from here.
	if (owner?.verdict) {
		return holder ? `${holder}: ${owner.verdict}` : owner.verdict;
	}

	return holder ?? '';
}

/** What answered (`SSH-2.0-OpenSSH_9.6`), what the catalogue did not expect, or why nothing could be sent. */
export const answeredText = (row: LiveRow | undefined) =>
	row?.mismatch ??
	row?.answered ??
	(row?.state === 'unreachable' ? row.reason : '');

/**
 * A command line as htop shows it without the program's path (`python3 -m http.server 8080`): in
 * a column the arguments tell services apart, `/root/.pyenv/versions/3.11.7/bin/` does not.
 */
export function shortCommand(cmdline: string | undefined): string {
	if (!cmdline) {
		return '';
	}

	const space = cmdline.indexOf(' ');
	const program = space === -1 ? cmdline : cmdline.slice(0, space);
	const slash = program.lastIndexOf('/');
	return slash === -1 ? cmdline : cmdline.slice(slash + 1);
}

/**
 * Who holds the port and what answered, in one: `✓ python3 HTTP SimpleHTTP/0.6`; on another host
 * only what answered.
 */
export function whoOf(
	row: LiveRow | undefined,
	owner: LocalOwner | undefined,
	isAscii: boolean,
): string {
	return [ownerText(owner, isAscii), answeredText(row)]
		.filter(Boolean)
		.join(' ');
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
	/** `✓ sshd`; '' on another host. */
	readonly owner: string;
	/** The holder is not a daemon the catalogue expects here: its mark stands out. */
	readonly isUnexpected: boolean;
	readonly answered: string;
	/** The holder's command line (sanitised), shown where the layout has room. */
	readonly command: string;
	/** The entry's verdict: open on an insecure or obsolete service is the alarm. */
	readonly verdict: Verdict | undefined;
	readonly layout: LiveLayout;
	readonly isSelected: boolean;
	readonly isFocused: boolean;
	readonly isHighlighted: boolean;
};

function LiveLineView({
	row,
	since,
	owner,
	isUnexpected,
	answered,
	command,
	verdict,
	layout,
	isSelected,
	isFocused,
	isHighlighted,
}: LiveLineProps) {
	const palette = usePalette();
	const cells = useMemo(() => {
		// No row: the running watch has not observed this port yet. Pending, never an older value.
		const values = [row ? stateCell(row) : '…'];
		if (layout.hasRtt) {
			values.push(formatRtt(row?.rttMs));
		}

		if (layout.hasSince) {
			values.push(since);
		}

		if (layout.isMerged) {
			values.push([owner, answered].filter(Boolean).join(' '));
		} else {
			values.push(owner, answered);
			if (layout.hasCommand) {
				values.push(command);
			}
		}

		return values;
	}, [row, since, owner, answered, command, layout]);
	// A change shows for a moment on the state itself, in reverse: the eye goes there, and it
	// costs a few bytes where a highlighted row would repaint the whole line twice.
	const cellStyles = useMemo<CellStyle[]>(() => {
		const role = row ? stateRole(row.state, verdict) : undefined;
		const styles: CellStyle[] = [
			{
				color: colorOf(palette, role),
				isDim: !row,
				isBold: isHighlighted || role === 'alarm',
				isInverse: isHighlighted,
			},
		];
		styles[
			layout.columns.length - (layout.hasCommand ? 3 : layout.isMerged ? 1 : 2)
		] = isUnexpected ? {color: colorOf(palette, 'alarm'), isBold: true} : {};
		return styles;
	}, [row, verdict, palette, isHighlighted, isUnexpected, layout]);
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

/** The live probe of the ports in view: state, rtt, since when, who holds the port and what answered. */
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
			...(layout.isMerged ? ['who / answered'] : ['who', 'answered']),
			...(layout.hasCommand ? ['command'] : []),
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
				const owner = owners.get(entry.id);
				return (
					<LiveLine
						key={entry.id}
						row={row}
						since={row ? sinceCell(row, now, layout, pane.isAscii).text : ''}
						owner={ownerText(owner, pane.isAscii)}
						isUnexpected={owner?.isExpected === false}
						answered={answeredText(row)}
						command={shortCommand(owner?.socket?.cmdline)}
						verdict={entry.verdict}
						layout={layout}
						isSelected={entry.id === selectedId}
						isFocused={pane.isFocused}
						isHighlighted={highlighted.has(entry.id)}
					/>
				);
			})}
		/>
	);
}

export const LivePane = memo(LivePaneView);
