import {useMemo} from 'react';
import {describeLines, type DescribeLine} from '../components/describe-text.js';
import type {LocalSocket} from '../probe/types.js';
import {localUserNames} from '../probe/user-names.js';
import type {DashboardState} from '../state/dashboard-state.js';
import type {LiveRow} from '../state/live-state.js';
import type {DashboardView} from './use-dashboard-view.js';
import type {SocketList} from './probe-service.js';

export type UseDescribeOptions = {
	readonly state: DashboardState;
	readonly view: DashboardView;
	readonly host: string;
	/** The live rows by entry id, a range's ports merged. */
	readonly entryLive: ReadonlyMap<string, LiveRow>;
	/** The live rows by port key (`22/tcp`), for a socket of the `l` view. */
	readonly liveRows: ReadonlyMap<string, LiveRow>;
	readonly isLocal: boolean;
	readonly sockets: SocketList | undefined;
	/** Cells a line may take. */
	readonly width: number;
	readonly isAscii: boolean;
};

const none: readonly DescribeLine[] = [];

/** The describe view's lines for the selected port while it is open; none while it is closed. */
export function useDescribe({
	state,
	view,
	host,
	entryLive,
	liveRows,
	isLocal,
	sockets,
	width,
	isAscii,
}: UseDescribeOptions): readonly DescribeLine[] {
	const {selectedEntry, selectedListener} = view;
	return useMemo(() => {
		if (!state.isDescribeOpen) {
			return none;
		}

		const entry = selectedEntry ?? selectedListener?.entry;
		const span = entry ?? selectedListener?.socket;
		if (!span) {
			return none;
		}

		const first = span.port;
		const last = entry ? entry.endPort : first;
		const {protocol} = span;
		const onPort = (socket: LocalSocket) =>
			socket.protocol === protocol &&
			socket.port >= first &&
			socket.port <= last;
		const id = entry?.id ?? `${first}/${protocol}`;
		return describeLines({
			entry,
			id,
			host,
			row: selectedEntry
				? entryLive.get(selectedEntry.id)
				: liveRows.get(`${first}/${protocol}`),
			isLocal: isLocal || selectedListener !== undefined,
			sockets: sockets?.sockets.filter((socket) => onPort(socket)) ?? [],
			socketsNote: sockets
				? sockets.isAvailable
					? undefined
					: `unavailable: ${sockets.reason ?? 'no reason given'}`
				: 'reading the sockets of this machine ...',
			userNames: localUserNames(),
			width,
			isAscii,
		});
	}, [
		state.isDescribeOpen,
		selectedEntry,
		selectedListener,
		host,
		entryLive,
		liveRows,
		isLocal,
		sockets,
		width,
		isAscii,
	]);
}
