import {quote} from '../text/quote.js';

export type JsonSyntaxError = {
	/** 1-based, as editors count. */
	readonly line: number;
	/** 1-based, in characters of the line. */
	readonly column: number;
	/** What is wrong there, in words, quoting the file's text escaped. */
	readonly reason: string;
};

type Failure = {readonly offset: number; readonly expected: string};

const whitespace = new Set([' ', '\t', '\n', '\r']);
const escapes = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+\-]?\d+)?/vy;
const fieldName = 'a field name in double quotes';

/**
 * Where a text that JSON.parse refused goes wrong, and what was expected there. Node 20's
 * JSON.parse names no line or column, and for an unexpected token not even an offset; this scan
 * follows RFC 8259's grammar only as far as the first character that cannot continue a JSON text.
 * Iterative, so a file nested thousands deep costs no stack.
 */
function firstFailure(text: string): Failure | undefined {
	let at = 0;
	const stack: string[] = [];
	const skipSpace = () => {
		while (at < text.length && whitespace.has(text[at]!)) {
			at++;
		}
	};

	const string = (): Failure | undefined => {
		at++;
		while (at < text.length) {
			const character = text[at]!;
			if (character === '"') {
				at++;
				return undefined;
			}

			if (character.codePointAt(0)! < 0x20) {
				return {
					offset: at,
					expected: String.raw`no control character inside a string (write \n, \t)`,
				};
			}

			if (character === '\\') {
				const next = text[at + 1];
				if (
					next === 'u' &&
					/^[\dA-Fa-f]{4}$/v.test(text.slice(at + 2, at + 6))
				) {
					at += 6;
					continue;
				}

				if (next === undefined || !escapes.has(next)) {
					return {
						offset: at + 1,
						expected: String.raw`an escape: \", \\, \/, \b, \f, \n, \r, \t or \uXXXX`,
					};
				}

				at += 2;
				continue;
			}

			at++;
		}

		return {offset: at, expected: 'the closing " of the string'};
	};

	const key = (): Failure | undefined => {
		skipSpace();
		if (text[at] !== '"') {
			return {offset: at, expected: fieldName};
		}

		const failure = string();
		if (failure) {
			return failure;
		}

		skipSpace();
		if (text[at] !== ':') {
			return {offset: at, expected: '":" after the field name'};
		}

		at++;
		return undefined;
	};

	const value = (): Failure | undefined => {
		skipSpace();
		const character = text[at];
		if (character === '"') {
			return string();
		}

		for (const word of ['true', 'false', 'null']) {
			if (character === word[0]) {
				let length = 0;
				while (length < word.length && text[at + length] === word[length]) {
					length++;
				}

				at += length;
				return length === word.length
					? undefined
					: {offset: at, expected: `the rest of ${word}`};
			}
		}

		numberPattern.lastIndex = at;
		const number = numberPattern.exec(text);
		if (number) {
			at += number[0].length;
			return undefined;
		}

		return {
			offset: at,
			expected:
				'a value (a string in double quotes, number, true, false, null, [ or {)',
		};
	};

	for (;;) {
		skipSpace();
		const opening = text[at];
		if (opening === '{' || opening === '[') {
			at++;
			skipSpace();
			const closing = opening === '{' ? '}' : ']';
			if (text[at] === closing) {
				at++;
			} else {
				stack.push(closing);
				const failure = opening === '{' ? key() : undefined;
				if (failure) {
					return failure;
				}

				continue;
			}
		} else {
			const failure = value();
			if (failure) {
				return failure;
			}
		}

		// After a value: the next one of its list or object, the end of one, or the end of the text.
		for (;;) {
			skipSpace();
			const closing = stack.at(-1);
			if (closing === undefined) {
				return at < text.length
					? {offset: at, expected: 'the end of the file after the value'}
					: undefined;
			}

			if (text[at] === closing) {
				at++;
				stack.pop();
				continue;
			}

			if (text[at] !== ',') {
				return {offset: at, expected: `"," or "${closing}"`};
			}

			at++;
			skipSpace();
			if (text[at] === '}' || text[at] === ']') {
				return {
					offset: at,
					expected:
						'another item after the comma (JSON allows no comma after the last one)',
				};
			}

			if (closing === '}') {
				const failure = key();
				if (failure) {
					return failure;
				}
			}

			break;
		}
	}
}

/**
 * The first syntax error of `text` as an editor shows it: line, column and what was expected;
 * undefined when the scan finds none.
 */
export function locateJsonError(text: string): JsonSyntaxError | undefined {
	const failure = firstFailure(text);
	if (!failure) {
		return undefined;
	}

	const before = text.slice(0, failure.offset);
	const lineStart = before.lastIndexOf('\n') + 1;
	const line = before.split('\n').length;
	const lineText = before.slice(lineStart);
	// In characters, as editors count: a character beyond U+FFFF is two UTF-16 units.
	const column =
		lineText.length -
		(lineText.match(/[\u{10000}-\u{10FFFF}]/gv)?.length ?? 0) +
		1;
	const found = text.codePointAt(failure.offset);
	const what =
		found === undefined
			? 'the file ends'
			: text[failure.offset] === '/'
				? 'found "/" (JSON has no comments)'
				: `found ${quote(String.fromCodePoint(found))}`;
	return {line, column, reason: `${what}; expected ${failure.expected}`};
}
