/**
The window of a scrolled text view (the help, the describe view): the lines a pane of `height`
rows shows (its borders and the status line take three), the last first line that still fills
it, and the `lines 3-20/31: j k scroll` note of where the window stands.
*/
export const textRows = (height: number) => Math.max(1, height - 3);

/** The last first line that still fills the pane. */
export const maxTextTop = (lineCount: number, height: number) =>
	Math.max(0, lineCount - textRows(height));

export function textWindow<Line>(
	lines: readonly Line[],
	top: number,
	height: number,
): {
	readonly shown: readonly Line[];
	readonly rows: number;
	readonly where: string;
} {
	const rows = textRows(height);
	const first = Math.min(top, maxTextTop(lines.length, height));
	const shown = lines.slice(first, first + rows);
	const isMore = first + rows < lines.length;
	const where =
		lines.length > rows
			? `  lines ${first + 1}-${first + shown.length}/${lines.length}${isMore ? ': j k scroll' : ''}`
			: '';
	return {shown, rows, where};
}
