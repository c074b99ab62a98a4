import {memo, useMemo} from 'react';
import {portLabel} from '../catalogue/format.js';
import {matchedSpans} from '../catalogue/search.js';
import type {CatalogueEntry, Verdict} from '../catalogue/types.js';
import {liveKey} from '../state/live-state.js';
import type {PaneFrame} from './pane.js';
import {markCell, privilegedStyle, selectionStyle} from './row-marks.js';
import {TablePane} from './table-pane.js';
import {
	colorOf,
	isRiskyVerdict,
	usePalette,
	verdictRole,
} from './theme-context.js';
import {
	rowWidth,
	TableRow,
	type CellStyle,
	type MarkSpan,
	type TableColumn,
} from './table-row.js';

const shortVerdicts: Readonly<Record<Verdict, string>> = {
	secure: 'sec',
	caution: 'warn',
	insecure: 'bad',
	obsolete: 'old',
};

type CatalogueLayout = {
	readonly columns: readonly TableColumn[];
	/** No verdict column: the service name takes the verdict's colour, the detail strip its word. */
	readonly hasVerdict: boolean;
	readonly isShort: boolean;
	/** Ranges as their first port and an ellipsis (`27000…`): the detail strip names the range. */
	readonly isPortShort: boolean;
	/** A wide pane has room for the daemons, after the verdict. */
	readonly hasDaemons: boolean;
};

/** A service name needs no more; past this a wide pane shows the daemons too. */
const serviceRoom = 16;

/** `>*`: selected and pinned, in the port's cell. */
const markWidth = 2;

/**
 * Mark and port, protocol, service, verdict (and daemons when wide), each width a function of the
 * pane's width alone: the rows in view never change them (scrolling onto 27000-27009 re-flowed
 * the table, and `secure` turned into `ok`). A narrow pane leaves the verdict to the colour of
 * the service name and to the detail strip, so the live pane beside it has the room.
 */
export function catalogueColumns(innerWidth: number): CatalogueLayout {
	const isPortShort = innerWidth < 44;
	const hasVerdict = !isPortShort;
	const isShort = innerWidth < 50;
	const portWidth = isPortShort ? 6 : 11;
	const protocolWidth = innerWidth < 60 ? 3 : 5;
	const fixed: TableColumn[] = [
		{width: markWidth + portWidth, align: 'right'},
		{width: protocolWidth},
	];
	const verdict: TableColumn[] = hasVerdict ? [{width: isShort ? 4 : 8}] : [];
	const serviceWidth = Math.max(
		1,
		innerWidth - rowWidth([...fixed, ...verdict]) - 2,
	);
	const hasDaemons = serviceWidth >= serviceRoom + 2 + 12;
	const columns: TableColumn[] = [
		...fixed,
		{width: hasDaemons ? serviceRoom : serviceWidth},
		...verdict,
	];
	if (hasDaemons) {
		columns.push({width: serviceWidth - serviceRoom - 2});
	}

	return {hasVerdict, isShort, isPortShort, hasDaemons, columns};
}

/**
 * The mark and the port in one cell (`>*   22`): a column of its own cost two cells of padding
 * that the live pane beside it needs at 80 columns.
 */
const portCell = (mark: string, port: string, width: number) =>
	mark + port.padStart(width - markWidth);

/** The port: a range cut to its first port where the column is short. */
const portText = (entry: CatalogueEntry, isPortShort: boolean) =>
	isPortShort && entry.endPort !== entry.port
		? `${entry.port}…`
		: portLabel(entry);

const headingsOf = (layout: CatalogueLayout) => [
	'port',
	layout.columns[1]!.width >= 5 ? 'proto' : 'pro',
	'service',
	...(layout.hasVerdict ? [layout.isShort ? 'risk' : 'verdict'] : []),
	...(layout.hasDaemons ? ['daemons'] : []),
];

type CatalogueRowProps = {
	readonly entry: CatalogueEntry;
	readonly layout: CatalogueLayout;
	readonly isSelected: boolean;
	readonly isFocused: boolean;
	readonly isPinned: boolean;
	/** The search, whose matches in the port, service and daemons are marked. */
	readonly query: string;
};

function CatalogueRowView({
	entry,
	layout,
	isSelected,
	isFocused,
	isPinned,
	query,
}: CatalogueRowProps) {
	const palette = usePalette();
	const cells = useMemo(() => {
		const verdict = entry.verdict
			? layout.isShort
				? shortVerdicts[entry.verdict]
				: entry.verdict
			: '';
		return [
			portCell(
				markCell(isSelected, isPinned),
				portText(entry, layout.isPortShort),
				layout.columns[0]!.width,
			),
			entry.protocol,
			entry.service,
			...(layout.hasVerdict ? [verdict] : []),
			layout.hasDaemons ? entry.daemons.join(', ') : '',
		];
	}, [entry, layout, isSelected, isPinned]);
	const cellStyles = useMemo<CellStyle[]>(() => {
		const verdict: CellStyle = {
			color: colorOf(palette, verdictRole(entry.verdict)),
		};
		// Without a verdict column the service name carries it: coloured, and bold where risky.
		const service: CellStyle = layout.hasVerdict
			? {}
			: {...verdict, isBold: isRiskyVerdict(entry.verdict)};
		return [
			privilegedStyle(entry.isPrivileged),
			{},
			service,
			...(layout.hasVerdict ? [verdict] : []),
		];
	}, [entry, layout, palette]);
	const marks = useMemo(() => {
		if (query.trim() === '') {
			return undefined;
		}

		const daemons = cells.length - 1;
		// The port's spans, moved past the mark and the padding before it.
		const port = portText(entry, layout.isPortShort);
		const shift = cells[0]!.length - port.length;
		return cells.map((cell, index) =>
			index === 0
				? matchedSpans(port, query, 'port').map(([start, end]): MarkSpan => [
						start + shift,
						end + shift,
					])
				: index === 2 || index === daemons
					? matchedSpans(cell, query, 'name')
					: undefined,
		);
	}, [cells, query, entry, layout]);
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
	const layout = useMemo(() => catalogueColumns(pane.width - 2), [pane.width]);
	return (
		<TablePane
			{...pane}
			columns={layout.columns}
			heading={headingsOf(layout)}
			rows={entries.map((entry) => (
				<CatalogueRow
					key={entry.id}
					entry={entry}
					layout={layout}
					isSelected={entry.id === selectedId}
					isFocused={pane.isFocused}
					isPinned={pinned.has(liveKey(entry.port, entry.protocol))}
					query={query}
				/>
			))}
			emptyText={emptyText}
		/>
	);
}

export const CataloguePane = memo(CataloguePaneView);
