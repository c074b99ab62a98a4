import {coveringSockets} from '../probe/local.js';
import type {Family, LocalSocket, PortState, Protocol} from '../probe/types.js';

export type InsideOutside = {
	/** The remote host's listening sockets, as its own /proc shows them. */
	readonly sockets: readonly LocalSocket[];
	readonly port: number;
	readonly protocol: Protocol;
	/** What the probe from here read on the port. */
	readonly state: PortState;
	/** The host's addresses that were probed. */
	readonly probed: ReadonlyArray<{
		readonly address: string;
		readonly family: Family;
	}>;
};

const isLoopback = (address: string) =>
	address.startsWith('127.') ||
	address === '::1' ||
	address.startsWith('::ffff:127.');

/**
Inside beside outside: what the host listens on (its own socket table) against what answers from
here (the probe), in the words people look for. Undefined when neither side has anything to say
(nothing listens, nothing answers).
*/
export function insideOutside({
	sockets,
	port,
	protocol,
	state,
	probed,
}: InsideOutside): string | undefined {
	const listening = sockets.filter(
		(socket) => socket.port === port && socket.protocol === protocol,
	);
	const isAnswering = state === 'open';
	if (listening.length === 0) {
		return isAnswering
			? 'answers from here but nothing listens (forwarded?)'
			: undefined;
	}

	const taking = probed.flatMap((address) =>
		coveringSockets(listening, port, address),
	);
	if (taking.length === 0) {
		if (listening.every((socket) => isLoopback(socket.address))) {
			return isAnswering
				? 'answers from here, yet listens on loopback only (forwarded?)'
				: 'listening on loopback only';
		}

		const bound = listening.map((socket) => socket.address).join(', ');
		return isAnswering
			? `answers from here, yet listens on ${bound} only (forwarded?)`
			: `listening on ${bound} only, not on the address probed`;
	}

	if (isAnswering) {
		return 'reachable from here';
	}

	if (state === 'open|filtered') {
		return `listening on ${taking[0]!.address}; UDP gives no answer from here`;
	}

	return `listening on ${taking[0]!.address}, not reachable from here (firewalled)`;
}
