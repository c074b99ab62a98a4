import {nearestNames} from './suggest.js';
import type {CatalogueEntry, Protocol} from './types.js';

export type SearchOptions = {
	readonly query?: string;
	readonly protocol?: Protocol | 'all';
	/** `curated` keeps curated and user entries; `all` adds IANA's registry and /etc/services. */
	readonly scope?: 'curated' | 'all';
};

/** How well one query word matched, best first. */
const tiers = {
	exactPort: 0,
	portPrefix: 1,
	exactName: 2,
	namePrefix: 3,
	substring: 4,
	text: 5,
	none: 6,
} as const;
type Tier = (typeof tiers)[keyof typeof tiers];

type Term = {
	readonly text: string;
	readonly port?: number;
	readonly protocol?: Protocol;
	/** For a number: the number standing alone, so that 22 does not find 2022 or 11 x11. */
	readonly alone?: RegExp;
};

const parseTerm = (word: string): Term => {
	const match = /^(\d{1,5})(?:\/(tcp|udp))?$/v.exec(word);
	const port = Number(match?.[1]);
	if (match && port <= 65_535) {
		return {
			text: word,
			port,
			protocol: match[2] as Protocol | undefined,
			alone: new RegExp(String.raw`(?<![a-z\d])${match[1]!}(?![a-z\d])`, 'v'),
		};
	}

	return {text: word};
};

// Lower-cased text per entry, built once: search runs on every keystroke over ~12,000 entries.
const cache = new WeakMap<
	CatalogueEntry,
	{port: string; names: string[]; words: string; text: string}
>();
const haystack = (entry: CatalogueEntry) => {
	let value = cache.get(entry);
	if (!value) {
		const names = [entry.service, ...entry.aliases].map((name) =>
			name.toLowerCase(),
		);
		value = {
			port: String(entry.port),
			names,
			words: [entry.longName, ...entry.daemons].join(' ').toLowerCase(),
			text: [
				entry.remark ?? '',
				entry.pageClaim ?? '',
				entry.launch.join(' '),
				entry.verdict ?? '',
			]
				.join(' ')
				.toLowerCase(),
		};
		cache.set(entry, value);
	}

	return value;
};

function matchTerm(entry: CatalogueEntry, term: Term): Tier {
	if (term.port !== undefined) {
		if (term.protocol && term.protocol !== entry.protocol) {
			return tiers.none;
		}

		if (term.port >= entry.port && term.port <= entry.endPort) {
			return tiers.exactPort;
		}

		if (term.protocol) {
			return tiers.none;
		}
	}

	const {port, names, words, text} = haystack(entry);
	// Digits typed are often the start of a port: 400 finds 40022, below the exact ports.
	if (term.port !== undefined && port.startsWith(term.text)) {
		return tiers.portPrefix;
	}

	if (term.alone) {
		if (
			names.some((name) => term.alone!.test(name)) ||
			term.alone.test(words)
		) {
			return tiers.substring;
		}

		return term.alone.test(text) ? tiers.text : tiers.none;
	}

	if (names.includes(term.text)) {
		return tiers.exactName;
	}

	if (names.some((name) => name.startsWith(term.text))) {
		return tiers.namePrefix;
	}

	if (
		names.some((name) => name.includes(term.text)) ||
		words.includes(term.text)
	) {
		return tiers.substring;
	}

	return text.includes(term.text) ? tiers.text : tiers.none;
}

const isCurated = (entry: CatalogueEntry) =>
	entry.source === 'curated' || entry.source === 'user';

/**
 * The one search of portui: `portui list`, the dashboard and port names in `probe` all use it.
 * Every word must match; ranked by exact port, then curated before registry entries, then name
 * prefix, substring, and the rest (remark words), then by port.
 */
const termsOf = (query: string) =>
	query
		.toLowerCase()
		.split(/[\s,]+/v)
		.filter(Boolean)
		.map((word) => parseTerm(word));

export function searchCatalogue(
	entries: readonly CatalogueEntry[],
	options: SearchOptions = {},
): CatalogueEntry[] {
	const {protocol = 'all', scope = 'curated'} = options;
	const terms = termsOf(options.query ?? '');
	const ranked: Array<{
		entry: CatalogueEntry;
		portTier: number;
		curatedTier: number;
		tier: Tier;
	}> = [];
	for (const entry of entries) {
		if (
			(protocol !== 'all' && entry.protocol !== protocol) ||
			(scope === 'curated' && !isCurated(entry))
		) {
			continue;
		}

		let tier: Tier = tiers.exactPort;
		let hasPort = terms.length > 0;
		for (const term of terms) {
			const termTier = matchTerm(entry, term);
			tier = Math.max(tier, termTier) as Tier;
			hasPort &&= termTier === tiers.exactPort;
			if (tier === tiers.none) {
				break;
			}
		}

		if (tier !== tiers.none) {
			ranked.push({
				entry,
				portTier: hasPort ? 0 : 1,
				curatedTier: isCurated(entry) ? 0 : 1,
				tier,
			});
		}
	}

	// Sort is stable and entries arrive in port order, so equal ranks stay in port order.
	ranked.sort(
		(a, b) =>
			a.portTier - b.portTier ||
			a.curatedTier - b.curatedTier ||
			a.tier - b.tier,
	);
	return ranked.map(({entry}) => entry);
}

/** A stretch of a cell's text that the query matched: [start, end) in UTF-16 units. */
export type Span = readonly [start: number, end: number];

/**
 * What of a row's `text` to mark for `query`: in a port cell (`kind: 'port'`) the digits a
 * number matched (the whole label for a port inside a range); in a name cell every place a word
 * occurs, a number only where it stands alone, as the search matches it.
 */
export function matchedSpans(
	text: string,
	query: string,
	kind: 'port' | 'name',
): Span[] {
	const spans: Span[] = [];
	const lower = text.toLowerCase();
	for (const term of termsOf(query)) {
		if (kind === 'port') {
			if (term.port !== undefined) {
				const digits = term.text.split('/')[0]!;
				const [first = 0, last = first] = text.split('-').map(Number);
				if (last > first && term.port >= first && term.port <= last) {
					spans.push([0, text.length]);
				} else if (text.startsWith(digits)) {
					spans.push([0, digits.length]);
				}
			}

			continue;
		}

		if (term.alone) {
			const pattern = new RegExp(term.alone.source, 'gv');
			for (const match of lower.matchAll(pattern)) {
				spans.push([match.index, match.index + match[0].length]);
			}

			continue;
		}

		for (
			let at = lower.indexOf(term.text);
			at !== -1;
			at = lower.indexOf(term.text, at + term.text.length)
		) {
			spans.push([at, at + term.text.length]);
		}
	}

	return mergeSpans(spans);
}

function mergeSpans(spans: Span[]): Span[] {
	const merged: Array<[number, number]> = [];
	for (const [start, end] of spans.toSorted((a, b) => a[0] - b[0])) {
		const last = merged.at(-1);
		if (last && start <= last[1]) {
			last[1] = Math.max(last[1], end);
		} else {
			merged.push([start, end]);
		}
	}

	return merged;
}

// The names a misspelt query is compared with: service names first, then aliases and daemons.
const namesCache = new WeakMap<readonly CatalogueEntry[], string[]>();
function searchableNames(entries: readonly CatalogueEntry[]): string[] {
	let names = namesCache.get(entries);
	if (!names) {
		const curated = entries.filter((entry) => isCurated(entry));
		names = [
			...new Set([
				...curated.map((entry) => entry.service),
				...curated.flatMap((entry) => [...entry.aliases, ...entry.daemons]),
			]),
		];
		namesCache.set(entries, names);
	}

	return names;
}

/**
 * For a query that found nothing: the curated names nearest to its first word that matches no
 * entry alone (`postgress` -> postgresql), best first. Numbers get none: a port is no typo.
 */
export function suggestNames(
	entries: readonly CatalogueEntry[],
	query: string,
): string[] {
	const word = query
		.toLowerCase()
		.split(/[\s,]+/v)
		.find(
			(word) =>
				word !== '' &&
				parseTerm(word).port === undefined &&
				!/^\d/v.test(word) &&
				searchCatalogue(entries, {query: word}).length === 0,
		);
	return word === undefined ? [] : nearestNames(word, searchableNames(entries));
}
