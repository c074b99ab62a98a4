import type {TerminalSize} from '../hooks/use-terminal-size.js';

/** Below this the panes cannot hold a readable row: a one-line notice replaces the layout. */
export const minimumSize: TerminalSize = {columns: 60, rows: 16};

export type Layout = {
	readonly isTooSmall: boolean;
	readonly width: number;
	/**
	 * Lines the frame may take: one less than the terminal, because Ink 6.8 clears the whole
	 * screen and redraws on every update once a frame reaches the terminal's height.
	 */
	readonly height: number;
	/** The bordered panes, borders included. */
	readonly paneHeight: number;
	/** Data rows a pane shows below its heading. */
	readonly listRows: number;
	readonly detailLines: number;
	readonly eventLines: number;
	readonly leftWidth: number;
	readonly rightWidth: number;
};

/** Header, prompt line and footer take a line each. */
const chromeLines = 3;
/** Top border, heading, bottom border. */
const paneChrome = 3;
/**
 * The live pane's least width below 100 columns: borders, state and since with their padding
 * (2 + 10 + 8), and 33 for `✗ `, a 15-character process name, 12 cells of what answered and
 * the ellipsis that marks the cut.
 */
const liveRoom = 53;

export function computeLayout(
	{columns, rows}: TerminalSize,
	/** Lines above the panes beyond the header's and the prompt's: the host line. */
	{hostLines = 0}: {readonly hostLines?: number} = {},
): Layout {
	const height = Math.max(0, rows - 1);
	const isTooSmall = columns < minimumSize.columns || rows < minimumSize.rows;
	const detailLines = rows >= 30 ? 4 : rows >= 20 ? 3 : 2;
	const eventLines = rows >= 40 ? 8 : rows >= 30 ? 5 : rows >= 20 ? 3 : 2;
	const paneHeight = Math.max(
		paneChrome + 1,
		height - chromeLines - hostLines - detailLines - eventLines,
	);
	// The live pane gets the width: at 80 columns a 15-character process name and the start of
	// what answered (`✗ portuie2eholder SSH-2.0-Open`) fit beside the state and since; the
	// catalogue keeps port, protocol and the name's first 8 cells (the detail strip has it whole).
	const leftWidth =
		columns < 100
			? Math.max(27, Math.min(Math.round(columns * 0.41), columns - liveRoom))
			: Math.min(56, 36 + Math.round((columns - 80) * 0.3));
	const rightWidth = columns - leftWidth;
	return {
		isTooSmall,
		width: columns,
		height,
		paneHeight,
		listRows: paneHeight - paneChrome,
		detailLines,
		eventLines,
		leftWidth,
		rightWidth,
	};
}
