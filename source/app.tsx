import {Box, Text} from 'ink';
import {useCallback, useMemo, useReducer, useState} from 'react';
import type {ProtocolFilter} from './args.js';
import type {Catalogue} from './catalogue/load.js';
import {DetailStrip} from './components/detail-strip.js';
import {EventLog} from './components/event-log.js';
import {Footer} from './components/footer.js';
import {Header} from './components/header.js';
import {HelpOverlay} from './components/help-overlay.js';
import {computeLayout, minimumSize} from './components/layout.js';
import {Panes} from './components/panes.js';
import {PromptLine} from './components/prompt-line.js';
import {countText, messageText, targetNote} from './components/status-text.js';
import {
	dashboardReducer,
	initialDashboardState,
} from './hooks/dashboard-state.js';
import {defaultProbeService} from './hooks/default-probe-service.js';
import {liveKey, type LiveEvent, type LiveRow} from './hooks/live-state.js';
import {
	isLocalTarget,
	localOwners,
	localSocketsByPair,
} from './hooks/local-target.js';
import type {ProbeService} from './hooks/probe-service.js';
import {useBell} from './hooks/use-bell.js';
import {useDashboardKeys, usePromptKeys} from './hooks/use-dashboard-keys.js';
import {useDashboardView, watchedKey} from './hooks/use-dashboard-view.js';
import {useListeners} from './hooks/use-listeners.js';
import {useLive} from './hooks/use-live.js';
import {useSettledValue} from './hooks/use-settled-value.js';
import {useTarget} from './hooks/use-target.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {parsePairs, useWatch} from './hooks/use-watch.js';
import type {LocalSocket, PortPair, Protocol} from './probe/index.js';

export type AppProps = {
	/** The catalogue to list, search and probe (the launcher loads it; a fuller one may follow). */
	readonly catalogue: Catalogue;
	/** The host watched first: a name or an address (`localhost` by default). */
	readonly initialHost: string;
	/** Time from the end of one sweep to the start of the next; `+` and `-` change it. */
	readonly initialIntervalMs: number;
	/** Borders in ASCII (`+-|`) rather than box drawing: a locale that is not UTF-8, or `--ascii`. */
	readonly isAscii: boolean;
	/** False under NO_COLOR: no colour; inverse, bold and underline still mark what they mark. */
	readonly isColor: boolean;
	/** `q` or Ctrl-C: the launcher unmounts the app and restores the terminal. */
	readonly onExit: () => void;
	/** How long a probe waits for an answer (`--timeout`); the probe service's default when undefined. */
	readonly timeoutMs?: number;
	/** The probe service; tests hand in a fake. The real service by default. */
	readonly probe?: ProbeService;
	/** The protocol filter to start with. */
	readonly initialProtocol?: ProtocolFilter;
};

const emptyRows: ReadonlyMap<string, LiveRow> = new Map();
const noEvents: readonly LiveEvent[] = [];
const noSockets: ReadonlyMap<string, LocalSocket> = new Map();
/** How long the ports in view must stay put before the watch restarts on them. */
const settleMs = 250;

/**
 * The dashboard: the catalogue beside the live probe of the ports in view, the selected entry in
 * full, the latest changes, and the keys. Never taller than the terminal's rows minus one.
 */
export function App({
	catalogue,
	initialHost,
	initialIntervalMs,
	isAscii,
	isColor,
	onExit,
	timeoutMs,
	probe = defaultProbeService,
	initialProtocol = 'all',
}: AppProps) {
	const size = useTerminalSize();
	const layout = useMemo(() => computeLayout(size), [size]);
	const [state, dispatch] = useReducer(
		dashboardReducer,
		{intervalMs: initialIntervalMs, protocol: initialProtocol},
		initialDashboardState,
	);
	const [notice, setNotice] = useState<string | undefined>(undefined);
	const target = useTarget({resolveTarget: probe.resolveTarget, initialHost});
	const {host} = target;
	const ring = useBell(state.isBellOn);
	const live = useLive({host, onChange: ring});
	const isLiveCurrent = live.state.host === host;
	const liveRows = isLiveCurrent ? live.state.rows : emptyRows;

	const isLocal = useMemo(
		() => isLocalTarget(target.resolved),
		[target.resolved],
	);
	const sockets = useListeners({
		listLocalSockets: probe.listLocalSockets,
		intervalMs: Math.max(1000, state.intervalMs),
		isActive: state.mode === 'listeners' || isLocal,
	});
	const view = useDashboardView({
		catalogue,
		state,
		sockets,
		page: layout.listRows,
	});
	const owners = useMemo(
		() =>
			localOwners(
				view.visibleEntries,
				isLocal && sockets?.isAvailable
					? localSocketsByPair(sockets.sockets)
					: noSockets,
			),
		[view.visibleEntries, isLocal, sockets],
	);

	const watched = useSettledValue(
		watchedKey(
			state.mode === 'listeners' ? [] : view.visibleEntries,
			state.pinned,
		),
		settleMs,
	);
	const pairs = useMemo(() => parsePairs(watched), [watched]);
	const expect = useCallback(
		(pair: PortPair) => catalogue.byPair(pair.port, pair.protocol),
		[catalogue],
	);
	useWatch({
		watch: probe.watch,
		host,
		pairs,
		intervalMs: state.intervalMs,
		timeoutMs,
		expect,
		onSnapshot: live.onSnapshot,
		onTransition: live.onTransition,
		onError: live.onError,
	});

	const {mode} = state;
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
			if (pair) {
				dispatch({type: 'toggle-pin', key: liveKey(pair.port, pair.protocol)});
			}
		},
		[mode, listenerItems, entries],
	);
	const {dismissError, change} = target;
	const onKey = useCallback(() => {
		setNotice(undefined);
		dismissError();
	}, [dismissError]);
	const onTargetSubmit = useCallback(
		(next: string) => {
			dispatch({type: 'close-target'});
			if (next.trim() !== '') {
				change(next);
			}
		},
		[change],
	);
	useDashboardKeys({
		state,
		dispatch,
		rowIds: view.rowIds,
		selectedIndex: view.selectedIndex,
		top: view.top,
		page: layout.listRows,
		eventCount: live.state.events.length,
		eventLines: layout.eventLines,
		onPin,
		onTarget: onTargetSubmit,
		onKey,
		onExit,
	});
	const onPromptEscape = useCallback(() => {
		dispatch(
			state.prompt === 'search'
				? {type: 'close-search', isKept: false}
				: {type: 'close-target'},
		);
	}, [state.prompt]);
	usePromptKeys({
		isActive: state.prompt !== 'none',
		onEscape: onPromptEscape,
		onExit,
	});

	const onQueryChange = useCallback((query: string) => {
		dispatch({type: 'set-query', query});
	}, []);
	const onQuerySubmit = useCallback(() => {
		dispatch({type: 'close-search', isKept: true});
	}, []);
	const onTargetChange = useCallback((draft: string) => {
		dispatch({type: 'set-target-draft', draft});
	}, []);
	const nameOf = useCallback(
		(port: number, protocol: Protocol) =>
			catalogue.byPair(port, protocol)?.service,
		[catalogue],
	);

	if (layout.isTooSmall) {
		return (
			<Box width={size.columns} height={1}>
				<Text wrap="truncate">
					{`portui needs ${minimumSize.columns}x${minimumSize.rows}; this terminal is ${size.columns}x${size.rows}. Enlarge it, or press q.`}
				</Text>
			</Box>
		);
	}

	const {selectedEntry, selectedListener} = view;
	const message = messageText({
		target,
		notice,
		probeError: isLiveCurrent ? live.state.error : undefined,
	});
	return (
		<Box flexDirection="column" width={layout.width} height={layout.height}>
			<Header
				width={layout.width}
				host={host}
				targetNote={targetNote(target, isLiveCurrent ? live.state : undefined)}
				protocol={state.protocol}
				count={countText({
					mode,
					shown: mode === 'listeners' ? listenerItems.length : entries.length,
					total: view.total,
					isRegistry: view.isRegistry,
					hasSockets: sockets?.isAvailable ?? false,
				})}
				intervalMs={state.intervalMs}
				isBellOn={state.isBellOn}
				clock={live.clock}
				isColor={isColor}
			/>
			{state.isHelpOpen ? (
				<HelpOverlay
					width={layout.width}
					height={layout.height - 2}
					isAscii={isAscii}
					isColor={isColor}
				/>
			) : (
				<>
					<PromptLine
						width={layout.width}
						prompt={state.prompt}
						query={state.query}
						targetDraft={state.targetDraft}
						message={message.text}
						isError={message.isError}
						isColor={isColor}
						onQueryChange={onQueryChange}
						onQuerySubmit={onQuerySubmit}
						onTargetChange={onTargetChange}
						onTargetSubmit={onTargetSubmit}
					/>
					<Panes
						layout={layout}
						mode={mode}
						focus={state.focus}
						isAscii={isAscii}
						isColor={isColor}
						pinned={view.pinnedSet}
						entries={view.visibleEntries}
						selectedEntryId={selectedEntry?.id}
						rows={liveRows}
						highlights={live.state.highlights}
						owners={owners}
						listeners={view.visibleListeners}
						selectedListenerId={selectedListener?.id}
						sockets={sockets}
					/>
					<DetailStrip
						width={layout.width}
						height={layout.detailLines}
						isAscii={isAscii}
						mode={mode}
						focus={state.focus}
						host={host}
						isLocal={isLocal}
						entry={selectedEntry}
						row={
							selectedEntry
								? liveRows.get(
										liveKey(selectedEntry.port, selectedEntry.protocol),
									)
								: undefined
						}
						owner={selectedEntry ? owners.get(selectedEntry.id) : undefined}
						listener={selectedListener}
					/>
					<EventLog
						events={isLiveCurrent ? live.state.events : noEvents}
						height={layout.eventLines}
						back={state.eventsBack}
						isFocused={state.focus === 'events'}
						isColor={isColor}
						nameOf={nameOf}
					/>
				</>
			)}
			<Footer
				width={layout.width}
				prompt={state.prompt}
				focus={state.focus}
				mode={mode}
				isHelpOpen={state.isHelpOpen}
			/>
		</Box>
	);
}
