import {
	createListenerScanner,
	ownerHiddenByPermission,
	ownerHiddenFromRoot,
	type LocalSocketList,
} from '../probe/listeners.js';
import type {LocalSocket} from '../probe/types.js';
import {parseSnapshot, snapshotReader} from './snapshot.js';
import type {RawSnapshot, SshSession} from './ssh-session.js';

/** Not root on the remote host, and no --sudo. */
export const remoteOwnerHidden =
	"owner hidden: another user's process; --sudo names it (sudo -n on the host)";

export type RemoteSocketList = LocalSocketList & {
	/** What the refresh cost, when it ran. */
	readonly cost?: Pick<RawSnapshot, 'bytesIn' | 'bytesOut' | 'ms'>;
};

/**
The listening sockets of a host over SSH: the snapshot the session fetches is served to the very
scanner that reads this machine (listeners.ts), through a `ProcReader` over the snapshot, so the
parsing, the owners and the reasons an owner is hidden are one piece of code for both.
*/
export function createRemoteListenerScanner(session: SshSession) {
	return {
		async list(
			options: {readonly signal?: AbortSignal} = {},
		): Promise<RemoteSocketList> {
			let raw: RawSnapshot;
			try {
				raw = await session.snapshot(options);
			} catch (error) {
				if (options.signal?.aborted) {
					throw error;
				}

				return {
					isAvailable: false,
					reason: error instanceof Error ? error.message : String(error),
					sockets: [],
				};
			}

			const snapshot = parseSnapshot(raw.text);
			const scanner = createListenerScanner({
				reader: snapshotReader(snapshot),
				platform: 'linux',
				euid: snapshot.euid,
			});
			const list = await scanner.list({
				refreshOwners: true,
				signal: options.signal,
			});
			const {bytesIn, bytesOut, ms} = raw;
			return {
				...list,
				sockets: list.sockets.map((socket) => remoteReason(socket)),
				cost: {bytesIn, bytesOut, ms},
			};
		},
	};
}

function remoteReason(socket: LocalSocket): LocalSocket {
	if (socket.ownerHidden === ownerHiddenByPermission) {
		return {...socket, ownerHidden: remoteOwnerHidden};
	}

	if (socket.ownerHidden === ownerHiddenFromRoot) {
		return {
			...socket,
			ownerHidden:
				'owner hidden: the host refused to show some processes even to root',
		};
	}

	return socket;
}
