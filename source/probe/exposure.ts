import {connect} from 'node:net';
import {networkInterfaces} from 'node:os';
import process from 'node:process';
import type {Verdict} from '../catalogue/types.js';
import type {Family, Protocol} from './types.js';

/** Where a socket takes traffic from: loopback only, every interface, or one address. */
export type BindScope = 'loopback' | 'all' | 'specific';

/**
 * The exposure verdict beside the catalogue's: `alarm` an insecure or obsolete service bound
 * beyond loopback; `flagged` a caution service bound to all interfaces; `loopback-only` bound to
 * loopback; `ok` the rest.
 */
export type Exposure = 'alarm' | 'flagged' | 'loopback-only' | 'ok';

/** Whether a `::` listener takes IPv4 too, as the kernel answered; `unknown` when it could not say. */
export type DualStack = 'dual-stack' | 'ipv6-only' | 'unknown';

export function bindScopeOf(address: string): BindScope {
	const lower = address.toLowerCase();
	if (lower === '0.0.0.0' || lower === '::') {
		return 'all';
	}

	const v4 = lower.startsWith('::ffff:') ? lower.slice(7) : lower;
	return v4.startsWith('127.') || lower === '::1' ? 'loopback' : 'specific';
}

export function exposureOf(
	scope: BindScope,
	verdict: Verdict | undefined,
): Exposure {
	if (scope === 'loopback') {
		return 'loopback-only';
	}

	if (verdict === 'insecure' || verdict === 'obsolete') {
		return 'alarm';
	}

	return verdict === 'caution' && scope === 'all' ? 'flagged' : 'ok';
}

type Interfaces = ReturnType<typeof networkInterfaces>;

/**
 * The interface that holds `address` (`eth0`), or undefined when none does now: an address bound
 * with IP_FREEBIND or one whose interface went away. A link-local `fe80::1%eth0` names its own.
 */
export function interfaceOf(
	address: string,
	interfaces: Interfaces = readInterfaces(),
): string | undefined {
	const [bare, zone] = address.toLowerCase().split('%');
	if (zone) {
		return zone;
	}

	const v4 = bare!.startsWith('::ffff:') ? bare!.slice(7) : bare!;
	for (const [name, entries] of Object.entries(interfaces)) {
		if (entries?.some((entry) => entry.address.toLowerCase() === v4)) {
			return name;
		}
	}

	return undefined;
}

function readInterfaces(): Interfaces {
	try {
		return networkInterfaces();
	} catch {
		// Out of descriptors: no interface is named rather than a wrong one.
		return {};
	}
}

type BoundSocket = {
	readonly protocol: Protocol;
	readonly address: string;
	readonly family: Family;
	readonly port: number;
};

export type DualStackOptions = {
	/** How long a loopback connect may take; a local listener answers at once. */
	readonly timeoutMs?: number;
};

/**
Whether the `::` socket on `port` also takes IPv4, asked of the kernel on IPv4 loopback: /proc/net
does not show IPV6_V6ONLY. TCP: a connect to 127.0.0.1 is accepted (dual-stack) or refused
(IPv6-only). UDP: a bind of 127.0.0.1 without SO_REUSEADDR conflicts with a dual-stack `::` socket
(EADDRINUSE) and succeeds beside an IPv6-only one (the socket is closed at once). Both hold only
while no IPv4 socket of this machine could have answered in its place: then it is `unknown`.
*/
export async function dualStackOf(
	socket: BoundSocket,
	sockets: readonly BoundSocket[],
	options: DualStackOptions = {},
): Promise<DualStack> {
	if (socket.family !== 6 || socket.address !== '::') {
		return 'unknown';
	}

	const hasIpv4Rival = sockets.some(
		(other) =>
			other.protocol === socket.protocol &&
			other.port === socket.port &&
			other.family === 4 &&
			(other.address === '0.0.0.0' || other.address === '127.0.0.1'),
	);
	if (hasIpv4Rival) {
		return 'unknown';
	}

	return socket.protocol === 'tcp'
		? tcpAnswers(socket.port, options.timeoutMs ?? 500)
		: udpConflicts(socket.port);
}

async function tcpAnswers(port: number, timeoutMs: number): Promise<DualStack> {
	return new Promise((resolve) => {
		const client = connect({host: '127.0.0.1', port, family: 4});
		const settle = (answer: DualStack) => {
			clearTimeout(timer);
			client.removeAllListeners();
			client.on('error', () => undefined);
			client.destroy();
			resolve(answer);
		};

		const timer = setTimeout(() => {
			settle('unknown');
		}, timeoutMs);
		client.once('connect', () => {
			settle('dual-stack');
		});
		client.once('error', (error: NodeJS.ErrnoException) => {
			settle(error.code === 'ECONNREFUSED' ? 'ipv6-only' : 'unknown');
		});
	});
}

async function udpConflicts(port: number): Promise<DualStack> {
	return new Promise((resolve) => {
		const probe = process
			.getBuiltinModule('node:dgram')
			.createSocket({type: 'udp4', reuseAddr: false});
		const settle = (answer: DualStack) => {
			probe.removeAllListeners();
			probe.on('error', () => undefined);
			try {
				probe.close();
			} catch {
				// Never bound: nothing to close.
			}

			resolve(answer);
		};

		probe.once('error', (error: NodeJS.ErrnoException) => {
			settle(error.code === 'EADDRINUSE' ? 'dual-stack' : 'unknown');
		});
		probe.bind({address: '127.0.0.1', port, exclusive: true}, () => {
			settle('ipv6-only');
		});
	});
}

/** How far one listening socket reaches, beside the catalogue's verdict of its port. */
export type SocketExposure = {
	readonly scope: BindScope;
	/** For a `specific` bind: the interface that holds the address, when one does. */
	readonly interface?: string;
	/** For a `::` bind: whether it takes IPv4 too, as the kernel answered. */
	readonly dualStack?: DualStack;
	readonly exposure: Exposure;
};

export type ExposureOptions = DualStackOptions & {
	/** Ask the kernel about `::` listeners (a loopback connect or bind); false leaves them `unknown`. */
	readonly isCheckingDualStack?: boolean;
	readonly interfaces?: Interfaces;
};

/** Scope, interface, dual-stack answer and exposure verdict of `socket` (one of `sockets`). */
export async function exposureOfSocket(
	socket: BoundSocket,
	sockets: readonly BoundSocket[],
	verdict: Verdict | undefined,
	options: ExposureOptions = {},
): Promise<SocketExposure> {
	const scope = bindScopeOf(socket.address);
	const exposure = exposureOf(scope, verdict);
	if (scope === 'specific') {
		const name = interfaceOf(socket.address, options.interfaces);
		return {scope, exposure, ...(name !== undefined && {interface: name})};
	}

	if (socket.family === 6 && scope === 'all') {
		const dualStack =
			options.isCheckingDualStack === false
				? 'unknown'
				: await dualStackOf(socket, sockets, options);
		return {scope, exposure, dualStack};
	}

	return {scope, exposure};
}
