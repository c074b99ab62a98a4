import {Table, type CellProps} from '@alcalzone/ink-table';
import {Text} from 'ink';
import {createContext, useContext, useMemo, type ReactNode} from 'react';
import {type ColumnSpec, fitColumns, fitText} from '../text/fit.js';

export type FittedTableProps<Key extends string> = {
	readonly columns: ReadonlyArray<ColumnSpec<Key>>;
	readonly rows: ReadonlyArray<Readonly<Record<Key, string>>>;
	/** Terminal cells the table may take. */
	readonly width: number;
	readonly isAscii?: boolean;
	readonly isColor?: boolean;
	/** Colour of one cell from its column and value; colour never travels inside the data. */
	readonly colorOf?: (key: Key, value: string) => string | undefined;
	/** Row index drawn inverse. */
	readonly selectedIndex?: number;
};

type TableState = {
	readonly columns: ReadonlyArray<ColumnSpec<string>>;
	readonly widths: readonly number[];
	readonly isAscii: boolean;
	readonly isColor: boolean;
	readonly colorOf?: (key: string, value: string) => string | undefined;
};

const padding = 1;
const ruleCharacters = /^[─┌┬┐├┼┤└┴┘]+$/v;
// Ink-table hands a cell its text and column, never its row: the selected row's cells carry
// this private-use character, which the cell takes off again. Sanitised text never holds one.
const selectedMark = '\uE000';

// Ink-table captures its cell, header and skeleton components once, when it is constructed, so
// they must be stable; what changes between renders reaches them through this context.
const TableContext = createContext<TableState | undefined>(undefined);

const textOf = (children: ReactNode) =>
	typeof children === 'string' ? children : '';

function Cell({column, children}: CellProps) {
	const state = useContext(TableContext)!;
	const value = textOf(children).trim();
	const isSelected = value.startsWith(selectedMark);
	const spec = state.columns[column]!;
	const text = fitText(
		isSelected ? value.slice(1) : value,
		state.widths[column]!,
		spec.align,
	);
	const color = state.isColor
		? state.colorOf?.(spec.key, text.trim())
		: undefined;
	return (
		<Text inverse={isSelected} color={color} wrap="truncate">
			{' '.repeat(padding) + text + ' '.repeat(padding)}
		</Text>
	);
}

function Header({children}: {readonly children?: ReactNode}) {
	const state = useContext(TableContext)!;
	return (
		<Text bold color={state.isColor ? 'blue' : undefined} wrap="truncate">
			{children}
		</Text>
	);
}

function Skeleton({children}: {readonly children?: ReactNode}) {
	const state = useContext(TableContext)!;
	const text = textOf(children);
	// The rules above, between and below rows cost a line each: a compact table has none.
	if (ruleCharacters.test(text)) {
		return null;
	}

	return (
		<Text dimColor={state.isColor}>
			{state.isAscii ? text.replaceAll('│', '|') : text}
		</Text>
	);
}

/**
 * Ink-table, compact and fitted: no rules between rows, every value cut to its column by display
 * width (ink-table counts UTF-16 units, so each cell re-fits what it is given), never wrapped.
 */
export function FittedTable<Key extends string>({
	columns,
	rows,
	width,
	isAscii = false,
	isColor = true,
	colorOf,
	selectedIndex,
}: FittedTableProps<Key>) {
	const widths = useMemo(
		() => fitColumns(columns, rows, width, padding * 2 + 1),
		[columns, rows, width],
	);
	const data = useMemo(
		() =>
			rows.map((row, rowIndex) => {
				const mark = rowIndex === selectedIndex ? selectedMark : '';
				const cells: Record<string, string> = {};
				for (const [index, column] of columns.entries()) {
					cells[column.title] =
						mark + fitText(row[column.key], widths[index]!, column.align);
				}

				return cells;
			}),
		[rows, columns, widths, selectedIndex],
	);
	const state = useMemo<TableState>(
		() => ({
			columns,
			widths,
			isAscii,
			isColor,
			colorOf: colorOf as TableState['colorOf'],
		}),
		[columns, widths, isAscii, isColor, colorOf],
	);

	return (
		<TableContext.Provider value={state}>
			<Table
				data={data}
				columns={columns.map((column) => column.title)}
				padding={padding}
				cell={Cell}
				header={Header}
				skeleton={Skeleton}
			/>
		</TableContext.Provider>
	);
}
