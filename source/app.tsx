import {Box, Text} from 'ink';
import {useMemo} from 'react';
import type {ProtocolFilter} from './args.js';
import type {Catalogue} from './catalogue/load.js';
import {DescribeView} from './components/describe-view.js';
import {DetailStrip} from './components/detail-strip.js';
import {EventLog} from './components/event-log.js';
import {Footer} from './components/footer.js';
import {Header} from './components/header.js';
import {HelpOverlay} from './components/help-overlay.js';
import {HostLine} from './components/host-line.js';
import {HostWatches} from './components/host-watches.js';
import {computeLayout, minimumSize} from './components/layout.js';
import {Panes} from './components/panes.js';
import {PromptLine} from './components/prompt-line.js';
import {
	arrangementText,
	countText,
	messageText,
	targetNote,
} from './components/status-text.js';
import type {ProbeService} from './hooks/probe-service.js';
import {type RemoteReader, useDashboard} from './hooks/use-dashboard.js';
import {paletteContext} from './components/theme-context.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import type {PinStore} from './state/pins-store.js';
import {palettes, type ThemeName} from './terminal/theme.js';

export type AppProps = {
	/** The catalogue to list, search and probe (the launcher loads it; a fuller one may follow). */
	readonly catalogue: Catalogue;
	/**
	 * Set while `catalogue` holds only the curated and user entries: called once a search finds
	 * nothing there or `l` lists this machine's sockets, for IANA's registry and /etc/services
	 * (some 11,000 entries, 10 MiB a dashboard need not hold until then). The launcher then
	 * renders the app again with the full catalogue and without this callback.
	 */
	readonly onNeedsRegistry?: () => void;
	/** The host watched first: a name or an address (`localhost` by default). */
	readonly initialHost: string;
	/** Several hosts watched at once (`initialHost` first): `h` shows the next. */
	readonly initialHosts?: readonly string[];
	/**
	 * `:` with an ssh:// host: connects (the launcher closes it at the end) and says where the
	 * probes aim. Absent: `:` says ssh:// hosts are given on the command line.
	 */
	readonly openRemote?: (text: string) => Promise<RemoteReader>;
	/** Hosts whose sockets are read over SSH: each one's reader. */
	readonly remotes?: ReadonlyMap<string, ProbeService['listLocalSockets']>;
	/**
	 * The hosts watched now (those of the host line, the shown one, one being resolved), at each
	 * change: the launcher closes the ssh connection of a host that is not among them any more.
	 */
	readonly onWatchedHosts?: (hosts: ReadonlySet<string>) => void;
	/** Time from the end of one sweep to the start of the next; `+` and `-` change it. */
	readonly initialIntervalMs: number;
	/** Borders in ASCII (`+-|`) rather than box drawing: a locale that is not UTF-8, or `--ascii`. */
	readonly isAscii: boolean;
	/** False under NO_COLOR: no colour; inverse, bold and underline still mark what they mark. */
	readonly isColor: boolean;
	/** The colours for the terminal's background (`--theme`, COLORFGBG); `auto` reads on either. */
	readonly theme?: ThemeName;
	/** `q` or Ctrl-C: the launcher unmounts the app and restores the terminal. */
	readonly onExit: () => void;
	/** How long a probe waits for an answer (`--timeout`); the probe service's default when undefined. */
	readonly timeoutMs?: number;
	/** The probe service; tests hand in a fake. The real service by default. */
	readonly probe?: ProbeService;
	/** An ssh:// target's probe host: `probe.listLocalSockets` reads that host over SSH. */
	readonly remoteHost?: string;
	/** The protocol filter to start with. */
	readonly initialProtocol?: ProtocolFilter;
	/** Where pins are kept per host between sessions; none: they last the session. */
	readonly pinStore?: PinStore;
	/** Ports given on the command line (`22/tcp` keys): the watch list, watched alone. */
	readonly initialPins?: readonly string[];
};

/**
 * The dashboard: the catalogue beside the live probe of the ports in view, the selected entry in
 * full, the latest changes, and the keys. Never taller than the terminal's rows minus one.
 */
export function App({theme = 'auto', isColor, ...props}: AppProps) {
	return (
		<paletteContext.Provider value={isColor ? palettes[theme] : undefined}>
			<Dashboard isColor={isColor} {...props} />
		</paletteContext.Provider>
	);
}

function Dashboard({isAscii, isColor, ...options}: Omit<AppProps, 'theme'>) {
	const size = useTerminalSize();
	// Several hosts: their line takes a row of the panes.
	const hostLines = (options.initialHosts?.length ?? 1) > 1 ? 1 : 0;
	const layout = useMemo(
		() => computeLayout(size, {hostLines}),
		[size, hostLines],
	);
	const dashboard = useDashboard({...options, layout, isAscii});
	const {
		state,
		target,
		live,
		isLiveCurrent,
		entryLive,
		highlighted,
		isLocal,
		sockets,
		view,
		owners,
		notice,
		nameOf,
	} = dashboard;
	const {host} = target;
	const {mode} = state;

	if (layout.isTooSmall) {
		// Wrapped, not cut: at 40x12 the sentence is the whole screen.
		return (
			<Box width={size.columns}>
				<Text wrap="wrap">
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
				targetNote={targetNote(target)}
				protocol={state.protocol}
				count={`${countText({
					mode,
					shown:
						mode === 'listeners'
							? view.listenerItems.length
							: view.entries.length,
					total: view.total,
					isRegistry: view.isRegistry,
					hasSockets: sockets?.isAvailable ?? false,
				})}${view.alarmCount > 0 ? `  ${view.alarmCount} alarm` : ''}`}
				arrangement={arrangementText(state)}
				states={mode === 'listeners' ? undefined : dashboard.counts}
				intervalMs={state.intervalMs}
				cadence={live.cadence}
				isIdle={dashboard.isIdle}
				isBellOn={state.isBellOn}
				clock={live.clock}
				isColor={isColor}
				isUnresolved={target.resolved?.isResolved === false}
			/>
			<HostWatches watches={dashboard.watches} />
			{/* Over the panes only: the help, describe and event views keep their height. */}
			{hostLines > 0 &&
			!state.isHelpOpen &&
			!(state.isDescribeOpen && dashboard.describe.length > 0) &&
			!state.isEventsOpen ? (
				<HostLine
					width={layout.width}
					hosts={dashboard.summaries}
					isColor={isColor}
				/>
			) : undefined}
			{state.isHelpOpen ? (
				<HelpOverlay
					width={layout.width}
					height={layout.height - 2}
					isAscii={isAscii}
					isColor={isColor}
					top={state.helpTop}
				/>
			) : state.isDescribeOpen && dashboard.describe.length > 0 ? (
				<DescribeView
					width={layout.width}
					height={layout.height - 2}
					isAscii={isAscii}
					isColor={isColor}
					lines={dashboard.describe}
					top={state.describeTop}
				/>
			) : state.isEventsOpen ? (
				<EventLog
					isFull
					isHostShown
					isFocused
					events={dashboard.events}
					height={layout.height - 2}
					back={state.eventsBack}
					isColor={isColor}
					nameOf={nameOf}
					title={`events: ${dashboard.events.length}${state.isEventsPinnedOnly ? ' of pinned ports' : ''}  (j k PgUp PgDn scroll, p pinned only, e or Esc close)`}
				/>
			) : (
				<>
					<PromptLine
						width={layout.width}
						prompt={state.prompt}
						text={dashboard.promptText}
						query={state.query}
						message={message.text}
						isError={message.isError}
						isColor={isColor}
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
						rows={entryLive}
						highlighted={highlighted}
						owners={owners}
						listeners={view.visibleListeners}
						selectedListenerId={selectedListener?.id}
						sockets={sockets}
						isWaitingForRegistry={dashboard.isWaitingForRegistry}
						query={view.query}
						suggestions={view.suggestions}
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
						row={selectedEntry ? entryLive.get(selectedEntry.id) : undefined}
						owner={selectedEntry ? owners.get(selectedEntry.id) : undefined}
						listener={selectedListener}
					/>
					<EventLog
						events={dashboard.events}
						isHostShown={live.state.hosts.length > 1}
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
