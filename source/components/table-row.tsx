import {Table, type CellProps} from '@alcalzone/ink-table';
import {Text} from 'ink';
import {createContext, useContext, useMemo, type ReactNode} from 'react';
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

/** [start, end) of a cell's text to mark, in UTF-16 units of the text before it is fitted. */
export type MarkSpan = readonly [start: number, end: number];

type RowStyles = {
	readonly row?: CellStyle;
	readonly cells: ReadonlyArray<CellStyle | undefined>;
	/** Per column, the marked stretches of its fitted value. */
	readonly marks?: ReadonlyArray<readonly MarkSpan[] | undefined>;
};

// Ink-table builds its rows from the cell, header and skeleton components once, when it is
// constructed; so they are stable, and the style of this row reaches them through context.
const RowContext = createContext<RowStyles>({cells: []});

/** The padding ink-table puts before a value (`padding` below). */
const padding = 1;

/** A cell's text in pieces, the marked ones (what a search matched) bold and underlined. */
function markedText(text: string, spans: readonly MarkSpan[]) {
	const pieces: ReactNode[] = [];
	let at = 0;
	for (const [start, end] of spans) {
		pieces.push(
			text.slice(at, start + padding),
			<Text key={start} bold underline>
				{text.slice(start + padding, end + padding)}
			</Text>,
		);
		at = end + padding;
	}

	pieces.push(text.slice(at));
	return pieces;
}

function Cell({column, children}: CellProps) {
	const styles = useContext(RowContext);
	const style = {...styles.row, ...styles.cells[column]};
	const spans = styles.marks?.[column];
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
			{spans && spans.length > 0 && typeof children === 'string'
				? markedText(children, spans)
				: children}
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
	/** Per column, stretches of its text to mark (what a search matched); cut with the text. */
	readonly marks?: ReadonlyArray<readonly MarkSpan[] | undefined>;
};

/** Spans of `text` moved to where they fall in `fitted` (padded on the left when right-aligned), cut where it was cut. */
function fitSpans(
	text: string,
	fitted: string,
	spans: readonly MarkSpan[] | undefined,
): MarkSpan[] | undefined {
	if (!spans || spans.length === 0) {
		return undefined;
	}

	// Text made to the column's width already (a mark before a port) keeps its spans in place.
	if (fitted === text) {
		return [...spans];
	}

	const shown = fitted.trim();
	const offset = fitted.indexOf(shown);
	let kept = 0;
	while (kept < shown.length && shown[kept] === text[kept]) {
		kept++;
	}

	return spans
		.map(([start, end]): MarkSpan => [start, Math.min(end, kept)])
		.filter(([start, end]) => start < end)
		.map(([start, end]) => [start + offset, end + offset]);
}

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
	marks,
}: TableRowProps) {
	const [data, fittedMarks] = useMemo(() => {
		const row: Record<string, string> = {};
		const fittedMarks: Array<MarkSpan[] | undefined> = [];
		for (const [index, column] of columns.entries()) {
			const text = cells[index] ?? '';
			const fitted = fitText(text, Math.max(1, column.width), column.align);
			row[keys[index]!] = fitted;
			fittedMarks.push(fitSpans(text, fitted, marks?.[index]));
		}

		return [[row], fittedMarks];
	}, [columns, cells, marks]);
	const styles = useMemo(
		() => ({row: rowStyle, cells: cellStyles, marks: fittedMarks}),
		[rowStyle, cellStyles, fittedMarks],
	);

	return (
		<RowContext.Provider value={styles}>
			<Table
				data={data}
				columns={[...keys].slice(0, columns.length)}
				padding={padding}
				cell={Cell}
				header={Nothing}
				skeleton={Nothing}
			/>
		</RowContext.Provider>
	);
}
