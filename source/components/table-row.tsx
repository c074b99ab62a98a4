import {Table, type CellProps} from '@alcalzone/ink-table';
import {Text} from 'ink';
import {createContext, useContext, useMemo} from 'react';
import {fitText} from '../text/fit.js';

export type CellStyle = {
	readonly color?: string;
	readonly backgroundColor?: string;
	readonly isBold?: boolean;
	readonly isDim?: boolean;
	readonly isInverse?: boolean;
	readonly isUnderline?: boolean;
};

export type TableColumn = {
	/** Terminal cells of the value; the table adds one cell of padding on each side. */
	readonly width: number;
	readonly align?: 'left' | 'right';
};

/** Cells a row of these columns takes on screen. */
export const rowWidth = (columns: readonly TableColumn[]) =>
	columns.reduce((sum, column) => sum + column.width + 2, 0);

type RowStyles = {
	readonly row?: CellStyle;
	readonly cells: ReadonlyArray<CellStyle | undefined>;
};

// Ink-table builds its rows from the cell, header and skeleton components once, when it is
// constructed; so they are stable, and the style of this row reaches them through context.
const RowContext = createContext<RowStyles>({cells: []});

function Cell({column, children}: CellProps) {
	const styles = useContext(RowContext);
	const style = {...styles.row, ...styles.cells[column]};
	return (
		<Text
			wrap="truncate"
			color={style.color}
			backgroundColor={style.backgroundColor}
			bold={style.isBold}
			dimColor={style.isDim}
			inverse={style.isInverse}
			underline={style.isUnderline}
		>
			{children}
		</Text>
	);
}

/** Rules above, between and below rows, and the column lines: a compact table draws none of them. */
function Nothing() {
	return <Text />;
}

// Single-letter keys: ink-table sizes a column by its widest value or its key, whichever is wider.
const keys = 'abcdefghijklmnopqrstuvwxyz';
const noStyles: ReadonlyArray<CellStyle | undefined> = [];

export type TableRowProps = {
	readonly columns: readonly TableColumn[];
	/** One value a column; each is cut to its column by display width, never wrapped. */
	readonly cells: readonly string[];
	/** Applied to every cell: the selection, a heading, a highlight. */
	readonly rowStyle?: CellStyle;
	/** Per column, over the row's style: colours that carry meaning (a verdict, a state). */
	readonly cellStyles?: ReadonlyArray<CellStyle | undefined>;
};

/**
 * One line of a table drawn by ink-table. Each row is its own table so that its style (the
 * selected row, a changed port) reaches the cells, which ink-table only tells their column; the
 * widths are fixed by the caller, so the rows line up.
 */
export function TableRow({
	columns,
	cells,
	rowStyle,
	cellStyles = noStyles,
}: TableRowProps) {
	const data = useMemo(() => {
		const row: Record<string, string> = {};
		for (const [index, column] of columns.entries()) {
			row[keys[index]!] = fitText(
				cells[index] ?? '',
				Math.max(1, column.width),
				column.align,
			);
		}

		return [row];
	}, [columns, cells]);
	const styles = useMemo(
		() => ({row: rowStyle, cells: cellStyles}),
		[rowStyle, cellStyles],
	);

	return (
		<RowContext.Provider value={styles}>
			<Table
				data={data}
				columns={[...keys].slice(0, columns.length)}
				padding={1}
				cell={Cell}
				header={Nothing}
				skeleton={Nothing}
			/>
		</RowContext.Provider>
	);
}
