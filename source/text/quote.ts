/**
 * What a terminal could act on, or what changes what a person reads without being seen: the
 * one rule of the network sanitiser (which drops these) and of every message that quotes a
 * file's or an argument's text (which escapes them).
 */

/** C0, DEL and C1: every control a terminal interprets, 8-bit CSI (U+009B) included. */
export const isControl = (code: number) =>
	code < 0x20 || (code >= 0x7f && code <= 0x9f);

/**
 * Bidi overrides, embeddings and isolates, zero-width characters, the BOM, interlinear
 * annotation and tag characters (U+E0000-U+E007F, which hide text inside an emoji flag).
 */
export function isInvisibleFormat(code: number): boolean {
	return (
		(code >= 0x20_0b && code <= 0x20_0f) ||
		(code >= 0x20_2a && code <= 0x20_2e) ||
		(code >= 0x20_60 && code <= 0x20_64) ||
		(code >= 0x20_66 && code <= 0x20_69) ||
		(code >= 0xff_f9 && code <= 0xff_fb) ||
		(code >= 0xe_00_00 && code <= 0xe_00_7f) ||
		code === 0xfe_ff ||
		code === 0x06_1c ||
		code === 0x18_0e
	);
}

/** A lone UTF-16 surrogate: possible in a JS string, never in text a terminal can show. */
const isSurrogate = (code: number) => code >= 0xd8_00 && code <= 0xdf_ff;

export const isUnsafeCodePoint = (code: number) =>
	isControl(code) || isInvisibleFormat(code) || isSurrogate(code);

const printableAscii = /^[\u0020-\u007E]*$/v;

/** Whether `text` holds a control, an invisible format character or a lone surrogate. */
export function hasUnsafeCharacter(text: string): boolean {
	// Nearly all text is printable ASCII, which one native test clears: the catalogue's thousands
	// of strings are checked at every start.
	if (printableAscii.test(text)) {
		return false;
	}

	for (const character of text) {
		if (isUnsafeCodePoint(character.codePointAt(0)!)) {
			return true;
		}
	}

	return false;
}

/** `\u009b`; an astral character as its two UTF-16 units, as JSON writes it. */
function escapeUnits(character: string): string {
	let text = '';
	for (let index = 0; index < character.length; index++) {
		// eslint-disable-next-line unicorn/prefer-code-point -- JSON escapes UTF-16 units
		const unit = character.charCodeAt(index);
		text += String.raw`\u` + unit.toString(16).padStart(4, '0');
	}

	return text;
}

/** `text` with every unsafe code point (see `isUnsafeCodePoint`) written as a JSON escape. */
export function escapeUnsafe(text: string): string {
	let escaped = '';
	for (const character of text) {
		escaped += isUnsafeCodePoint(character.codePointAt(0)!)
			? escapeUnits(character)
			: character;
	}

	return escaped;
}

/**
 * `text` as a JSON string literal that is safe on a terminal: JSON.stringify escapes C0, quotes
 * and backslashes but leaves DEL, C1 and the invisible format characters raw; those are escaped
 * here too (as UTF-16 units, so the result still parses as JSON). At most `maxLength` characters
 * of `text` are kept; a cut ends in `...`, so a pasted megabyte stays one short line.
 */
export function quote(text: string, maxLength = 60): string {
	const characters: string[] = [];
	for (const character of text) {
		if (characters.length > maxLength) {
			break;
		}

		characters.push(character);
	}

	const capped =
		characters.length > maxLength
			? `${characters.slice(0, maxLength - 3).join('')}...`
			: text;
	return escapeUnsafe(JSON.stringify(capped));
}

/** Like `quote` without the quotes: for a message that is itself quoted text (a parser's). */
export const escapeText = (text: string, maxLength = 200) =>
	quote(text, maxLength).slice(1, -1);
