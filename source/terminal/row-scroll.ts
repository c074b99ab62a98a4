const esc = '\u001B[';

/** Whole rows of the screen moving together: a log that gained a line at the bottom. */
export type Scroll = {
	/** First and last row of the region that scrolls, from 0, both included. */
	readonly top: number;
	readonly bottom: number;
	/** Rows the text moves: up when positive (blank rows come in at the bottom), down when negative. */
	readonly by: number;
};

/** The rows on the screen after `scroll`: shifted inside the region, blank where they left. */
export function applyScroll(
	screen: readonly string[],
	{top, bottom, by}: Scroll,
): string[] {
	const next = [...screen];
	for (let row = top; row <= bottom; row++) {
		next[row] =
			row + by >= top && row + by <= bottom ? (screen[row + by] ?? '') : '';
	}

	return next;
}

/**
 * What a scroll costs a terminal: reset the colours (the blank rows take the current
 * background), set the region, move the text, give the whole screen back as the region.
 * Line feed at the bottom margin and reverse index at the top are VT100's own ways to scroll a
 * region, known to every terminal an SSH session meets.
 */
export function scrollBytes({top, bottom, by}: Scroll): string {
	const region = `${esc}0m${esc}${top + 1};${bottom + 1}r`;
	const move =
		by > 0
			? `${esc}${bottom + 1};1H${'\n'.repeat(by)}`
			: `${esc}${top + 1};1H${'\u001BM'.repeat(-by)}`;
	return `${region}${move}${esc}r`;
}

/** About what bringing `screen` to `next` costs, row by row: a changed row is written whole. */
function rowsCost(screen: readonly string[], next: readonly string[]): number {
	let cost = 0;
	for (const [row, line] of next.entries()) {
		if ((screen[row] ?? '') !== line) {
			// The text and its cursor address.
			cost += line.length + 8;
		}
	}

	return cost;
}

/**
 * The one scroll (of up to `maxShift` rows, up or down) that saves the most bytes in going from
 * `screen` to `next`, when one saves more than it costs. Candidates are the runs of rows that
 * `next` has where `screen` had them a few rows lower or higher, and would otherwise be written
 * again: the event log gaining an entry, a list moving by a row.
 */
export function findScroll(
	screen: readonly string[],
	next: readonly string[],
	maxShift = 3,
): Scroll | undefined {
	const rows = Math.min(screen.length, next.length);
	const before = rowsCost(screen, next);
	let best: Scroll | undefined;
	let bestCost = before;
	const consider = (scroll: Scroll) => {
		const cost =
			rowsCost(applyScroll(screen, scroll), next) + scrollBytes(scroll).length;
		if (cost < bestCost) {
			best = scroll;
			bestCost = cost;
		}
	};

	for (let shift = 1; shift <= maxShift; shift++) {
		for (const by of [shift, -shift]) {
			const isMoved = (row: number) =>
				next[row] !== '' &&
				next[row] !== screen[row] &&
				next[row] === screen[row + by];
			let row = 0;
			while (row < rows) {
				if (!isMoved(row)) {
					row++;
					continue;
				}

				let end = row;
				while (end + 1 < rows && isMoved(end + 1)) {
					end++;
				}

				// Up: the region runs on below the run by the rows that come in; down: above it.
				const top = by > 0 ? row : row + by;
				const bottom = by > 0 ? end + by : end;
				if (top >= 0 && bottom < rows) {
					consider({top, bottom, by});
				}

				row = end + 1;
			}
		}
	}

	return best;
}
