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
	exactName: 1,
	namePrefix: 2,
	substring: 3,
	text: 4,
	none: 5,
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
	{names: string[]; words: string; text: string}
>();
const haystack = (entry: CatalogueEntry) => {
	let value = cache.get(entry);
	if (!value) {
		const names = [entry.service, ...entry.aliases].map((name) =>
			name.toLowerCase(),
		);
		value = {
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

	const {names, words, text} = haystack(entry);
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
export function searchCatalogue(
	entries: readonly CatalogueEntry[],
	options: SearchOptions = {},
): CatalogueEntry[] {
	const {protocol = 'all', scope = 'curated'} = options;
	const terms = (options.query ?? '')
		.toLowerCase()
		.split(/[\s,]+/v)
		.filter(Boolean)
		.map((word) => parseTerm(word));
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
