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
	| 'open-only'
	| 'sort'
	| 'events'
	| 'events-pinned'
	| 'describe'
	| 'next-host'
	| 'previous-host'
	| 'redraw'
	| 'quit';

export type KeyCommands = {
	readonly commands: readonly Command[];
	/** `/` or `:` opens a text input; what followed it in the same read are its first keys. */
	readonly prompt?: {
		readonly kind: 'search' | 'target';
		readonly rest: string;
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
	['o', 'open-only'],
	['s', 'sort'],
	['e', 'events'],
	['p', 'events-pinned'],
	['h', 'next-host'],
	['H', 'previous-host'],
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
			return {
				commands,
				prompt: {
					kind: character === '/' ? 'search' : 'target',
					rest: text.slice(index + 1).join(''),
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
