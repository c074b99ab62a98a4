import Fuse from 'fuse.js';

/**
 * How far a suggestion may be from what was typed: Fuse's score runs from 0 (equal) to 1. At 0.4
 * `postgress` finds postgresql, `proto` protocol and `ngnix` nginx; `desc` finds no field.
 */
const threshold = 0.4;

/** No name is longer (a service name has at most 64 characters); Fuse's cost grows with the word. */
const maxWordLength = 64;

// One index per list of names: the catalogue's names are suggested on every search that finds nothing.
const indexes = new WeakMap<readonly string[], Fuse<string>>();

/**
 * The names nearest to `word`, best first (ties keep the order of `names`, so put the likelier
 * kind first). Fuse.js does the fuzzy matching: typos, a letter missing or doubled, a prefix.
 */
export function nearestNames(
	word: string,
	names: readonly string[],
	limit = 3,
): string[] {
	if (word.trim() === '' || word.length > maxWordLength || names.length === 0) {
		return [];
	}

	let index = indexes.get(names);
	if (!index) {
		index = new Fuse(names, {
			threshold,
			ignoreLocation: true,
			isCaseSensitive: false,
		});
		indexes.set(names, index);
	}

	const found: string[] = [];
	for (const {item} of index.search(word, {limit: limit * 3})) {
		if (
			found.length < limit &&
			!found.some((name) => name.toLowerCase() === item.toLowerCase())
		) {
			found.push(item);
		}
	}

	return found;
}
