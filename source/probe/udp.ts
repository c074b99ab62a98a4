import type {Socket} from 'node:dgram';
import {isIP} from 'node:net';
import process from 'node:process';
import {nowMs} from './clock.js';
import {isLocalAddress} from './local-address.js';
import {
	bestRtt,
	isPolluted,
	socketEventTime,
	watchStalls,
} from './rtt-clock.js';
import {isLocalResourceCode, LocalResourceError} from './tcp.js';
import {payloadForPort, type UdpPayload} from './payloads/index.js';
import type {AddressProbe, PortProbeOptions} from './types.js';

/**
 * 1000 ms, like the TCP probe: loopback and a LAN answer in well under 10 ms, most of the internet
 * under 300 ms. The copy sent at half the timeout still has 500 ms to come back. A silent port
 * (open|filtered) costs exactly this, once.
 */
export const defaultUdpTimeoutMs = 1000;

/**
 * Linux sends one peer at most one ICMP error per `net.ipv4.icmp_ratelimit` (1000 ms) after a burst
 * of 6, and drops the rest silently (ICMPv6 is limited the same way, `net.ipv6.icmp.ratelimit`);
 * the BSDs cap all ICMP errors at 200 a second. Measured between two network namespaces: 20 closed
 * ports probed at once gave 6 closed and 14 open|filtered; 12 probes 500 ms apart, 10 closed; 12
 * probes 1000 ms apart, all 12 closed. Loopback is exempt: 1000 closed loopback ports probed at once
 * all came back closed.
 */
export const icmpRateLimitMs = 1000;

export type UdpProbeOptions = PortProbeOptions & {
	/** The request to send instead of the one chosen by port (a DNS server on 5353). */
	readonly payload?: UdpPayload;
	/** Send the request again at half the timeout, for lossy links. Default true. */
	readonly retransmit?: boolean;
	/**
	 * When to send it again, in ms after the first: the path's retransmission timeout, so that an
	 * answer to the copy still has time to come back (a sweep gives its RTT-derived timeout here
	 * and three times it as `timeoutMs`). Default: half of `timeoutMs`.
	 */
	readonly retransmitAtMs?: number;
};

export type UdpProbe = AddressProbe & {
	/** What answered: `DNS`, `NTPv4 stratum 2`, or `reply (N bytes)` when the reply was not parsed. */
	readonly answered?: string;
};

type Attempt = UdpProbeOptions & {
	readonly timeoutMs: number;
	readonly retransmit: boolean;
	readonly request: Uint8Array;
	/** Sockets that were given the target port as their own; kept open until the probe ends. */
	readonly held: Socket[];
};

function roundMs(ms: number): number {
	return Math.round(ms * 100) / 100;
}

function abortError(signal: AbortSignal | undefined): Error {
	const reason: unknown = signal?.reason;
	return reason instanceof Error
		? reason
		: new DOMException('This operation was aborted', 'AbortError');
}

function parseSafely(
	payload: UdpPayload | undefined,
	reply: Uint8Array,
	request: Uint8Array,
): string | undefined {
	try {
		return payload?.parse(reply, request);
	} catch {
		// Parsers are written not to throw; a bug in one must still not turn an open port into a crash.
		return undefined;
	}
}

function validate({address, family, port, timeoutMs}: UdpProbeOptions): void {
	if (isIP(address) !== family) {
		throw new TypeError(
			`Expected an IPv${family} address, got ${JSON.stringify(address)}`,
		);
	}

	if (!Number.isInteger(port) || port < 1 || port > 65_535) {
		throw new TypeError(`Expected a port from 1 to 65535, got ${port}`);
	}

	if (
		timeoutMs !== undefined &&
		!(timeoutMs > 0 && Number.isFinite(timeoutMs))
	) {
		throw new TypeError(`Expected a positive timeout in ms, got ${timeoutMs}`);
	}
}

/** One socket's try; 'self' when the kernel gave it the target port as its own (see `probeUdp`). */
async function attempt(options: Attempt): Promise<UdpProbe | 'self'> {
	const {
		address,
		family,
		port,
		timeoutMs,
		signal,
		retransmit,
		retransmitAtMs,
		localPort,
		payload,
		request,
		held,
	} = options;
	return new Promise((resolve, reject) => {
		// Node:dgram at the first UDP probe, not at every start-up (a TCP probe needs none of it).
		const socket = process
			.getBuiltinModule('node:dgram')
			.createSocket(family === 6 ? 'udp6' : 'udp4');
		let sentAt: number | undefined;
		let hasRetransmitted = false;
		let isSettled = false;
		let retransmitTimer: NodeJS.Timeout | undefined;
		const unwatch = watchStalls();

		// An answer after the copy could answer either: no sample then (Karn), nor across a stall.
		const elapsed = () => {
			const end = socketEventTime();
			const sample =
				sentAt === undefined || hasRetransmitted || isPolluted(sentAt, end)
					? undefined
					: roundMs(Math.max(0, end - sentAt));
			return bestRtt(`${address} udp ${port}`, sample);
		};

		const settle = (outcome: UdpProbe | 'self' | Error) => {
			if (isSettled) {
				return;
			}

			isSettled = true;
			unwatch();
			clearTimeout(timeoutTimer);
			clearTimeout(retransmitTimer);
			signal?.removeEventListener('abort', onAbort);
			socket.off('message', onMessage);
			socket.off('error', onError);
			// An ICMP error can still be queued on the socket as it closes; a sink keeps it from
			// becoming an uncaught 'error' event.
			socket.on('error', () => undefined);
			if (outcome === 'self') {
				held.push(socket);
				resolve(outcome);
				return;
			}

			socket.close();
			if (outcome instanceof Error) {
				reject(outcome);
			} else {
				resolve(outcome);
			}
		};

		const onMessage = (reply: Uint8Array) => {
			const answered =
				parseSafely(payload, reply, request) ?? `reply (${reply.length} bytes)`;
			settle({
				address,
				family,
				state: 'open',
				reason: 'reply',
				rttMs: elapsed(),
				answered,
			});
		};

		const onError = (error: NodeJS.ErrnoException) => {
			const code = error.code ?? 'error';
			if (isLocalResourceCode(code)) {
				settle(new LocalResourceError(code));
				return;
			}

			if (code === 'ECONNREFUSED') {
				settle({
					address,
					family,
					state: 'closed',
					reason: 'icmp-unreachable',
					code,
					rttMs: elapsed(),
				});
				return;
			}

			// EHOSTUNREACH, ENETUNREACH, EACCES (broadcast, ICMPv6 prohibited), EPERM (local firewall).
			settle({
				address,
				family,
				state: 'unreachable',
				reason: code,
				code,
				rttMs: elapsed(),
			});
		};

		const onAbort = () => {
			settle(abortError(signal));
		};

		const send = () => {
			socket.send(request, (error) => {
				if (error) {
					onError(error);
				}
			});
		};

		const onConnect = (error?: Error) => {
			if (isSettled) {
				return;
			}

			if (error) {
				onError(error);
				return;
			}

			if (socket.address().port === port) {
				settle('self');
				return;
			}

			sentAt = nowMs();
			send();
			if (retransmit) {
				// One more copy for a lossy link; the same bytes, so a reply to either matches. An ICMP error
				// from the first copy that is still queued comes back from this send as ECONNREFUSED.
				retransmitTimer = setTimeout(
					() => {
						hasRetransmitted = true;
						send();
					},
					retransmitAtMs ?? timeoutMs / 2,
				);
			}
		};

		const timeoutTimer = setTimeout(() => {
			settle({address, family, state: 'open|filtered', reason: 'no-reply'});
		}, timeoutMs);

		signal?.addEventListener('abort', onAbort, {once: true});
		socket.on('message', onMessage);
		socket.on('error', onError);
		if (localPort === undefined) {
			socket.connect(port, address, onConnect);
		} else {
			socket.bind(localPort, () => {
				socket.connect(port, address, onConnect);
			});
		}
	});
}

/** A held socket rules its port out, so the second try cannot meet the same port; a third is slack. */
const maxAttempts = 3;

/**
 * Probes one UDP port of one address without root: a connected datagram socket receives the ICMP
 * port unreachable of a closed port as ECONNREFUSED (Linux, also the BSDs and macOS).
 *
 * - a reply: open (`reply`), with what answered;
 * - ECONNREFUSED: closed (`icmp-unreachable`);
 * - EHOSTUNREACH, ENETUNREACH, EACCES or another OS error: unreachable, reason and code the OS code;
 * - silence until the timeout: open|filtered (`no-reply`): a listener that ignored us, or a filter.
 *
 * When the target port is free and in the ephemeral range, the kernel can give the probe socket
 * that very port (about one probe in 10,000 on a loopback sweep), and a socket connected to itself
 * hears its own datagram: a phantom open port. The probe then tries again with a new socket while it
 * holds the first, so the kernel cannot hand out that port again; the held socket does not take
 * datagrams from the new one (a connected socket only hears its peer), so a closed port stays closed.
 *
 * `rttMs` is the least clean round trip of the recent ones for the port (rtt-clock.ts): an answer
 * that came after the retransmit gives no sample of its own.
 * Rejects with `signal.reason` when aborted; every socket is closed on every path.
 */
export async function probeUdp(options: UdpProbeOptions): Promise<UdpProbe> {
	validate(options);
	const {address, family, port} = options;
	options.signal?.throwIfAborted();
	const payload = options.payload ?? payloadForPort(port);
	const request = payload?.build() ?? new Uint8Array(0);
	const held: Socket[] = [];
	try {
		for (let count = 0; count < maxAttempts; count++) {
			// Sequential by nature: a retry follows a socket that met itself.
			// eslint-disable-next-line no-await-in-loop
			const outcome = await attempt({
				...options,
				timeoutMs: options.timeoutMs ?? defaultUdpTimeoutMs,
				retransmit: options.retransmit ?? true,
				payload,
				request,
				held,
				// The first socket only: a retry must not get the port that met itself again.
				localPort: count === 0 ? options.localPort : undefined,
			});
			if (outcome !== 'self') {
				return outcome;
			}
		}

		return {
			address,
			family,
			state: 'unreachable',
			reason: 'EADDRINUSE',
			code: 'EADDRINUSE',
		};
	} finally {
		for (const socket of held) {
			socket.close();
		}
	}
}

/**
 * How long a sweep should wait between starting UDP probes to one address, so that a closed port's
 * ICMP error is not dropped by the target's rate limit (which would show it as open|filtered):
 * 0 for loopback and the host's own addresses, `icmpRateLimitMs` for any other host.
 */
export function udpSpacingMs(address: string): number {
	return isLocalAddress(address) ? 0 : icmpRateLimitMs;
}
