import {isLocalAddress} from './local-address.js';
import type {ProcNetSocket} from './proc-net.js';
import type {
	Family,
	LocalSocket,
	ProbeResult,
	ResolvedTarget,
} from './types.js';

/**
 * Whether every address of the target is this machine: then its socket tables tell who holds
 * each port, and whether anything listens. Loopback, or an address of one of its interfaces.
 */
export function isLocalTarget(target: ResolvedTarget | undefined): boolean {
	return (
		target?.isResolved === true &&
		target.addresses.length > 0 &&
		target.addresses.every(({address}) => isLocalAddress(address))
	);
}

type Bound = {readonly address: string; readonly family: Family};

/**
 * Whether a socket bound to `bound` takes connections to `probed`: the same address; 0.0.0.0 for
 * any IPv4 address; `::` for any IPv6 address and for IPv4 too, unless the socket is IPv6-only
 * (which /proc does not show: a connect settles it); a v4-mapped bind for its IPv4 address.
 * 127.0.0.1 does not take ::1, nor ::1 127.0.0.1.
 */
export function coversAddress(bound: Bound, probed: Bound): boolean {
	if (bound.address === probed.address) {
		return true;
	}

	if (bound.family === 4) {
		return bound.address === '0.0.0.0' && probed.family === 4;
	}

	if (bound.address === '::') {
		return true;
	}

	return (
		probed.family === 4 &&
		bound.address.toLowerCase() === `::ffff:${probed.address}`
	);
}

/** The listening sockets of `protocol`/`port` that take connections to `probed`. */
export function coveringSockets<T extends Bound & {readonly port: number}>(
	sockets: readonly T[],
	port: number,
	probed: Bound,
): T[] {
	return sockets.filter(
		(socket) => socket.port === port && coversAddress(socket, probed),
	);
}

/** The inodes of the TCP listeners that take `port` on `probed`, as one comparable key ('' for none). */
export function listenerKey(
	sockets: readonly ProcNetSocket[],
	port: number,
	probed: Bound,
): string {
	return coveringSockets(
		sockets.filter((socket) => socket.protocol === 'tcp'),
		port,
		probed,
	)
		.map((socket) => socket.inode)
		.toSorted((a, b) => a - b)
		.join(',');
}

/**
 * The holder of the socket that takes `result`'s first open address, from a list of this
 * machine's sockets with owners; `result` as it was when none is known, or it is not open.
 */
export function withOwner(
	result: ProbeResult,
	sockets: readonly LocalSocket[],
): ProbeResult {
	if (result.state !== 'open') {
		return result;
	}

	const ofProtocol = sockets.filter(
		(socket) => socket.protocol === result.protocol,
	);
	for (const probe of result.addresses) {
		if (probe.state !== 'open') {
			continue;
		}

		const holder = coveringSockets(ofProtocol, result.port, probe).find(
			(socket) => socket.owners?.[0] !== undefined,
		)?.owners?.[0];
		if (holder) {
			return {...result, owner: holder};
		}
	}

	return result;
}
