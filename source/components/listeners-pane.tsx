import {memo, useMemo} from 'react';
import {ownerLabel, type ListenerItem} from '../state/listener-items.js';
import {liveKey} from '../state/live-state.js';
import type {PaneFrame} from './pane.js';
import {
	expectedMark,
	markCell,
	privilegedStyle,
	selectionStyle,
} from './row-marks.js';
import {shortCommand} from './live-pane.js';
import {TablePane} from './table-pane.js';
import {colorOf, usePalette} from './theme-context.js';
import {
	rowWidth,
	TableRow,
	type CellStyle,
	type TableColumn,
} from './table-row.js';

/** Past this a row has room for the command line, as htop's Command column: python3 and java services differ there. */
const commandRoom = 100;

export function listenerColumns(innerWidth: number): readonly TableColumn[] {
	const fixed = rowWidth([{width: 2}, {width: 5}, {width: 5}, {width: 3}]);
	if (innerWidth >= commandRoom) {
		const address = 24;
		const owner = 22;
		const catalogue = 14;
		return [
			{width: 2},
			{width: 5},
			{width: address},
			{width: 5, align: 'right'},
			{width: owner},
			{width: catalogue},
			{width: 3},
			{width: innerWidth - fixed - address - owner - catalogue - 8},
		];
	}

	const rest = Math.max(6, innerWidth - fixed - 6);
	const address = Math.max(7, Math.min(39, Math.floor(rest * 0.35)));
	const owner = Math.max(6, Math.floor((rest - address) * 0.5));
	return [
		{width: 2},
		{width: 5},
		{width: address},
		{width: 5, align: 'right'},
		{width: owner},
		{width: Math.max(1, rest - address - owner)},
		{width: 3},
	];
}

/** An alarm case or a flagged one says so before its service: `ALARM telnet  Telnet`. */
const exposurePrefix = (item: ListenerItem) =>
	item.exposure === 'alarm'
		? 'ALARM '
		: item.exposure === 'flagged'
			? 'flagged '
			: '';

type ListenerLineProps = {
	readonly item: ListenerItem;
	readonly columns: readonly TableColumn[];
	readonly isSelected: boolean;
	readonly isFocused: boolean;
	readonly isPinned: boolean;
	readonly isAscii: boolean;
	readonly isColor: boolean;
};

function ListenerLineView({
	item,
	columns,
	isSelected,
	isFocused,
	isPinned,
	isAscii,
	isColor,
}: ListenerLineProps) {
	const palette = usePalette();
	const hasCommand = columns.length > 7;
	const cells = useMemo(
		() => [
			markCell(isSelected, isPinned),
			item.socket.protocol,
			item.socket.address,
			String(item.socket.port),
			ownerLabel(item.socket),
			exposurePrefix(item) +
				(item.entry
					? hasCommand
						? item.entry.service
						: `${item.entry.service}  ${item.entry.longName}`
					: ''),
			expectedMark(item.isExpected, isAscii),
			...(hasCommand ? [shortCommand(item.socket.cmdline)] : []),
		],
		[item, isSelected, isPinned, isAscii, hasCommand],
	);
	const cellStyles = useMemo<CellStyle[]>(
		() => [
			{},
			{},
			{},
			privilegedStyle(item.socket.port < 1024),
			{isDim: !item.socket.process},
			{
				color:
					isColor && item.exposure === 'alarm'
						? 'red'
						: isColor && item.exposure === 'flagged'
							? 'yellow'
							: undefined,
			},
			{
				color:
					isColor && item.isExpected !== undefined
						? colorOf(palette, item.isExpected ? 'ok' : 'alarm')
						: undefined,
			},
		],
		[item, isColor, palette],
	);
	return (
		<TableRow
			columns={columns}
			cells={cells}
			cellStyles={cellStyles}
			rowStyle={selectionStyle(isSelected, isFocused)}
		/>
	);
}

const ListenerLine = memo(ListenerLineView);

export type ListenersPaneProps = PaneFrame & {
	readonly items: readonly ListenerItem[];
	readonly selectedId: string | undefined;
	readonly pinned: ReadonlySet<string>;
	/** Said in the pane instead of rows: still reading, or why the list is unavailable. */
	readonly emptyText: string;
};

const heading = [
	'',
	'proto',
	'address',
	'port',
	'process',
	'catalogue',
	'exp',
	'command',
];

/** Every listening socket of this machine, in the catalogue or not, with its process. */
function ListenersPaneView({
	items,
	selectedId,
	pinned,
	emptyText,
	...pane
}: ListenersPaneProps) {
	const columns = useMemo(() => listenerColumns(pane.width - 2), [pane.width]);
	return (
		<TablePane
			{...pane}
			columns={columns}
			heading={heading}
			rows={items.map((item) => (
				<ListenerLine
					key={item.id}
					item={item}
					columns={columns}
					isSelected={item.id === selectedId}
					isFocused={pane.isFocused}
					isPinned={pinned.has(liveKey(item.socket.port, item.socket.protocol))}
					isAscii={pane.isAscii}
					isColor={pane.isColor}
				/>
			))}
			emptyText={emptyText}
		/>
	);
}

export const ListenersPane = memo(ListenersPaneView);
