import {memo, useMemo} from 'react';
import stringWidth from 'string-width';
import {portLabel, verdictColor} from '../catalogue/format.js';
import {matchedSpans} from '../catalogue/search.js';
import type {CatalogueEntry, Verdict} from '../catalogue/types.js';
import {liveKey} from '../state/live-state.js';
import type {PaneFrame} from './pane.js';
import {markCell, privilegedStyle, selectionStyle} from './row-marks.js';
import {TablePane} from './table-pane.js';
import {
	rowWidth,
	TableRow,
	type CellStyle,
	type TableColumn,
} from './table-row.js';

const shortVerdicts: Readonly<Record<Verdict, string>> = {
	secure: 'ok',
	caution: 'warn',
	insecure: 'bad',
	obsolete: 'old',
};

type CatalogueLayout = {
	readonly columns: readonly TableColumn[];
	readonly isShort: boolean;
	/** A wide pane has room for the daemons, after the verdict. */
	readonly hasDaemons: boolean;
};

/** A service name needs no more; past this a wide pane shows the daemons too. */
const serviceRoom = 16;

/** Mark, port, protocol, service, verdict (and daemons when wide): the service takes what the others leave. */
export function catalogueColumns(
	innerWidth: number,
	portWidth: number,
): CatalogueLayout {
	const fixed = (protocolWidth: number, verdictWidth: number) =>
		rowWidth([
			{width: 2},
			{width: portWidth},
			{width: protocolWidth},
			{width: verdictWidth},
		]) + 2;
	// Narrow panes give up the long verdict words first, then the long protocol heading.
	const isShort = innerWidth - fixed(5, 8) < 8;
	const verdictWidth = isShort ? 4 : 8;
	const protocolWidth = innerWidth - fixed(5, verdictWidth) < 8 ? 3 : 5;
	const serviceWidth = Math.max(
		1,
		innerWidth - fixed(protocolWidth, verdictWidth),
	);
	const hasDaemons = serviceWidth >= serviceRoom + 2 + 12;
	const columns: TableColumn[] = [
		{width: 2},
		{width: portWidth, align: 'right'},
		{width: protocolWidth},
		{width: hasDaemons ? serviceRoom : serviceWidth},
		{width: verdictWidth},
	];
	if (hasDaemons) {
		columns.push({width: serviceWidth - serviceRoom - 2});
	}

	return {isShort, hasDaemons, columns};
}

const headings = {
	long: ['', 'port', 'proto', 'service', 'verdict', 'daemons'],
	short: ['', 'port', 'pro', 'service', 'risk'],
};

type CatalogueRowProps = {
	readonly entry: CatalogueEntry;
	readonly layout: CatalogueLayout;
	readonly isSelected: boolean;
	readonly isFocused: boolean;
	readonly isPinned: boolean;
	readonly isColor: boolean;
	/** The search, whose matches in the port, service and daemons are marked. */
	readonly query: string;
};

function CatalogueRowView({
	entry,
	layout,
	isSelected,
	isFocused,
	isPinned,
	isColor,
	query,
}: CatalogueRowProps) {
	const cells = useMemo(
		() => [
			markCell(isSelected, isPinned),
			portLabel(entry),
			entry.protocol,
			entry.service,
			entry.verdict
				? layout.isShort
					? shortVerdicts[entry.verdict]
					: entry.verdict
				: '',
			layout.hasDaemons ? entry.daemons.join(', ') : '',
		],
		[entry, layout.isShort, layout.hasDaemons, isSelected, isPinned],
	);
	const cellStyles = useMemo<CellStyle[]>(
		() => [
			{},
			privilegedStyle(entry.isPrivileged, isColor),
			{},
			{},
			{
				color:
					isColor && entry.verdict ? verdictColor(entry.verdict) : undefined,
			},
		],
		[entry, isColor],
	);
	const marks = useMemo(
		() =>
			query.trim() === ''
				? undefined
				: [
						undefined,
						matchedSpans(cells[1]!, query, 'port'),
						undefined,
						matchedSpans(cells[3]!, query, 'name'),
						undefined,
						matchedSpans(cells[5]!, query, 'name'),
					],
		[cells, query],
	);
	return (
		<TableRow
			columns={layout.columns}
			cells={cells}
			cellStyles={cellStyles}
			marks={marks}
			rowStyle={selectionStyle(isSelected, isFocused)}
		/>
	);
}

const CatalogueRow = memo(CatalogueRowView);

export type CataloguePaneProps = PaneFrame & {
	/** The rows in view, in order. */
	readonly entries: readonly CatalogueEntry[];
	readonly selectedId: string | undefined;
	/** Pinned port/protocol keys (`22/tcp`). */
	readonly pinned: ReadonlySet<string>;
	/** Said in the pane when there are no rows. */
	readonly emptyText: string;
	/** The search: what it matched is marked in the rows. */
	readonly query?: string;
};

/** The catalogue as a compact table: only the rows in view are rendered. */
function CataloguePaneView({
	entries,
	selectedId,
	pinned,
	emptyText,
	query = '',
	...pane
}: CataloguePaneProps) {
	const portWidth = Math.min(
		11,
		Math.max(4, ...entries.map((entry) => stringWidth(portLabel(entry)))),
	);
	const layout = useMemo(
		() => catalogueColumns(pane.width - 2, portWidth),
		[pane.width, portWidth],
	);
	return (
		<TablePane
			{...pane}
			columns={layout.columns}
			heading={layout.isShort ? headings.short : headings.long}
			rows={entries.map((entry) => (
				<CatalogueRow
					key={entry.id}
					entry={entry}
					layout={layout}
					isSelected={entry.id === selectedId}
					isFocused={pane.isFocused}
					isPinned={pinned.has(liveKey(entry.port, entry.protocol))}
					isColor={pane.isColor}
					query={query}
				/>
			))}
			emptyText={emptyText}
		/>
	);
}

export const CataloguePane = memo(CataloguePaneView);
