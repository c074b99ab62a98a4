import type {Key} from 'ink';

export type Command =
	| 'up'
	| 'down'
	| 'page-up'
	| 'page-down'
	| 'first'
	| 'last'
	| 'tcp'
	| 'udp'
	| 'all'
	| 'focus'
	| 'focus-back'
	| 'pin'
	| 'watch'
	| 'listeners'
	| 'slower'
	| 'faster'
	| 'bell'
	| 'help'
	| 'escape'
	| 'describe'
	| 'redraw'
	| 'quit';

export type KeyCommands = {
	readonly commands: readonly Command[];
	/** `/` or `:` opens a text input; what followed it in the same read is its first text (and Enter in it, its submission). */
	readonly prompt?: {
		readonly kind: 'search' | 'target';
		readonly text: string;
		readonly isSubmitted: boolean;
	};
};

const characters = new Map<string, Command>([
	['k', 'up'],
	['j', 'down'],
	['g', 'first'],
	['G', 'last'],
	['t', 'tcp'],
	['u', 'udp'],
	['a', 'all'],
	['\t', 'focus'],
	[' ', 'pin'],
	['\r', 'describe'],
	['\n', 'describe'],
	['w', 'watch'],
	['l', 'listeners'],
	['+', 'slower'],
	['=', 'slower'],
	['-', 'faster'],
	['b', 'bell'],
	['?', 'help'],
	['q', 'quit'],
	['Q', 'quit'],
	['\u0003', 'quit'],
]);

const specialKeys: ReadonlyArray<readonly [keyof Key, Command]> = [
	['upArrow', 'up'],
	['downArrow', 'down'],
	['pageUp', 'page-up'],
	['pageDown', 'page-down'],
	['home', 'first'],
	['end', 'last'],
	['escape', 'escape'],
	['return', 'describe'],
];

/**
 * The commands in one read of the keyboard. Ink 6.8 hands over several keys that arrive in one
 * read as one string (`jjj` while a key repeats, a paste), so plain text is read character by
 * character; escape sequences (arrows, PgUp) arrive one at a time and come with `key` set.
 */
export function keyCommands(input: string, key: Key): KeyCommands {
	if (key.ctrl && input === 'c') {
		return {commands: ['quit']};
	}

	// Ctrl-L, as in a shell or vim: whatever broke the screen (a wall message) is drawn over.
	if ((key.ctrl && input === 'l') || input === '\f') {
		return {commands: ['redraw']};
	}

	if (key.tab) {
		return {commands: [key.shift ? 'focus-back' : 'focus']};
	}

	const special = specialKeys.find(([name]) => key[name]);
	if (special) {
		return {commands: [special[1]]};
	}

	if (key.ctrl || key.meta) {
		return {commands: []};
	}

	const commands: Command[] = [];
	const text = [...input];
	for (const [index, character] of text.entries()) {
		if (character === '/' || character === ':') {
			const edited = applyEdits(text.slice(index + 1).join(''));
			return {
				commands,
				prompt: {
					kind: character === '/' ? 'search' : 'target',
					text: edited.value,
					isSubmitted: edited.isSubmitted,
				},
			};
		}

		const command = characters.get(character);
		if (command) {
			commands.push(command);
		}
	}

	return {commands};
}

/**
 * Ink 6.8 hands over keys that arrive in one read as one string, so a fast typist's backspace
 * (DEL, or BS) can land inside the text: apply it here, and drop every other control character.
 */
export function applyEdits(value: string): {
	readonly value: string;
	readonly isSubmitted: boolean;
} {
	let text = '';
	let isSubmitted = false;
	for (const character of value) {
		if (character === '\u007F' || character === '\b') {
			text = [...text].slice(0, -1).join('');
		} else if (character === '\r' || character === '\n') {
			// What follows Enter in the same read is not part of the text.
			isSubmitted = true;
			break;
		} else if (
			character >= ' ' &&
			(character < '\u007F' || character > '\u009F')
		) {
			text += character;
		}
	}

	return {value: text, isSubmitted};
}
