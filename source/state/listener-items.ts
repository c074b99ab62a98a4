import type {CatalogueEntry} from '../catalogue/types.js';
import type {Exposure} from '../probe/exposure.js';
import type {LocalSocket} from '../probe/types.js';

export type ListenerItem = {
	/** `tcp 0.0.0.0:22`. */
	readonly id: string;
	readonly socket: LocalSocket;
	readonly entry?: CatalogueEntry;
	/** Whether the process is a daemon the catalogue expects there; undefined when it cannot be said. */
	readonly isExpected?: boolean;
	/** The exposure verdict of the socket beside the catalogue's (probe/exposure.ts). */
	readonly exposure?: Exposure;
};

export const socketId = (socket: LocalSocket) =>
	`${socket.protocol} ${socket.family === 6 ? `[${socket.address}]` : socket.address}:${socket.port}`;

/** The owner in a few cells: `sshd 812`, `(hidden)`. */
export const ownerLabel = (socket: LocalSocket) =>
	socket.process
		? `${socket.process}${socket.pid === undefined ? '' : ` ${socket.pid}`}`
		: socket.ownerHidden
			? '(hidden)'
			: '';

/** A listening socket that appeared or went away between two reads of the socket tables. */
export type ListenerChange = {
	readonly socket: LocalSocket;
	readonly hasAppeared: boolean;
};

/**
 * What changed between two consecutive reads of this machine's sockets: a socket is the same one
 * while its inode is (a restarted daemon's new socket on the same port is one gone, one new).
 */
export function listenerChanges(
	previous: readonly LocalSocket[],
	next: readonly LocalSocket[],
): ListenerChange[] {
	const key = (socket: LocalSocket) => `${socketId(socket)} ${socket.inode}`;
	const before = new Set(previous.map((socket) => key(socket)));
	const after = new Set(next.map((socket) => key(socket)));
	return [
		...previous
			.filter((socket) => !after.has(key(socket)))
			.map((socket) => ({socket, hasAppeared: false})),
		...next
			.filter((socket) => !before.has(key(socket)))
			.map((socket) => ({socket, hasAppeared: true})),
	];
}
