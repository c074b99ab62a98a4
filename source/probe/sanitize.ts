/**
 * Text from the network or another process (banners, process names) must never reach a
 * terminal raw: an escape sequence in a banner could move the cursor, set the window title
 * (OSC 0/2), write the clipboard (OSC 52) or reorder what the person reads (bidi controls).
 *
 * The guarantee is in the last step: whatever the parser below makes of a sequence, the
 * output holds no C0 or C1 control, no DEL and no invisible format character, so there is
 * nothing left that a terminal can interpret. Parsing whole sequences only makes the
 * result readable (`ESC[31mred` becomes `red`, not `[31mred`) and keeps the payload of a
 * title or clipboard string out of the text.
 */

import {isControl, isInvisibleFormat} from '../text/quote.js';

const escape = 0x1b;
const bell = 0x07;
const cancel = 0x18;
const substitute = 0x1a;
const c1StringTerminator = 0x9c;
const c1ControlSequenceIntroducer = 0x9b;
/** OSC, DCS, SOS, PM and APC: the C1 controls that open a control string. */
const c1StringIntroducers: ReadonlySet<number> = new Set([
	0x9d, 0x90, 0x98, 0x9e, 0x9f,
]);
/** ECMA-48 5.3: ESC followed by a byte from 0x40 to 0x5F is the 7-bit form of the C1 control 0x40 above it. */
const sevenBitOffset = 0x40;
const replacement = '\uFFFD';
const ellipsis = '…';

// Strict about nothing (`fatal: false`): invalid bytes become U+FFFD and stay visible.
const decoder = new TextDecoder('utf-8', {fatal: false});

function isSpace(code: number): boolean {
	return (
		code === 0x09 ||
		code === 0x0a ||
		code === 0x0b ||
		code === 0x0c ||
		code === 0x0d ||
		code === 0x20 ||
		code === 0x85 ||
		code === 0xa0 ||
		code === 0x16_80 ||
		(code >= 0x20_00 && code <= 0x20_0a) ||
		code === 0x20_28 ||
		code === 0x20_29 ||
		code === 0x20_2f ||
		code === 0x20_5f ||
		code === 0x30_00
	);
}

const codeAt = (text: string, index: number): number =>
	text.codePointAt(index) ?? -1;

/** The index after a run of code points from `low` to `high` starting at `index`, at most `most` of them. */
function skipRange(
	text: string,
	index: number,
	[low, high]: readonly [number, number],
	most = Infinity,
): number {
	let end = index;
	while (
		end - index < most &&
		codeAt(text, end) >= low &&
		codeAt(text, end) <= high
	) {
		end++;
	}

	return end;
}

/** CSI: parameter bytes, intermediate bytes, one final byte (ECMA-48 5.4). Returns the index after it. */
function skipControlSequence(text: string, start: number): number {
	const parameters = skipRange(text, start, [0x30, 0x3f]);
	const intermediates = skipRange(text, parameters, [0x20, 0x2f]);
	return skipRange(text, intermediates, [0x40, 0x7e], 1);
}

/**
 * OSC, DCS, SOS, PM and APC run to a string terminator: ST (ESC \ or 0x9C), or BEL, which
 * xterm accepts for OSC and most terminals for the others. CAN and SUB abort the string.
 * An unterminated string runs to the end: a terminal would swallow it all the same.
 */
function skipControlString(text: string, start: number): number {
	for (let index = start; index < text.length; index++) {
		const code = codeAt(text, index);
		if (
			code === bell ||
			code === c1StringTerminator ||
			code === cancel ||
			code === substitute
		) {
			return index + 1;
		}

		if (code === escape) {
			// ESC \ is ST; any other ESC ends the string and starts a sequence of its own.
			return codeAt(text, index + 1) === 0x5c ? index + 2 : index;
		}
	}

	return text.length;
}

/** An escape sequence starting at `index` (ESC or an 8-bit C1 introducer); returns the index after it. */
function skipEscape(text: string, index: number): number {
	const code = codeAt(text, index);
	if (code === c1ControlSequenceIntroducer) {
		return skipControlSequence(text, index + 1);
	}

	if (c1StringIntroducers.has(code)) {
		return skipControlString(text, index + 1);
	}

	// ESC [ CSI; ESC ] OSC, ESC P DCS, ESC X SOS, ESC ^ PM, ESC _ APC.
	const next = codeAt(text, index + 1) + sevenBitOffset;
	if (next === c1ControlSequenceIntroducer) {
		return skipControlSequence(text, index + 2);
	}

	if (c1StringIntroducers.has(next)) {
		return skipControlString(text, index + 2);
	}

	// Other escape sequences: intermediate bytes then one final byte (ESC c, ESC 7, ESC ( B, ESC # 8).
	return skipRange(
		text,
		skipRange(text, index + 1, [0x20, 0x2f]),
		[0x30, 0x7e],
		1,
	);
}

function isEscapeIntroducer(code: number): boolean {
	return (
		code === escape ||
		code === c1ControlSequenceIntroducer ||
		c1StringIntroducers.has(code)
	);
}

/**
 * Make untrusted text safe to print on one line: escape sequences and control characters
 * removed, bidi and zero-width characters removed, invalid UTF-8 shown as one U+FFFD per run,
 * whitespace collapsed, and at most `maxLength` code points (the last one `…` when cut).
 */
export function sanitize(text: string | Uint8Array, maxLength = 120): string {
	const input = typeof text === 'string' ? text : decoder.decode(text);
	const limit = Number.isNaN(maxLength)
		? 0
		: Math.max(0, Math.floor(maxLength));
	if (limit === 0) {
		return '';
	}

	const output: string[] = [];
	let isPendingSpace = false;
	let isLastReplacement = false;
	let isTruncated = false;

	const push = (character: string) => {
		if (isPendingSpace && output.length > 0) {
			output.push(' ');
		}

		isPendingSpace = false;
		output.push(character);
	};

	let index = 0;
	while (index < input.length) {
		// The output is cut anyway: stop scanning a megabyte once there is more than fits.
		if (output.length > limit) {
			isTruncated = true;
			break;
		}

		const code = codeAt(input, index);
		if (isEscapeIntroducer(code)) {
			index = skipEscape(input, index);
			continue;
		}

		if (isSpace(code)) {
			isPendingSpace = true;
			index++;
			continue;
		}

		if (isControl(code) || isInvisibleFormat(code)) {
			// Tag characters are astral: two UTF-16 units.
			index += code > 0xff_ff ? 2 : 1;
			continue;
		}

		// A lone surrogate (possible in a JS string, never in decoded UTF-8) is shown like invalid UTF-8.
		const isSurrogate = code >= 0xd8_00 && code <= 0xdf_ff;
		const character = isSurrogate ? replacement : String.fromCodePoint(code);
		index += code > 0xff_ff ? 2 : 1;
		if (character === replacement) {
			if (isLastReplacement && !isPendingSpace) {
				continue;
			}

			isLastReplacement = true;
		} else {
			isLastReplacement = false;
		}

		push(character);
	}

	if (!isTruncated && output.length <= limit) {
		return output.join('');
	}

	return (
		output
			.slice(0, limit - 1)
			.join('')
			.trimEnd() + ellipsis
	);
}
