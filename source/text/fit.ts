import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

// Printable ASCII is one cell a character: no segmenter, no emoji tables. Most cells are.
const printableAscii = /^[\u0020-\u007E]*$/v;

/** The terminal cells `text` takes. */
export const cellWidth = (text: string) =>
	printableAscii.test(text) ? text.length : stringWidth(text);

/** Cuts `text` to `width` terminal cells (an ellipsis marks the cut) and pads it to exactly that width. */
export function fitText(
	text: string,
	width: number,
	align: 'left' | 'right' = 'left',
): string {
	if (width <= 0) {
		return '';
	}

	let cut = text;
	if (printableAscii.test(text)) {
		cut = text.length > width ? `${text.slice(0, width - 1)}…` : text;
	} else if (stringWidth(text) > width) {
		cut = cliTruncate(text, width, {position: 'end'});
	}

	const padding = ' '.repeat(Math.max(0, width - cellWidth(cut)));
	return align === 'left' ? cut + padding : padding + cut;
}

export type ColumnSpec<Key extends string> = {
	readonly key: Key;
	readonly title: string;
	/** The column never gets narrower than this, unless the terminal cannot hold the minimums. */
	readonly minWidth: number;
	readonly maxWidth?: number;
	/** Share of the room left once every column has its minimum; 0 keeps the natural width. */
	readonly grow?: number;
	readonly align?: 'left' | 'right';
};

/**
 * Widths for columns laid out in `total` cells with `gap` cells between columns and around
 * them: natural widths when they fit, otherwise the growing columns give way first.
 */
export function fitColumns<Key extends string>(
	columns: ReadonlyArray<ColumnSpec<Key>>,
	rows: ReadonlyArray<Readonly<Record<Key, string>>>,
	total: number,
	gap: number,
): number[] {
	const natural = naturalWidths(columns, rows).map((width, index) =>
		Math.min(width, columns[index]!.maxWidth ?? width),
	);
	const room = total - gap * (columns.length + 1);
	const sum = (widths: readonly number[]) => widths.reduce((a, b) => a + b, 0);
	if (sum(natural) <= room) {
		return natural;
	}

	const fixed = columns.map((column, index) =>
		column.grow ? Math.min(column.minWidth, natural[index]!) : natural[index]!,
	);
	let spare = room - sum(fixed);
	if (spare < 0) {
		// Not even the fixed columns fit: shrink the widest until they do.
		const widths = [...fixed];
		while (spare < 0) {
			const widest = widths.indexOf(Math.max(...widths));
			if (widths[widest]! <= 1) {
				break;
			}

			widths[widest]!--;
			spare++;
		}

		return widths;
	}

	const growth = sum(columns.map((column) => column.grow ?? 0));
	const widths = [...fixed];
	for (const [index, column] of columns.entries()) {
		if (column.grow) {
			const share = Math.floor((spare * column.grow) / growth);
			widths[index] = Math.min(natural[index]!, widths[index]! + share);
		}
	}

	// Rounding and capped columns leave cells over: give them to the growing columns in order.
	let left = room - sum(widths);
	for (const [index, column] of columns.entries()) {
		if (left <= 0) {
			break;
		}

		if (column.grow) {
			const extra = Math.min(left, natural[index]! - widths[index]!);
			widths[index]! += extra;
			left -= extra;
		}
	}

	return widths;
}

/** The widest cell of each column, title included; a loop, not a spread: 131,070 rows overflow the stack. */
function naturalWidths<Key extends string>(
	columns: ReadonlyArray<ColumnSpec<Key>>,
	rows: ReadonlyArray<Readonly<Record<Key, string>>>,
): number[] {
	return columns.map((column) => {
		let width = cellWidth(column.title);
		for (const row of rows) {
			width = Math.max(width, cellWidth(row[column.key]));
		}

		return width;
	});
}

/** Aligned plain text for pipes and files: no borders, no colour, nothing cut. One string a line. */
export function* plainTableLines<Key extends string>(
	columns: ReadonlyArray<ColumnSpec<Key>>,
	rows: ReadonlyArray<Readonly<Record<Key, string>>>,
): Generator<string> {
	const widths = naturalWidths(columns, rows);
	const line = (cells: readonly string[]) =>
		cells
			.map((cell, index) =>
				index === cells.length - 1
					? cell
					: fitText(cell, widths[index]!, columns[index]!.align),
			)
			.join('  ')
			.trimEnd();
	yield line(columns.map((column) => column.title));
	for (const row of rows) {
		yield line(columns.map((column) => row[column.key]));
	}
}

/** Aligned plain text for pipes and files: no borders, no colour, nothing cut. */
export function formatPlainTable<Key extends string>(
	columns: ReadonlyArray<ColumnSpec<Key>>,
	rows: ReadonlyArray<Readonly<Record<Key, string>>>,
): string {
	return [...plainTableLines(columns, rows)].join('\n') + '\n';
}

const sgr = (code: number) => `\u001B[${code}m`;
const colorCodes: ReadonlyMap<string, number> = new Map([
	['black', 30],
	['red', 31],
	['green', 32],
	['yellow', 33],
	['blue', 34],
	['magenta', 35],
	['cyan', 36],
	['white', 37],
	['gray', 90],
]);

export type TerminalTableOptions<Key extends string> = {
	/** Terminal cells the table may take. */
	readonly width: number;
	readonly isColor: boolean;
	readonly isAscii?: boolean;
	/** Colour of one cell from its column and value. */
	readonly colorOf?: (key: Key, value: string) => string | undefined;
};

/**
 * The terminal table FittedTable draws through Ink and ink-table (borders between cells, a bold
 * header, cells cut to the terminal's width), drawn directly a line at a time: Ink lays out every
 * row of a table before it prints one, 892 MB and 17.7 s for 13,000 rows, and a full port range
 * exhausted a 4 GB heap. Time and memory grow with the rows, line by line.
 */
export function* terminalTableLines<Key extends string>(
	columns: ReadonlyArray<ColumnSpec<Key>>,
	rows: ReadonlyArray<Readonly<Record<Key, string>>>,
	{width, isColor, isAscii = false, colorOf}: TerminalTableOptions<Key>,
): Generator<string> {
	const widths = fitColumns(columns, rows, width, 3);
	const bar = isAscii ? '|' : '│';
	const border = isColor ? `${sgr(2)}${bar}${sgr(22)}` : bar;
	const line = (cells: readonly string[]) =>
		border + cells.join(border) + border;
	yield line(
		columns.map((column, index) => {
			const title = ` ${fitText(column.title, widths[index]!)} `;
			return isColor
				? `${sgr(1)}${sgr(34)}${title}${sgr(39)}${sgr(22)}`
				: `${sgr(1)}${title}${sgr(22)}`;
		}),
	);
	for (const row of rows) {
		yield line(
			columns.map((column, index) => {
				const text = fitText(row[column.key], widths[index]!, column.align);
				const code = isColor
					? colorCodes.get(colorOf?.(column.key, text.trim()) ?? '')
					: undefined;
				return code === undefined
					? ` ${text} `
					: `${sgr(code)} ${text} ${sgr(39)}`;
			}),
		);
	}
}
