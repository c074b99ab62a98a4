import type {CatalogueEntry} from '../catalogue/types.js';
import {matchesDaemon, type LocalSocket} from '../probe/index.js';
import type {ResolvedTarget} from '../probe/types.js';
import {insideOf} from '../remote/inside.js';
import {entryPorts} from './entry-rows.js';
import {liveKey, type LiveRow} from './live-state.js';
import {owningSocket, type LocalOwner} from './local-target.js';

/**
 * For a host read over SSH: each entry's holder on that host and the verdict of inside beside
 * outside (`listening on 0.0.0.0, not reachable from here (firewalled)`), for every port the
 * watch has read, open or not: a port that does not answer is where the verdict matters most.
 */
export function remoteOwners(
	entries: readonly CatalogueEntry[],
	sockets: readonly LocalSocket[],
	rows: ReadonlyMap<string, LiveRow>,
	target: ResolvedTarget | undefined,
): ReadonlyMap<string, LocalOwner> {
	const owners = new Map<string, LocalOwner>();
	if (!target?.isResolved) {
		return owners;
	}

	for (const entry of entries) {
		for (const port of entryPorts(entry)) {
			const row = rows.get(liveKey(port, entry.protocol));
			if (!row) {
				continue;
			}

			const {verdict} = insideOf(
				{port, protocol: entry.protocol, state: row.state},
				sockets,
				target,
			);
			const socket =
				owningSocket(sockets, port, entry.protocol, row) ??
				sockets.find(
					(candidate) =>
						candidate.port === port && candidate.protocol === entry.protocol,
				);
			if (socket === undefined && verdict === undefined) {
				continue;
			}

			owners.set(entry.id, {
				socket,
				verdict,
				isExpected: socket
					? matchesDaemon(socket.process, entry.daemons, {launch: entry.launch})
					: undefined,
			});
			break;
		}
	}

	return owners;
}
