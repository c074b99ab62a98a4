import type {CatalogueEntry} from '../catalogue/types.js';
import type {LocalSocket} from '../probe/types.js';

export type ListenerItem = {
	/** `tcp 0.0.0.0:22`. */
	readonly id: string;
	readonly socket: LocalSocket;
	readonly entry?: CatalogueEntry;
	/** Whether the process is a daemon the catalogue expects there; undefined when it cannot be said. */
	readonly isExpected?: boolean;
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
