import stringWidth from 'string-width';
import type {PortState} from '../probe/types.js';
import {fitText} from '../text/fit.js';

const pad2 = (value: number) => String(value).padStart(2, '0');

/** Local wall-clock time, `14:03:09`: absolute times do not tick, so they cost no redraw. */
export function formatClock(epochMs: number, hasSeconds = true): string {
	const date = new Date(epochMs);
	const minutes = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
	return hasSeconds ? `${minutes}:${pad2(date.getSeconds())}` : minutes;
}

/** A duration as a person reads it: `850ms`, `4.2s`, `1m05s`, `2h03m`, `3d04h`. */
export function formatDuration(ms: number): string {
	if (ms < 1000) {
		return `${Math.max(0, Math.round(ms))}ms`;
	}

	if (ms < 60_000) {
		return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
	}

	const seconds = Math.floor(ms / 1000);
	if (seconds < 3600) {
		return `${Math.floor(seconds / 60)}m${pad2(seconds % 60)}s`;
	}

	if (seconds < 86_400) {
		return `${Math.floor(seconds / 3600)}h${pad2(Math.floor((seconds % 3600) / 60))}m`;
	}

	return `${Math.floor(seconds / 86_400)}d${pad2(Math.floor((seconds % 86_400) / 3600))}h`;
}

/** The poll interval in the header: `500ms`, `2s`, `1m`. */
export function formatInterval(ms: number): string {
	if (ms < 1000) {
		return `${ms}ms`;
	}

	return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

/** Round-trip time, coarse on purpose (a jittery last digit would redraw the row every sweep). */
export function formatRtt(ms: number | undefined): string {
	if (ms === undefined) {
		return '';
	}

	if (ms < 1) {
		return '<1ms';
	}

	if (ms < 1000) {
		return `${Math.round(ms)}ms`;
	}

	return `${(ms / 1000).toFixed(1)}s`;
}

const labels = new Map<PortState, string>([
	['unreachable', 'unreach'],
	['open|filtered', 'open?'],
]);

/** Port states in at most 8 cells; `open?` is UDP silence (open, or dropped on the way). */
export const stateLabel = (state: PortState) => labels.get(state) ?? state;

/**
 * Words wrapped at `width` cells; a word longer than the line is left for the cut. Each word is
 * measured once, and wrapping stops after `maxLines` lines: the rest would only be cut off.
 */
function wrapWords(text: string, width: number, maxLines: number): string[] {
	const lines: string[] = [];
	let current = '';
	let currentWidth = 0;
	for (const word of text.split(/\s+/v)) {
		if (word === '') {
			continue;
		}

		const wordWidth = stringWidth(word);
		if (current === '') {
			current = word;
			currentWidth = wordWidth;
		} else if (currentWidth + 1 + wordWidth <= width) {
			current += ` ${word}`;
			currentWidth += 1 + wordWidth;
		} else {
			lines.push(current);
			if (lines.length > maxLines) {
				return lines;
			}

			current = word;
			currentWidth = wordWidth;
		}
	}

	if (current !== '') {
		lines.push(current);
	}

	return lines;
}

/**
 * Segments laid into at most `maxLines` lines of `width` cells, never wrapped by the terminal.
 * Each segment starts a line while they all fit so; otherwise they run on, `separator` between
 * them, and what still does not fit ends in an ellipsis.
 */
export function layLines(
	segments: readonly string[],
	width: number,
	maxLines: number,
	separator = ' | ',
): string[] {
	const separate: string[] = [];
	for (const segment of segments) {
		separate.push(...wrapWords(segment, width, maxLines));
		if (separate.length > maxLines) {
			break;
		}
	}

	const lines =
		separate.length <= maxLines
			? separate
			: wrapWords(segments.join(separator), width, maxLines);
	if (lines.length > maxLines) {
		const last = lines[maxLines - 1]!;
		lines.length = maxLines;
		lines[maxLines - 1] = `${last} …`;
	}

	return lines.map((line) => fitText(line, width).trimEnd());
}

/**
 * How long a state has lasted, coarse enough to tick rarely: in `narrow` cells `12s`, `4m`, `2h`,
 * `3d`; else `12s`, `4m05s`, `2h03m`, `3d04h`. With the ms until the text changes.
 */
export function formatAge(
	ms: number,
	isNarrow: boolean,
): {readonly text: string; readonly nextChangeInMs: number} {
	const age = Math.max(0, ms);
	const step = (unit: number) => unit - (age % unit);
	if (age < 60_000 || (isNarrow && age < 100_000)) {
		return {text: `${Math.floor(age / 1000)}s`, nextChangeInMs: step(1000)};
	}

	if (age < 3_600_000) {
		return isNarrow
			? {text: `${Math.floor(age / 60_000)}m`, nextChangeInMs: step(60_000)}
			: {text: formatDuration(age), nextChangeInMs: step(1000)};
	}

	const unit = isNarrow ? (age < 86_400_000 ? 3_600_000 : 86_400_000) : 60_000;
	return {
		text: isNarrow
			? `${Math.floor(age / unit)}${unit === 3_600_000 ? 'h' : 'd'}`
			: formatDuration(age),
		nextChangeInMs: step(unit),
	};
}
