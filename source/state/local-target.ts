import type {CatalogueEntry} from '../catalogue/types.js';
import {
	coveringSockets,
	matchesDaemon,
	type LocalSocket,
} from '../probe/index.js';
import {entryPorts} from './entry-rows.js';
import {liveKey, type LiveRow} from './live-state.js';

export {isLocalTarget} from '../probe/index.js';

/** Who holds an entry's port on this machine, and whether that is a daemon the catalogue expects. */
export type LocalOwner = {
	/** Absent only for a remote host where something answers and nothing listens. */
	readonly socket?: LocalSocket;
	/** A remote host's inside beside outside (remote-target.ts). */
	readonly verdict?: string;
	/** Undefined when it cannot be said: owner hidden, or no daemon named. */
	readonly isExpected?: boolean;
};

/**
 * The socket that takes what answered on `row`: bound to an address that covers one the watch
 * found open (0.0.0.0 covers 127.0.0.x, `::` covers ::1; 127.0.0.1 does not cover ::1), one whose
 * owner is known first. A port that is closed, or not probed yet, has no owner.
 */
export function owningSocket(
	sockets: readonly LocalSocket[],
	port: number,
	protocol: LocalSocket['protocol'],
	row: LiveRow | undefined,
): LocalSocket | undefined {
	if (!row || row.openAddresses.length === 0) {
		return undefined;
	}

	const taking = row.openAddresses.flatMap((probed) =>
		coveringSockets(
			sockets.filter((socket) => socket.protocol === protocol),
			port,
			probed,
		),
	);
	return taking.find((socket) => socket.process) ?? taking[0];
}

/** The local owner of each entry's port (or range), keyed by entry id, from the rows the watch observed. */
export function localOwners(
	entries: readonly CatalogueEntry[],
	sockets: readonly LocalSocket[],
	rows: ReadonlyMap<string, LiveRow>,
): ReadonlyMap<string, LocalOwner> {
	const owners = new Map<string, LocalOwner>();
	if (sockets.length === 0) {
		return owners;
	}

	for (const entry of entries) {
		// A range is held by the first of its ports that has an owner (X11: display :0 on 6000).
		let socket: LocalSocket | undefined;
		for (const port of entryPorts(entry)) {
			const key = liveKey(port, entry.protocol);
			socket = owningSocket(sockets, port, entry.protocol, rows.get(key));
			if (socket) {
				break;
			}
		}

		if (socket) {
			owners.set(entry.id, {
				socket,
				isExpected: matchesDaemon(socket.process, entry.daemons, {
					launch: entry.launch,
					unit: socket.owners?.[0]?.unit?.name,
				}),
			});
		}
	}

	return owners;
}
