import {networkInterfaces} from 'node:os';
import type {CatalogueEntry} from '../catalogue/types.js';
import {
	matchesDaemon,
	type LocalSocket,
	type ResolvedTarget,
} from '../probe/index.js';
import {entryPorts} from './entry-rows.js';
import {liveKey} from './live-state.js';

const isLoopback = (address: string) =>
	address === '::1' ||
	address.startsWith('127.') ||
	address.toLowerCase().startsWith('::ffff:127.');

/**
 * Whether every address of the target is this machine: then the listening sockets tell who holds
 * each port. Loopback, or an address of one of this machine's interfaces.
 */
export function isLocalTarget(target: ResolvedTarget | undefined): boolean {
	if (!target?.isResolved || target.addresses.length === 0) {
		return false;
	}

	const own = new Set<string>();
	for (const addresses of Object.values(networkInterfaces())) {
		for (const {address} of addresses ?? []) {
			own.add(address.toLowerCase());
		}
	}

	return target.addresses.every(
		({address}) => isLoopback(address) || own.has(address.toLowerCase()),
	);
}

/** The socket on `port`/`protocol` of this machine, keyed `22/tcp`; one whose owner is known first. */
export function localSocketsByPair(
	sockets: readonly LocalSocket[],
): ReadonlyMap<string, LocalSocket> {
	const byPair = new Map<string, LocalSocket>();
	for (const socket of sockets) {
		const key = liveKey(socket.port, socket.protocol);
		const known = byPair.get(key);
		if (!known || (!known.process && socket.process)) {
			byPair.set(key, socket);
		}
	}

	return byPair;
}

/** Who holds an entry's port on this machine, and whether that is a daemon the catalogue expects. */
export type LocalOwner = {
	readonly socket: LocalSocket;
	/** Undefined when it cannot be said: owner hidden, or no daemon named. */
	readonly isExpected?: boolean;
};

/** The local owner of each entry's port (or range), keyed by entry id. */
export function localOwners(
	entries: readonly CatalogueEntry[],
	byPair: ReadonlyMap<string, LocalSocket>,
): ReadonlyMap<string, LocalOwner> {
	const owners = new Map<string, LocalOwner>();
	for (const entry of entries) {
		// A range is held by the first of its ports that has a socket (X11: display :0 on 6000).
		let socket: LocalSocket | undefined;
		for (const port of entryPorts(entry)) {
			socket = byPair.get(liveKey(port, entry.protocol));
			if (socket) {
				break;
			}
		}

		if (socket) {
			owners.set(entry.id, {
				socket,
				isExpected: matchesDaemon(socket.process, entry.daemons, {
					launch: entry.launch,
				}),
			});
		}
	}

	return owners;
}
