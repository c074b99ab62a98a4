import {readFileSync} from 'node:fs';
import {isLocalAddress} from './local-address.js';
import {connectTcp, synRetransmitMs} from './tcp.js';
import type {AddressProbe, Family} from './types.js';
import {nowMs} from './clock.js';

/**
 * Whether a host is there, found out by other means than the UDP probe itself: Linux reports an
 * ICMP host or net unreachable on a UDP socket only through IP_RECVERR, which Node does not
 * expose, so UDP silence alone cannot tell a quiet service from a host that is gone.
 *
 * - alive: a TCP connect to the host was refused (RST) or accepted: something there answered;
 * - gone: the connect failed with EHOSTUNREACH or ENETUNREACH (the kernel or a router said so),
 *   or the host is on a local link and its neighbour entry is incomplete (ARP gave up);
 * - unknown: nothing answered either way (a firewall that drops TCP too).
 */
export type Reachability =
	| {readonly status: 'alive'; readonly reason: string}
	| {readonly status: 'gone'; readonly reason: string; readonly code?: string}
	| {readonly status: 'unknown'; readonly reason: string};

export type ReachOptions = {
	readonly address: string;
	readonly family: Family;
	/**
	 * TCP ports to knock on, in parallel; the first definite answer wins. The UDP judge knocks on
	 * the probed port's own number only: a daemon on a well-known TCP port (sshd) logs every
	 * connect, and each knock at an unroutable address spends the router's ICMP budget (Linux
	 * charges a forwarded packet's unreachable twice against one per-peer bucket of 1/s).
	 */
	readonly ports: readonly number[];
	readonly timeoutMs: number;
	readonly signal?: AbortSignal;
	/** The neighbour table; `/proc/net/arp` by default. */
	readonly readArp?: () => string;
};

/** The kernel's IPv4 neighbour table, or nothing where it cannot be read. */
export function readArp(): string {
	try {
		return readFileSync('/proc/net/arp', 'latin1');
	} catch {
		return '';
	}
}

/**
 * Whether the kernel's neighbour table holds `address` unresolved: flags 0x0 is an entry whose
 * ARP requests went unanswered (0x2 complete, 0x4 permanent). Absent says nothing.
 */
export function isNeighbourIncomplete(arp: string, address: string): boolean {
	for (const line of arp.split('\n')) {
		const [ip, , flags] = line.trim().split(/\s+/v);
		if (ip === address) {
			return flags === '0x0';
		}
	}

	return false;
}

/** See `Reachability`. Loopback and the host's own addresses are alive without asking. */
export async function reachHost(options: ReachOptions): Promise<Reachability> {
	const {address, family, timeoutMs} = options;
	if (isLocalAddress(address)) {
		return {status: 'alive', reason: 'local'};
	}

	const arp = family === 4 ? (options.readArp ?? readArp)() : '';
	if (isNeighbourIncomplete(arp, address)) {
		return {status: 'gone', reason: 'no-neighbour'};
	}

	const found = await knock({
		...options,
		timeoutMs: timeoutMs + 3 * synRetransmitMs,
	});
	if (found) {
		return found;
	}

	// A connect that timed out may have left the neighbour entry incomplete by now.
	if (
		family === 4 &&
		isNeighbourIncomplete((options.readArp ?? readArp)(), address)
	) {
		return {status: 'gone', reason: 'no-neighbour'};
	}

	return {status: 'unknown', reason: 'no-answer'};
}

/**
 * TCP connects to every port at once; the first that says something definite settles it and
 * stops the rest. Waits past the kernel's second SYN retransmit (1 s, then 3 s): the router's
 * ICMP rate limit may have dropped the answers to the first SYNs (the UDP probe just spent its
 * budget), and an ICMP error that arrives while connect() still holds the socket is lost too.
 */
async function knock(options: ReachOptions): Promise<Reachability | undefined> {
	const controller = new AbortController();
	const onAbort = () => {
		controller.abort();
	};

	options.signal?.addEventListener('abort', onAbort, {once: true});
	let found: Reachability | undefined;
	const judge = (probe: AddressProbe) => {
		if (probe.state === 'open' || probe.reason === 'refused') {
			found ??= {status: 'alive', reason: `tcp-${probe.reason}`};
		} else if (probe.code === 'EHOSTUNREACH' || probe.code === 'ENETUNREACH') {
			found ??= {
				status: 'gone',
				reason: probe.code === 'ENETUNREACH' ? 'net-unreach' : 'host-unreach',
				code: probe.code,
			};
		}

		if (found) {
			controller.abort();
		}
	};

	try {
		await Promise.all(
			[...new Set(options.ports)].map(async (port) => {
				try {
					const {probe} = await connectTcp({
						address: options.address,
						family: options.family,
						port,
						timeoutMs: options.timeoutMs,
						signal: controller.signal,
					});
					judge(probe);
				} catch (error) {
					if (!controller.signal.aborted) {
						throw error;
					}
				}
			}),
		);
	} finally {
		options.signal?.removeEventListener('abort', onAbort);
	}

	options.signal?.throwIfAborted();
	return found;
}

type Cached = {readonly at: number; readonly reach: Promise<Reachability>};

/** How long a finding about a host is reused: a few sweeps' worth, so a watch knocks rarely. */
export const reachCacheMs = 10_000;

const cache = new Map<string, Cached>();

/** `reachHost`, shared by concurrent callers and reused for `reachCacheMs`; an aborted look-up is not kept. */
export async function reachHostCached(
	options: ReachOptions,
	now: number = nowMs(),
): Promise<Reachability> {
	const key = options.address;
	const cached = cache.get(key);
	if (cached && now - cached.at < reachCacheMs) {
		return cached.reach;
	}

	if (cache.size > 256) {
		cache.clear();
	}

	const reach = reachHost(options);
	cache.set(key, {at: now, reach});
	reach.catch(() => {
		cache.delete(key);
	});
	return reach;
}

/**
 * A UDP probe's silence (open|filtered) to a remote host, judged by the host's reachability:
 * `unreachable` when the host is gone, marked `isHostAlive` when it was proven there, else as it was.
 */
export async function judgeUdpSilence<Probe extends AddressProbe>(
	probe: Probe,
	port: number,
	timeoutMs: number,
	signal?: AbortSignal,
): Promise<Probe> {
	if (probe.state !== 'open|filtered' || isLocalAddress(probe.address)) {
		return probe;
	}

	const reach = await reachHostCached({
		address: probe.address,
		family: probe.family,
		ports: [port],
		timeoutMs,
		signal,
	});
	if (reach.status === 'gone') {
		const gone: Probe = {...probe, state: 'unreachable', reason: reach.reason};
		return reach.code === undefined ? gone : {...gone, code: reach.code};
	}

	return reach.status === 'alive' ? {...probe, isHostAlive: true} : probe;
}
