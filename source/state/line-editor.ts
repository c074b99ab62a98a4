import type {Key} from 'ink';

/** A line being edited: its text and the cursor, both in code points. */
export type Line = {
	readonly value: string;
	/** 0 before the first character, the length after the last. */
	readonly cursor: number;
};

export type Edit =
	| 'enter'
	| 'escape'
	| 'quit'
	| 'backspace'
	| 'delete-forward'
	| 'left'
	| 'right'
	| 'home'
	| 'end'
	| 'word-left'
	| 'word-right'
	| 'kill-to-start'
	| 'kill-to-end'
	| 'kill-word-back'
	| 'kill-word-forward'
	| 'history-back'
	| 'history-forward'
	| 'ignore';

/** One key of a prompt: text to insert or an edit. `raw` is what it was typed as, to hand on what follows a close. */
export type Stroke =
	| {readonly type: 'text'; readonly text: string; readonly raw: string}
	| {readonly type: 'edit'; readonly edit: Edit; readonly raw: string};

/** No key flag set: keys that arrive as text, one read or a rest of one. */
export const noKey: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

export const emptyLine: Line = {value: '', cursor: 0};

export const lineAtEnd = (value: string): Line => ({
	value,
	cursor: [...value].length,
});

/** Readline's (and bash's) control keys, by the letter Ink names with `key.ctrl`. */
const controlEdits: ReadonlyMap<string, Edit> = new Map([
	['a', 'home'],
	['e', 'end'],
	['b', 'left'],
	['f', 'right'],
	['d', 'delete-forward'],
	['h', 'backspace'],
	['u', 'kill-to-start'],
	['k', 'kill-to-end'],
	['w', 'kill-word-back'],
	['p', 'history-back'],
	['n', 'history-forward'],
	['c', 'quit'],
	['m', 'enter'],
	['j', 'enter'],
]);

const metaEdits: ReadonlyMap<string, Edit> = new Map([
	['b', 'word-left'],
	['f', 'word-right'],
	['d', 'kill-word-forward'],
]);

const edit = (name: Edit, raw: string): Stroke => ({
	type: 'edit',
	edit: name,
	raw,
});

/** A control character inside a longer read: the same edits as Ctrl and its letter. */
function controlCharacter(character: string): Stroke {
	if (character === '\u007F' || character === '\b') {
		return edit('backspace', character);
	}

	const code = character.codePointAt(0)!;
	const letter = code >= 1 && code <= 26 ? String.fromCodePoint(code + 96) : '';
	return edit(
		controlEdits.get(letter) ?? (character === '\u001B' ? 'escape' : 'ignore'),
		character,
	);
}

const isControl = (character: string) =>
	character < ' ' || (character >= '\u007F' && character <= '\u009F');

/**
 * The strokes of one Ink input event. Ink 6.8 splits a read only at escape sequences, so the
 * letters, Enters and backspaces a fast typist or a paste sends in one read come as one string
 * with `key` unset: it is read a character at a time, each control character as its own key.
 */
export function strokesOf(input: string, key: Key): Stroke[] {
	const named: ReadonlyArray<readonly [boolean, Edit]> = [
		[key.return, 'enter'],
		[key.escape && input === '', 'escape'],
		[key.leftArrow, key.ctrl || key.meta ? 'word-left' : 'left'],
		[key.rightArrow, key.ctrl || key.meta ? 'word-right' : 'right'],
		[key.home, 'home'],
		[key.end, 'end'],
		[key.upArrow, 'history-back'],
		[key.downArrow, 'history-forward'],
		// Ink reads DEL (what Backspace sends) as `delete`, as it reads ESC [ 3 ~: both erase back.
		[key.backspace || key.delete, 'backspace'],
		[key.tab, 'ignore'],
		[key.pageUp || key.pageDown, 'ignore'],
	];
	const found = named.find(([isIt]) => isIt);
	if (found) {
		return [edit(found[1], input)];
	}

	if (key.ctrl && input.length === 1) {
		return [edit(controlEdits.get(input.toLowerCase()) ?? 'ignore', input)];
	}

	if (key.meta) {
		return [edit(metaEdits.get(input.toLowerCase()) ?? 'ignore', input)];
	}

	const strokes: Stroke[] = [];
	let text = '';
	for (const character of input) {
		if (isControl(character)) {
			if (text) {
				strokes.push({type: 'text', text, raw: text});
				text = '';
			}

			strokes.push(controlCharacter(character));
		} else {
			text += character;
		}
	}

	if (text) {
		strokes.push({type: 'text', text, raw: text});
	}

	return strokes;
}

const isWordCharacter = (character: string | undefined) =>
	character !== undefined && /[\p{L}\p{N}_]/v.test(character);

/** The start of the word before `cursor` (bash's Alt-B): skip non-word characters, then the word. */
function wordStart(characters: readonly string[], cursor: number): number {
	let index = cursor;
	while (index > 0 && !isWordCharacter(characters[index - 1])) {
		index--;
	}

	while (index > 0 && isWordCharacter(characters[index - 1])) {
		index--;
	}

	return index;
}

function wordEnd(characters: readonly string[], cursor: number): number {
	let index = cursor;
	while (index < characters.length && !isWordCharacter(characters[index])) {
		index++;
	}

	while (index < characters.length && isWordCharacter(characters[index])) {
		index++;
	}

	return index;
}

/** Ctrl-W as in bash: back to the previous whitespace, so `db1.example` goes in one. */
function spaceWordStart(characters: readonly string[], cursor: number): number {
	let index = cursor;
	while (index > 0 && characters[index - 1] === ' ') {
		index--;
	}

	while (index > 0 && characters[index - 1] !== ' ') {
		index--;
	}

	return index;
}

/** The edits that move the cursor only: where each takes it. */
const motions: Partial<
	Record<Edit, (characters: readonly string[], cursor: number) => number>
> = {
	left: (_characters, cursor) => Math.max(0, cursor - 1),
	right: (characters, cursor) => Math.min(characters.length, cursor + 1),
	home: () => 0,
	end: (characters) => characters.length,
	'word-left': wordStart,
	'word-right': wordEnd,
};

/** The edits that delete: the span each takes out; the cursor stays at its start. */
const deletions: Partial<
	Record<
		Edit,
		(characters: readonly string[], cursor: number) => readonly [number, number]
	>
> = {
	backspace: (_characters, cursor) => [Math.max(0, cursor - 1), cursor],
	'delete-forward': (characters, cursor) => [
		cursor,
		Math.min(characters.length, cursor + 1),
	],
	'kill-to-start': (_characters, cursor) => [0, cursor],
	'kill-to-end': (characters, cursor) => [cursor, characters.length],
	'kill-word-back': (characters, cursor) => [
		spaceWordStart(characters, cursor),
		cursor,
	],
	'kill-word-forward': (characters, cursor) => [
		cursor,
		wordEnd(characters, cursor),
	],
};

/** The line after one stroke; edits that are not about the line (Enter, Esc, history) leave it as it is. */
export function editLine(line: Line, stroke: Stroke): Line {
	const characters = [...line.value];
	const cursor = Math.max(0, Math.min(line.cursor, characters.length));
	if (stroke.type === 'text') {
		const inserted = [...stroke.text];
		return {
			value: [
				...characters.slice(0, cursor),
				...inserted,
				...characters.slice(cursor),
			].join(''),
			cursor: cursor + inserted.length,
		};
	}

	const motion = motions[stroke.edit];
	if (motion) {
		return {value: line.value, cursor: motion(characters, cursor)};
	}

	const deletion = deletions[stroke.edit];
	if (!deletion) {
		return line;
	}

	const [from, to] = deletion(characters, cursor);
	return from === to
		? line
		: {
				value: [...characters.slice(0, from), ...characters.slice(to)].join(''),
				cursor: from,
			};
}

/**
 * Up/Down through earlier lines, as a shell's history: `entries` oldest first; `index` is
 * `entries.length` while on the line being typed, which Up keeps and Down brings back.
 */
export type History = {
	readonly entries: readonly string[];
	readonly index: number;
	/** The line being typed when Up first left it. */
	readonly draft: Line;
};

export const startHistory = (entries: readonly string[]): History => ({
	entries,
	index: entries.length,
	draft: emptyLine,
});

export function recall(
	history: History,
	line: Line,
	direction: -1 | 1,
): {readonly history: History; readonly line: Line} {
	const index = Math.max(
		0,
		Math.min(history.entries.length, history.index + direction),
	);
	if (index === history.index) {
		return {history, line};
	}

	const draft = history.index === history.entries.length ? line : history.draft;
	return {
		history: {...history, index, draft},
		line:
			index === history.entries.length
				? draft
				: lineAtEnd(history.entries[index]!),
	};
}

/** Entries oldest first, each once: a host used again moves to the newest place. */
export const remember = (
	entries: readonly string[],
	value: string,
	limit = 50,
): string[] =>
	value.trim() === ''
		? [...entries]
		: [...entries.filter((entry) => entry !== value), value].slice(-limit);
