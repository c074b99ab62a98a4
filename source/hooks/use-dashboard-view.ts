import {useMemo} from 'react';
import type {Catalogue} from '../catalogue/load.js';
import {searchCatalogue, suggestNames} from '../catalogue/search.js';
import type {CatalogueEntry} from '../catalogue/types.js';
import {bindScopeOf, exposureOf} from '../probe/exposure.js';
import {matchesDaemon} from '../probe/index.js';
import type {LocalSocket} from '../probe/types.js';
import {scrollTop, type DashboardState} from '../state/dashboard-state.js';
import {socketId, type ListenerItem} from '../state/listener-items.js';
import {entryPorts} from '../state/entry-rows.js';
import {liveKey} from '../state/live-state.js';
import type {SocketList} from './probe-service.js';
import {parsePair} from './use-watch.js';

export type UseDashboardViewOptions = {
	readonly catalogue: Catalogue;
	readonly state: DashboardState;
	readonly sockets?: SocketList;
	/** Rows a pane shows. */
	readonly page: number;
	/** The order and filter of `s` and `o` over the catalogue's or watch list's entries. */
	readonly arrange?: (
		entries: readonly CatalogueEntry[],
	) => readonly CatalogueEntry[];
};

export type DashboardView = {
	/** The query the rows were searched with: the search line's once typing pauses (useDashboardKeys). */
	readonly query: string;
	/** Every entry of the catalogue or watch mode, in order. */
	readonly entries: readonly CatalogueEntry[];
	/** The entries before `o` and `s`: under `o` they are all watched, so one that opens shows. */
	readonly candidates: readonly CatalogueEntry[];
	readonly listenerItems: readonly ListenerItem[];
	/** The ids of the rows of the current mode, in order. */
	readonly rowIds: readonly string[];
	readonly selectedIndex: number;
	readonly top: number;
	readonly visibleEntries: readonly CatalogueEntry[];
	readonly visibleListeners: readonly ListenerItem[];
	readonly selectedEntry?: CatalogueEntry;
	readonly selectedListener?: ListenerItem;
	/** The entries searched: curated, or (when nothing curated matched the query) every source. */
	readonly total: number;
	readonly isRegistry: boolean;
	readonly pinnedSet: ReadonlySet<string>;
	/** Names near a search that found nothing in the catalogue. */
	readonly suggestions: readonly string[];
	/** This machine's listeners that are an alarm case (see probe/exposure.ts); 0 without the tables. */
	readonly alarmCount: number;
};

/** What the catalogue shows: curated entries first; the registries only when nothing curated matches. */
function searchView(
	catalogue: Catalogue,
	query: string,
	protocol: DashboardState['protocol'],
) {
	const curated = searchCatalogue(catalogue.entries, {
		query,
		protocol,
		scope: 'curated',
	});
	if (curated.length > 0 || query.trim() === '') {
		return {
			entries: curated,
			total: catalogue.curated.length,
			isRegistry: false,
		};
	}

	return {
		entries: searchCatalogue(catalogue.entries, {
			query,
			protocol,
			scope: 'all',
		}),
		total: catalogue.entries.length,
		isRegistry: true,
	};
}

const socketExposure = (socket: LocalSocket, catalogue: Catalogue) =>
	exposureOf(
		bindScopeOf(socket.address),
		catalogue.byPair(socket.port, socket.protocol)?.verdict,
	);

function listenerItemsOf(
	catalogue: Catalogue,
	sockets: SocketList | undefined,
	state: DashboardState,
): ListenerItem[] {
	const query = state.query.trim().toLowerCase();
	const items: ListenerItem[] = [];
	for (const socket of sockets?.sockets ?? []) {
		if (state.protocol !== 'all' && socket.protocol !== state.protocol) {
			continue;
		}

		const entry = catalogue.byPair(socket.port, socket.protocol);
		const exposure = socketExposure(socket, catalogue);
		const unit = socket.owners?.[0]?.unit?.name ?? '';
		// `/alarm` in this view keeps the alarm cases; `/flagged`, `/loopback-only` likewise.
		const text =
			`${socket.port} ${socket.protocol} ${socket.address} ${socket.process ?? ''} ${unit} ${entry?.service ?? ''} ${exposure}`.toLowerCase();
		if (query && !query.split(/\s+/v).every((word) => text.includes(word))) {
			continue;
		}

		items.push({
			id: socketId(socket),
			socket,
			entry,
			exposure,
			isExpected: entry
				? matchesDaemon(socket.process, entry.daemons, {
						launch: entry.launch,
						unit: socket.owners?.[0]?.unit?.name,
					})
				: undefined,
		});
	}

	return items.toSorted(
		(a, b) =>
			a.socket.protocol.localeCompare(b.socket.protocol) ||
			a.socket.port - b.socket.port ||
			a.socket.family - b.socket.family ||
			a.id.localeCompare(b.id),
	);
}

/** A pinned port the catalogue does not know (given on the command line): its number is all there is. */
const uncataloguedEntry = (
	port: number,
	protocol: CatalogueEntry['protocol'],
): CatalogueEntry => ({
	id: `${port}/${protocol}`,
	port,
	endPort: port,
	protocol,
	service: '',
	longName: 'not in the catalogue',
	aliases: [],
	daemons: [],
	launch: [],
	source: 'user',
	isPrivileged: port < 1024,
	isTls: false,
});

/** The rows each mode lists, the selected one, and the window of rows in view. */
export function useDashboardView({
	catalogue,
	state,
	sockets,
	page,
	arrange,
}: UseDashboardViewOptions): DashboardView {
	const {protocol, pinned, mode, query} = state;
	const searched = useMemo(
		() => searchView(catalogue, query, protocol),
		[catalogue, query, protocol],
	);
	const pinnedSet = useMemo(() => new Set(pinned), [pinned]);
	const watched = useMemo(() => {
		const entries = pinned
			.map((key) => {
				const {port, protocol} = parsePair(key);
				return (
					catalogue.byPair(port, protocol) ?? uncataloguedEntry(port, protocol)
				);
			})
			.filter((entry) => entry !== undefined);
		return searchCatalogue(entries, {query, protocol, scope: 'all'});
	}, [catalogue, pinned, query, protocol]);
	const listenerItems = useMemo(
		() =>
			mode === 'listeners' ? listenerItemsOf(catalogue, sockets, state) : [],
		// The list depends on these fields of the state only.
		// eslint-disable-next-line react-hooks/exhaustive-deps
		[catalogue, sockets, mode, query, protocol],
	);

	const alarmCount = useMemo(
		() =>
			(sockets?.sockets ?? []).filter(
				(socket) => socketExposure(socket, catalogue) === 'alarm',
			).length,
		[catalogue, sockets],
	);
	const candidates = mode === 'watch' ? watched : searched.entries;
	const entries = useMemo(
		() => (arrange ? arrange(candidates) : candidates),
		[arrange, candidates],
	);
	// Names are suggested when the search found nothing, not when a state filter hides its finds.
	const suggestions = useMemo(
		() =>
			mode === 'catalogue' && candidates.length === 0 && query.trim() !== ''
				? suggestNames(catalogue.entries, query)
				: [],
		[catalogue, mode, candidates, query],
	);
	const rowIds = useMemo(
		() =>
			mode === 'listeners'
				? listenerItems.map((item) => item.id)
				: entries.map((entry) => entry.id),
		[mode, listenerItems, entries],
	);
	const selectedId = state.selected[mode];
	const found = selectedId === undefined ? -1 : rowIds.indexOf(selectedId);
	const selectedIndex = Math.max(0, found);
	const top = scrollTop(selectedIndex, state.tops[mode], page, rowIds.length);
	const visibleEntries = useMemo(
		() => entries.slice(top, top + page),
		[entries, top, page],
	);
	const visibleListeners = useMemo(
		() => listenerItems.slice(top, top + page),
		[listenerItems, top, page],
	);

	return {
		entries,
		candidates,
		listenerItems,
		rowIds,
		selectedIndex,
		top,
		visibleEntries,
		visibleListeners,
		selectedEntry: mode === 'listeners' ? undefined : entries[selectedIndex],
		selectedListener:
			mode === 'listeners' ? listenerItems[selectedIndex] : undefined,
		total: mode === 'watch' ? pinned.length : searched.total,
		isRegistry: mode === 'catalogue' && searched.isRegistry,
		pinnedSet,
		suggestions,
		alarmCount,
		query,
	};
}

/**
 * The most ports a view watches in all: 256 range entries of 256 ports each in view made one
 * sweep 65,536 connects and froze the dashboard. Pinned ports come first, then the rows in view
 * from the top.
 */
export const maxWatchedPorts = 1024;

/**
 * The pairs to watch, as a stable key (`22/tcp,53/udp`): the ports of the entries in view and of
 * every pinned one (a pin is kept as its entry's first port; `byPair` finds the entry, so a
 * pinned range is watched whole), up to `maxWatchedPorts`; and how many the cap left out.
 */
export function watchedPairs(
	visible: readonly CatalogueEntry[],
	pinned: readonly string[],
	byPair: Catalogue['byPair'],
): {readonly key: string; readonly leftOut: number} {
	const keys = new Set<string>();
	let leftOut = 0;
	const add = (
		entry: Pick<CatalogueEntry, 'port' | 'endPort' | 'protocol'>,
	) => {
		for (const port of entryPorts(entry)) {
			const key = liveKey(port, entry.protocol);
			if (keys.has(key)) {
				continue;
			}

			if (keys.size < maxWatchedPorts) {
				keys.add(key);
			} else {
				leftOut++;
			}
		}
	};

	for (const pair of pinned.map((key) => parsePair(key))) {
		const entry = byPair(pair.port, pair.protocol);
		add(entry?.port === pair.port ? entry : {...pair, endPort: pair.port});
	}

	for (const entry of visible) {
		add(entry);
	}

	return {key: sortedKey(keys), leftOut};
}

function sortedKey(keys: ReadonlySet<string>): string {
	return [...keys]
		.toSorted((a, b) => {
			const pairA = parsePair(a);
			const pairB = parsePair(b);
			return (
				pairA.protocol.localeCompare(pairB.protocol) || pairA.port - pairB.port
			);
		})
		.join(',');
}
