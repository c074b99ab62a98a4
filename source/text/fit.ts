import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

/** Cuts `text` to `width` terminal cells (an ellipsis marks the cut) and pads it to exactly that width. */
export function fitText(
	text: string,
	width: number,
	align: 'left' | 'right' = 'left',
): string {
	if (width <= 0) {
		return '';
	}

	const cut =
		stringWidth(text) > width
			? cliTruncate(text, width, {position: 'end'})
			: text;
	const padding = ' '.repeat(Math.max(0, width - stringWidth(cut)));
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
	const natural = columns.map((column) => {
		let width = stringWidth(column.title);
		for (const row of rows) {
			width = Math.max(width, stringWidth(row[column.key]));
		}

		return Math.min(width, column.maxWidth ?? width);
	});
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

/** Aligned plain text for pipes and files: no borders, no colour, nothing cut. */
export function formatPlainTable<Key extends string>(
	columns: ReadonlyArray<ColumnSpec<Key>>,
	rows: ReadonlyArray<Readonly<Record<Key, string>>>,
): string {
	const widths = columns.map((column) =>
		Math.max(
			stringWidth(column.title),
			...rows.map((row) => stringWidth(row[column.key])),
		),
	);
	const line = (cells: readonly string[]) =>
		cells
			.map((cell, index) =>
				index === cells.length - 1
					? cell
					: fitText(cell, widths[index]!, columns[index]!.align),
			)
			.join('  ')
			.trimEnd();
	return (
		[
			line(columns.map((column) => column.title)),
			...rows.map((row) => line(columns.map((column) => row[column.key]))),
		].join('\n') + '\n'
	);
}
