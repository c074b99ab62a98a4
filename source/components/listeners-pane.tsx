import {Text} from 'ink';
import {memo, useMemo} from 'react';
import {ownerLabel, type ListenerItem} from '../hooks/listener-items.js';
import {Pane} from './pane.js';
import {
	rowWidth,
	TableRow,
	type CellStyle,
	type TableColumn,
} from './table-row.js';

export function listenerColumns(innerWidth: number): readonly TableColumn[] {
	const fixed = rowWidth([{width: 2}, {width: 5}, {width: 5}, {width: 3}]);
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

type ListenerLineProps = {
	readonly item: ListenerItem;
	readonly columns: readonly TableColumn[];
	readonly isSelected: boolean;
	readonly isFocused: boolean;
	readonly isPinned: boolean;
	readonly isAscii: boolean;
	readonly isColor: boolean;
};

const expectedMarks = {
	unicode: {yes: '✓', no: '✗'},
	ascii: {yes: 'ok', no: '!'},
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
	const marks = isAscii ? expectedMarks.ascii : expectedMarks.unicode;
	const cells = useMemo(
		() => [
			`${isSelected ? '>' : ' '}${isPinned ? '*' : ' '}`,
			item.socket.protocol,
			item.socket.address,
			String(item.socket.port),
			ownerLabel(item.socket),
			item.entry ? `${item.entry.service}  ${item.entry.longName}` : '',
			item.isExpected === undefined
				? ''
				: item.isExpected
					? marks.yes
					: marks.no,
		],
		[item, isSelected, isPinned, marks],
	);
	const cellStyles = useMemo<CellStyle[]>(
		() => [
			{},
			{},
			{},
			item.socket.port < 1024
				? {isBold: true, color: isColor ? 'cyan' : undefined}
				: {},
			{isDim: !item.socket.process},
			{},
			{
				color:
					isColor && item.isExpected !== undefined
						? item.isExpected
							? 'green'
							: 'red'
						: undefined,
			},
		],
		[item, isColor],
	);
	const rowStyle = useMemo<CellStyle | undefined>(
		() =>
			isSelected
				? isFocused
					? {isInverse: true}
					: {isUnderline: true}
				: undefined,
		[isSelected, isFocused],
	);
	return (
		<TableRow
			columns={columns}
			cells={cells}
			cellStyles={cellStyles}
			rowStyle={rowStyle}
		/>
	);
}

const ListenerLine = memo(ListenerLineView);

export type ListenersPaneProps = {
	readonly items: readonly ListenerItem[];
	readonly selectedId: string | undefined;
	readonly pinned: ReadonlySet<string>;
	readonly width: number;
	readonly height: number;
	readonly isFocused: boolean;
	readonly isAscii: boolean;
	readonly isColor: boolean;
	/** Said in the pane instead of rows: still reading, or why the list is unavailable. */
	readonly emptyText: string;
};

const heading = ['', 'proto', 'address', 'port', 'process', 'catalogue', 'exp'];
const headingStyle: CellStyle = {isBold: true};

/** Every listening socket of this machine, in the catalogue or not, with its process. */
function ListenersPaneView({
	items,
	selectedId,
	pinned,
	width,
	height,
	isFocused,
	isAscii,
	isColor,
	emptyText,
}: ListenersPaneProps) {
	const columns = useMemo(() => listenerColumns(width - 2), [width]);
	return (
		<Pane
			width={width}
			height={height}
			isFocused={isFocused}
			isAscii={isAscii}
			isColor={isColor}
		>
			<TableRow columns={columns} cells={heading} rowStyle={headingStyle} />
			{items.length === 0 ? (
				<Text dimColor wrap="truncate">
					{` ${emptyText}`}
				</Text>
			) : (
				items.map((item) => (
					<ListenerLine
						key={item.id}
						item={item}
						columns={columns}
						isSelected={item.id === selectedId}
						isFocused={isFocused}
						isPinned={pinned.has(`${item.socket.port}/${item.socket.protocol}`)}
						isAscii={isAscii}
						isColor={isColor}
					/>
				))
			)}
		</Pane>
	);
}

export const ListenersPane = memo(ListenersPaneView);
