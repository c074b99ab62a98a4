import {
	useCallback,
	useEffect,
	useLayoutEffect,
	useMemo,
	useReducer,
	useRef,
	useState,
} from 'react';
import {useStdout} from 'ink';
import type {ProtocolFilter} from '../args.js';
import type {Catalogue} from '../catalogue/load.js';
import type {Layout} from '../components/layout.js';
import {
	isNoisyChange,
	type LocalSocket,
	type PortPair,
	type Protocol,
	type Transition,
} from '../probe/index.js';
import {
	dashboardReducer,
	initialDashboardState,
} from '../state/dashboard-state.js';
import {entryRows, isEntryHighlighted} from '../state/entry-rows.js';
import {
	arrangeEntries,
	stateCounts,
	type StateCounts,
} from '../state/arrange-rows.js';
import type {CatalogueEntry} from '../catalogue/types.js';
import {liveKey, type LiveRow} from '../state/live-state.js';
import {isLocalTarget, localOwners} from '../state/local-target.js';
import {listenerChanges} from '../state/listener-items.js';
import type {PinStore} from '../state/pins-store.js';
import {createPromptText} from '../state/prompt-text.js';
import {maxHelpTop} from '../components/help-overlay.js';
import {maxTextTop, textRows} from '../components/text-window.js';
import {redrawTerminal} from '../terminal/frame-stdout.js';
import {remoteOwners} from '../state/remote-target.js';
import {isSshUrl} from '../remote/destination.js';
import {sanitize} from '../probe/sanitize.js';
import {defaultProbeService} from './default-probe-service.js';
import type {ProbeService} from './probe-service.js';
import {useBell} from './use-bell.js';
import {useDescribe} from './use-describe.js';
import {useDashboardKeys} from './use-dashboard-keys.js';
import {
	maxWatchedPorts,
	useDashboardView,
	watchedPairs,
} from './use-dashboard-view.js';
import {useListeners} from './use-listeners.js';
import {useLive} from './use-live.js';
import {useSettledValue} from './use-settled-value.js';
import {useTarget} from './use-target.js';
import {useHosts} from './use-hosts.js';
import {parsePairs, type UseWatchOptions} from './use-watch.js';

/** An ssh:// host connected at run time: where the probes aim, and how its sockets are read. */
export type RemoteReader = {
	readonly host: string;
	readonly listLocalSockets: ProbeService['listLocalSockets'];
};

/** One host of several: what its watch reads now, for the host line. */
export type HostSummary = {
	readonly host: string;
	readonly isShown: boolean;
	/** Nothing of it is watched (the `l` view): no figure to give. */
	readonly isIdle: boolean;
	readonly error?: string;
	readonly counts: StateCounts;
};

const noEntries: readonly CatalogueEntry[] = [];

export type UseDashboardOptions = {
	readonly catalogue: Catalogue;
	readonly onNeedsRegistry?: () => void;
	readonly initialHost: string;
	/** Every host to watch at once, `initialHost` among them; just it when absent. */
	readonly initialHosts?: readonly string[];
	readonly initialIntervalMs: number;
	readonly initialProtocol?: ProtocolFilter;
	readonly timeoutMs?: number;
	readonly probe?: ProbeService;
	/** The host whose sockets `probe.listLocalSockets` reads over SSH, when it is not this machine. */
	readonly remoteHost?: string;
	/** Hosts whose sockets are read over SSH, each with its own reader. */
	readonly remotes?: ReadonlyMap<string, ProbeService['listLocalSockets']>;
	/** `:` with an ssh:// host: connect to it; absent, `:` says where ssh:// hosts are given. */
	readonly openRemote?: (text: string) => Promise<RemoteReader>;
	/** The hosts watched now, at each change (see App). */
	readonly onWatchedHosts?: (hosts: ReadonlySet<string>) => void;
	readonly layout: Layout;
	readonly onExit: () => void;
	/** Where pins are kept per host between sessions; none: pins last the session only. */
	readonly pinStore?: PinStore;
	/** Ports given on the command line: watched alone, in the watch list, instead of the kept pins. */
	readonly initialPins?: readonly string[];
	readonly isAscii?: boolean;
};

const emptyRows: ReadonlyMap<string, LiveRow> = new Map();
const noRemotes: ReadonlyMap<string, ProbeService['listLocalSockets']> =
	new Map();
const noSockets: readonly LocalSocket[] = [];
/** How long the ports in view must stay put before the watch restarts on them. */
const settleMs = 250;

/**
 * Everything the dashboard shows, wired to the probe service and the keyboard: its state (a
 * reducer), the target, the watch of the ports in view and pinned, this machine's sockets, and
 * the handlers of the text inputs. The App only lays it out.
 */
export function useDashboard({
	catalogue,
	onNeedsRegistry,
	initialHost,
	initialHosts,
	initialIntervalMs,
	initialProtocol = 'all',
	timeoutMs,
	probe = defaultProbeService,
	remoteHost,
	remotes: givenRemotes = noRemotes,
	openRemote,
	onWatchedHosts,
	layout,
	onExit,
	pinStore,
	initialPins,
	isAscii = false,
}: UseDashboardOptions) {
	// Read once: the pins kept for the first host, before the first frame.
	const kept = useMemo(
		() => pinStore?.load(initialHost),
		[pinStore, initialHost],
	);
	const [state, dispatch] = useReducer(
		dashboardReducer,
		{
			intervalMs: initialIntervalMs,
			protocol: initialProtocol,
			pinned: initialPins ?? kept?.pins,
			mode: initialPins ? 'watch' : undefined,
		},
		initialDashboardState,
	);
	const [notice, setNotice] = useState<string | undefined>(kept?.warning);
	const promptText = useMemo(() => createPromptText(), []);
	const target = useTarget({resolveTarget: probe.resolveTarget, initialHost});
	const {host} = target;
	// The command line's ssh:// hosts and those `:` connected to.
	const [remotes, setRemotes] = useState(givenRemotes);
	// Each host its own pins; `:` puts a host in the shown one's place.
	const firstHosts = useMemo(
		() => initialHosts ?? [initialHost],
		// eslint-disable-next-line react-hooks/exhaustive-deps -- the command line's hosts, read once
		[],
	);
	const {hosts, pinsOf, setPins, step} = useHosts({
		initialHosts: firstHosts,
		host,
		change: target.change,
		pinStore,
		initialPins,
		pinned: state.pinned,
		dispatch,
		onNotice: setNotice,
	});
	// A host `:` replaced, or one whose name did not resolve, is watched no more: its ssh
	// connection can go. One being resolved is kept.
	useEffect(() => {
		onWatchedHosts?.(new Set([...hosts, host, target.pending ?? host]));
	}, [hosts, host, target.pending, onWatchedHosts]);
	const readerOf = useCallback(
		(of: string) =>
			remotes.get(of) ??
			(of === remoteHost ? probe.listLocalSockets : undefined),
		[remotes, remoteHost, probe.listLocalSockets],
	);
	const ring = useBell(state.isBellOn);
	// Set below, once the watched pairs are known; the bell asks it at the time of a change.
	const isBellPair = useRef<(host: string, key: string) => boolean>(
		() => false,
	);
	const onChange = useCallback(
		(transition: Transition) => {
			if (
				transition.from !== undefined &&
				!isNoisyChange(transition.from, transition.to) &&
				isBellPair.current(
					transition.host,
					liveKey(transition.port, transition.protocol),
				)
			) {
				ring();
			}
		},
		[ring],
	);
	const live = useLive({
		host,
		hosts,
		intervalMs: state.intervalMs,
		onChange,
	});
	const isLiveCurrent = live.state.host === host;
	const liveRows = isLiveCurrent ? live.state.rows : emptyRows;

	const isLocal = useMemo(
		() => isLocalTarget(target.resolved),
		[target.resolved],
	);
	const remoteReader = readerOf(host);
	const isRemote = remoteReader !== undefined;
	const sockets = useListeners({
		listLocalSockets: remoteReader ?? probe.listLocalSockets,
		intervalMs: Math.max(1000, state.intervalMs),
		isActive: state.mode === 'listeners' || isLocal || isRemote,
	});
	// The `l` view logs listeners that appear and go, between two reads it showed.
	const shownSockets = useRef<readonly LocalSocket[] | undefined>(undefined);
	const {onListeners} = live;
	useEffect(() => {
		if (state.mode !== 'listeners' || !sockets?.isAvailable) {
			shownSockets.current = undefined;
			return;
		}

		const previous = shownSockets.current;
		shownSockets.current = sockets.sockets;
		if (previous) {
			const changes = listenerChanges(previous, sockets.sockets);
			if (changes.length > 0) {
				onListeners(changes);
			}
		}
	}, [state.mode, sockets, onListeners]);
	const {isOpenOnly, sortBy} = state;
	const arrange = useMemo(
		() =>
			isOpenOnly || sortBy !== 'port'
				? (entries: readonly CatalogueEntry[]) =>
						arrangeEntries(entries, entryRows(entries, liveRows), {
							isOpenOnly,
							sortBy,
						})
				: undefined,
		[isOpenOnly, sortBy, liveRows],
	);
	const view = useDashboardView({
		catalogue,
		state,
		sockets,
		page: layout.listRows,
		arrange,
	});
	// The registry loads when it would show: a search that finds nothing curated, or `l`.
	const {mode} = state;
	const isWaitingForRegistry =
		onNeedsRegistry !== undefined && (mode === 'listeners' || view.isRegistry);
	useEffect(() => {
		if (isWaitingForRegistry) {
			onNeedsRegistry?.();
		}
	}, [isWaitingForRegistry, onNeedsRegistry]);

	const owners = useMemo(() => {
		const read = sockets?.isAvailable ? sockets.sockets : noSockets;
		if (isRemote) {
			return sockets?.isAvailable
				? remoteOwners(view.visibleEntries, read, liveRows, target.resolved)
				: new Map<string, never>();
		}

		return localOwners(
			view.visibleEntries,
			isLocal ? read : noSockets,
			liveRows,
		);
	}, [
		view.visibleEntries,
		isLocal,
		isRemote,
		sockets,
		liveRows,
		target.resolved,
	]);

	const inView =
		state.mode === 'listeners'
			? noEntries
			: // Under `o` the rows that do not answer are watched too, so one that opens shows.
				isOpenOnly
				? view.candidates
				: view.visibleEntries;
	const wanted = useMemo(
		() => watchedPairs(inView, state.pinned, catalogue.byPair),
		[inView, state.pinned, catalogue.byPair],
	);
	// Every other host watches the same rows and its own pins: switching shows them observed.
	// One settled text for all, so a switch (the same pairs, another host shown) restarts none.
	const wantedAll = useMemo(
		() =>
			hosts
				.map(
					(item) =>
						`${item}=${item === host ? wanted.key : watchedPairs(inView, pinsOf(item), catalogue.byPair).key}`,
				)
				.join('\n'),
		[hosts, host, wanted.key, inView, pinsOf, catalogue.byPair],
	);
	const watchedAll = useSettledValue(wantedAll, settleMs);
	const keyOf = useMemo(() => {
		const keys = new Map(
			watchedAll.split('\n').map((line) => {
				const at = line.lastIndexOf('=');
				return [line.slice(0, at), line.slice(at + 1)];
			}),
		);
		// A host `:` just put in view is watched at once, on the rows in view.
		return (of: string) => keys.get(of) ?? (of === host ? wanted.key : '');
	}, [watchedAll, host, wanted.key]);
	const watched = keyOf(host);
	const pairs = useMemo(() => parsePairs(watched), [watched]);
	const {pinned} = state;
	// In the commit, not after it: a change that arrives right after a pin must ring by the new rule.
	useLayoutEffect(() => {
		// The help's promise: the pinned ports ring, or the ports in view when none is pinned;
		// on every host, by its own pins.
		const keys = new Map(
			hosts.map((item) => {
				const pins = item === host ? pinned : pinsOf(item);
				return [item, new Set(pins.length > 0 ? pins : keyOf(item).split(','))];
			}),
		);
		isBellPair.current = (of, key) => keys.get(of)?.has(key) ?? false;
	}, [hosts, host, pinned, pinsOf, keyOf]);
	const expect = useCallback(
		(pair: PortPair) => catalogue.byPair(pair.port, pair.protocol),
		[catalogue],
	);
	const watches = useMemo(
		() =>
			hosts.map((item): UseWatchOptions => ({
				watch: probe.watch,
				host: item,
				pairs: item === host ? pairs : parsePairs(keyOf(item)),
				intervalMs: state.intervalMs,
				timeoutMs,
				expect,
				onWatching: live.onWatching,
				onSnapshot: live.onSnapshot,
				onTransition: live.onTransition,
				onError: live.onError,
				onCadence: live.onCadence,
				// The same scanner as the `l` view's: its owner map is shared, so a sweep only rereads the tables.
				listLocalSockets: readerOf(item) ?? probe.listLocalSockets,
			})),
		[
			hosts,
			host,
			pairs,
			keyOf,
			probe,
			state.intervalMs,
			timeoutMs,
			expect,
			live.onWatching,
			live.onSnapshot,
			live.onTransition,
			live.onError,
			live.onCadence,
			readerOf,
		],
	);
	const {fleet} = live;
	const summaries = useMemo(
		(): readonly HostSummary[] =>
			hosts.length < 2
				? []
				: hosts.map((item) => {
						const own = fleet.byHost.get(item);
						return {
							host: item,
							isShown: item === host,
							isIdle: keyOf(item) === '',
							error: own?.error,
							counts: stateCounts(
								parsePairs(keyOf(item)).map(({port, protocol}) =>
									liveKey(port, protocol),
								),
								own?.rows ?? emptyRows,
								fleet.events,
								item,
							),
						};
					}),
		[hosts, host, fleet, keyOf],
	);

	// What the live pane and the detail strip show: a range's ports as one row.
	const {visibleEntries, selectedEntry} = view;
	const shownEntries = useMemo(
		() =>
			selectedEntry && !visibleEntries.includes(selectedEntry)
				? [...visibleEntries, selectedEntry]
				: visibleEntries,
		[visibleEntries, selectedEntry],
	);
	const entryLive = useMemo(
		() => entryRows(shownEntries, liveRows),
		[shownEntries, liveRows],
	);
	const {highlights} = live.state;
	const highlighted = useMemo(
		() =>
			new Set(
				shownEntries
					.filter((entry) => isEntryHighlighted(entry, highlights))
					.map((entry) => entry.id),
			),
		[shownEntries, highlights],
	);

	const {entries, listenerItems} = view;
	const onPin = useCallback(
		(index: number) => {
			const item = mode === 'listeners' ? listenerItems[index] : undefined;
			if (item && !item.entry) {
				setNotice(
					`${item.socket.port}/${item.socket.protocol} is not in the catalogue: nothing to pin`,
				);
				return;
			}

			const pair = item ? item.socket : entries[index];
			if (!pair) {
				return;
			}

			const key = liveKey(pair.port, pair.protocol);
			dispatch({type: 'toggle-pin', key});
			const next = pinned.includes(key)
				? pinned.filter((pin) => pin !== key)
				: [...pinned, key];
			setPins(host, next);
			const failure = pinStore?.save(host, next);
			if (failure) {
				setNotice(failure);
			}
		},
		[mode, listenerItems, entries, pinned, pinStore, host, setPins],
	);
	const {dismissError, change} = target;
	const {acknowledge} = live;
	const onKey = useCallback(() => {
		setNotice(undefined);
		dismissError();
		// A key says the user has seen the marked changes.
		acknowledge();
	}, [dismissError, acknowledge]);
	const onTargetSubmit = useCallback(
		(next: string) => {
			dispatch({type: 'close-target'});
			const text = next.trim();
			if (!isSshUrl(text)) {
				if (text !== '') {
					change(text);
				}

				return;
			}

			if (!openRemote) {
				setNotice(
					`${sanitize(text, 60)}: ssh:// hosts are given on the command line here`,
				);
				return;
			}

			setNotice(`connecting to ${sanitize(text, 60)} ...`);
			openRemote(text).then(
				(reader) => {
					setRemotes((map) =>
						new Map(map).set(reader.host, reader.listLocalSockets),
					);
					setNotice(undefined);
					change(reader.host);
				},
				(error: unknown) => {
					setNotice(
						`${sanitize(error instanceof Error ? error.message : String(error), 200)}; still watching ${host}`,
					);
				},
			);
		},
		[change, openRemote, host],
	);
	const counts = useMemo(
		() =>
			stateCounts(
				pairs.map(({port, protocol}) => liveKey(port, protocol)),
				liveRows,
				live.state.events,
				host,
			),
		[pairs, liveRows, live.state.events, host],
	);
	const {isEventsPinnedOnly} = state;
	const events = useMemo(
		() =>
			isEventsPinnedOnly
				? live.state.events.filter((event) =>
						pinned.includes(liveKey(event.port, event.protocol)),
					)
				: live.state.events,
		[isEventsPinnedOnly, live.state.events, pinned],
	);
	const describe = useDescribe({
		state,
		view,
		host,
		entryLive,
		liveRows,
		isLocal,
		sockets,
		width: layout.width - 4,
		isAscii,
	});
	// The help and the describe view take the panes' place: the height less header and footer.
	const textHeight = layout.height - 2;
	const {stdout} = useStdout();
	useDashboardKeys({
		describeScroll: {
			max: maxTextTop(describe.length, textHeight),
			page: textRows(textHeight),
		},
		helpScroll: {
			max: maxHelpTop(layout.width, textHeight, isAscii),
			page: textRows(textHeight),
		},
		onRedraw() {
			redrawTerminal(stdout);
		},
		state,
		dispatch,
		promptText,
		rowIds: view.rowIds,
		selectedIndex: view.selectedIndex,
		top: view.top,
		page: layout.listRows,
		eventCount: events.length,
		eventLines: layout.eventLines,
		onPin,
		host,
		onTarget: onTargetSubmit,
		onHost: step,
		onKey,
		onExit,
	});
	const nameOf = useCallback(
		(port: number, protocol: Protocol) =>
			catalogue.byPair(port, protocol)?.service,
		[catalogue],
	);

	return {
		state,
		promptText,
		target,
		live,
		isLiveCurrent,
		entryLive,
		highlighted,
		isWaitingForRegistry,
		isLocal,
		isIdle: pairs.length === 0,
		sockets,
		view,
		owners,
		notice:
			notice ??
			// A remote host's connection state (`ssh: connection lost, retrying in 5s`) stays in view.
			(isRemote && sockets && !sockets.isAvailable
				? `${host}: ${sockets.reason ?? 'its sockets cannot be read'}`
				: undefined) ??
			(wanted.leftOut > 0
				? `watching ${maxWatchedPorts} ports; ${wanted.leftOut} more in view are not probed: pin or search to choose`
				: undefined),
		nameOf,
		counts,
		events,
		watches,
		summaries,
		describe,
	};
}
