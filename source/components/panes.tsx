import {Box} from 'ink';
import {memo} from 'react';
import type {CatalogueEntry} from '../catalogue/types.js';
import type {Focus, Mode} from '../state/dashboard-state.js';
import type {ListenerItem} from '../state/listener-items.js';
import type {LiveRow} from '../state/live-state.js';
import type {LocalOwner} from '../state/local-target.js';
import type {SocketList} from '../hooks/probe-service.js';
import {CataloguePane} from './catalogue-pane.js';
import type {Layout} from './layout.js';
import {ListenersPane} from './listeners-pane.js';
import {LivePane} from './live-pane.js';
import type {PaneFrame} from './pane.js';

export type PanesProps = {
	readonly layout: Layout;
	readonly mode: Mode;
	readonly focus: Focus;
	readonly isAscii: boolean;
	readonly isColor: boolean;
	readonly pinned: ReadonlySet<string>;
	readonly entries: readonly CatalogueEntry[];
	readonly selectedEntryId: string | undefined;
	/** The live rows by entry id. */
	readonly rows: ReadonlyMap<string, LiveRow>;
	/** The ids of the entries that changed a moment ago. */
	readonly highlighted: ReadonlySet<string>;
	readonly owners: ReadonlyMap<string, LocalOwner>;
	readonly listeners: readonly ListenerItem[];
	readonly selectedListenerId: string | undefined;
	readonly sockets: SocketList | undefined;
	/** Nothing curated matched and IANA's registry is on its way. */
	readonly isWaitingForRegistry: boolean;
	/** The search: its matches are marked in the catalogue's rows. */
	readonly query?: string;
	/** Names near a search that found nothing (`postgresql` for `postgress`). */
	readonly suggestions?: readonly string[];
};

function listenersEmptyText(sockets: SocketList | undefined): string {
	if (!sockets) {
		return 'reading the sockets of this machine ...';
	}

	return sockets.isAvailable
		? 'no listening socket matches'
		: `unavailable: ${sockets.reason ?? 'no reason given'}`;
}

/** The catalogue beside the live probe, or this machine's listening sockets across the width. */
function PanesView(props: PanesProps) {
	const {layout, mode, focus, isAscii, isColor, pinned} = props;
	// The panes differ in width and in whether the keys act on them.
	const frame = (width: number, isFocused: boolean): PaneFrame => ({
		width,
		height: layout.paneHeight,
		isFocused,
		isAscii,
		isColor,
	});
	if (mode === 'listeners') {
		return (
			<ListenersPane
				{...frame(layout.width, focus !== 'events')}
				items={props.listeners}
				selectedId={props.selectedListenerId}
				pinned={pinned}
				emptyText={listenersEmptyText(props.sockets)}
			/>
		);
	}

	return (
		<Box flexDirection="row" height={layout.paneHeight} flexShrink={0}>
			<CataloguePane
				{...frame(layout.leftWidth, focus === 'catalogue')}
				entries={props.entries}
				selectedId={props.selectedEntryId}
				pinned={pinned}
				query={props.query}
				emptyText={
					mode === 'watch'
						? 'nothing pinned: Space pins the selected entry, w goes back'
						: props.isWaitingForRegistry
							? "searching IANA's registry and /etc/services ..."
							: props.suggestions && props.suggestions.length > 0
								? `did you mean ${props.suggestions.join(', ')}? (nothing matches; Esc clears)`
								: 'nothing matches: Esc clears the search'
				}
			/>
			<LivePane
				{...frame(layout.rightWidth, focus === 'live')}
				entries={props.entries}
				rows={props.rows}
				owners={props.owners}
				highlighted={props.highlighted}
				selectedId={props.selectedEntryId}
			/>
		</Box>
	);
}

// Its props change with the rows, not with a key typed into a prompt.
export const Panes = memo(PanesView);
