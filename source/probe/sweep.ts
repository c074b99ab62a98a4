import {setMaxListeners} from 'node:events';
import net from 'node:net';
import type {CatalogueEntry} from '../catalogue/types.js';
import {identifyTcp, type Identification} from './identify.js';
import {createSlots, udpTurn} from './pool.js';
import {sanitize} from './sanitize.js';
import {resolveTarget} from './targets.js';
import {judgeUdpSilence} from './reach.js';
import {abortReason, connectTcp, defaultTcpTimeoutMs} from './tcp.js';
import type {
	AddressProbe,
	Family,
	PortPair,
	PortState,
	ProbeResult,
	Snapshot,
} from './types.js';
import {probeUdp, udpSpacingMs} from './udp.js';

/**
 * 256 sockets at once. Each probe holds one file descriptor for at most its timeout; 256
 * leaves three quarters of the common 1024 soft limit (`ulimit -n`) to the rest of the
 * process, and on loopback more in flight buys nothing: the kernel answers a connect in
 * microseconds and the event loop is the bottleneck.
 */
export const defaultConcurrency = 256;

export type SweepOptions = {
	/** A host name or IP literal, as the user gave it. */
	readonly host: string;
	readonly pairs: readonly PortPair[];
	/** Per probe (TCP connect, UDP reply). Default 1000 ms (`defaultTcpTimeoutMs`). */
	readonly timeoutMs?: number;
	/** Sockets in flight at most. Default `defaultConcurrency`. */
	readonly concurrency?: number;
	readonly signal?: AbortSignal;
	/** The catalogue entry for a pair: what identification expects to answer there. */
	readonly expect?: (pair: PortPair) => CatalogueEntry | undefined;
	/** Whether to find out what answers on this pair when it is open (TCP). Default: never. */
	readonly identify?: (pair: PortPair) => boolean;
	/** Each pair's result as soon as all its addresses have answered. */
	readonly onResult?: (result: ProbeResult) => void;
	/** Clock for `at`, `startedAt`, `finishedAt`. Default `Date.now`. */
	readonly now?: () => number;
	/** Identification budget per port. Default 1500 ms. */
	readonly identifyBudgetMs?: number;
};

type Address = {readonly address: string; readonly family: Family};

type AddressOutcome = {
	readonly probe: AddressProbe;
	readonly answered?: string;
	readonly identification?: Identification;
};

type PairState = {
	readonly pair: PortPair;
	/** Where the result goes in the snapshot: the order the pairs were given in. */
	readonly order: number;
	readonly outcomes: Array<AddressOutcome | undefined>;
	remaining: number;
	isIdentifyClaimed: boolean;
};

type Job = {
	readonly state: PairState;
	readonly index: number;
	readonly address: Address;
};

/**
 * Best first. Any address that is open makes the port open: the service is reachable. UDP's
 * open|filtered may be open, so it outranks a refusal elsewhere. A refusal (closed) is a
 * definite answer from the host, so it outranks silence (filtered), and silence outranks a
 * packet that could not even be sent (unreachable).
 */
export const stateOrder: readonly PortState[] = [
	'open',
	'open|filtered',
	'closed',
	'filtered',
	'unreachable',
];

const stateRank = (state: PortState) => stateOrder.indexOf(state);

/**
 * One result from the probes of every address of a pair: the best state (see `stateOrder`);
 * among equals the address that was identified, else the first in resolution order.
 */
export function mergeProbes(
	host: string,
	pair: PortPair,
	outcomes: readonly AddressOutcome[],
	at: number,
): ProbeResult {
	let best: AddressOutcome | undefined;
	for (const outcome of outcomes) {
		const rank = stateRank(outcome.probe.state);
		const bestRank = best ? stateRank(best.probe.state) : Infinity;
		if (
			rank < bestRank ||
			(rank === bestRank && outcome.identification && !best?.identification)
		) {
			best = outcome;
		}
	}

	if (!best) {
		throw new RangeError('A pair needs at least one address');
	}

	const answered = best.identification?.answered ?? best.answered;
	const mismatch = best.identification?.mismatch;
	const {probe} = best;
	// Property by property: object spread costs microseconds in V8, and this runs per pair.
	const result: {-readonly [K in keyof ProbeResult]: ProbeResult[K]} = {
		port: pair.port,
		protocol: pair.protocol,
		address: probe.address,
		family: probe.family,
		state: probe.state,
		reason: probe.reason,
		host,
		addresses: outcomes.map((outcome) => outcome.probe),
		at,
	};
	if (probe.code !== undefined) {
		result.code = probe.code;
	}

	if (probe.rttMs !== undefined) {
		result.rttMs = probe.rttMs;
	}

	if (probe.isHostAlive !== undefined) {
		result.isHostAlive = probe.isHostAlive;
	}

	if (answered !== undefined) {
		result.answered = answered;
	}

	if (mismatch !== undefined) {
		result.mismatch = mismatch;
	}

	return result;
}

function validate(options: SweepOptions): void {
	for (const {port, protocol} of options.pairs) {
		if (
			!Number.isInteger(port) ||
			port < 1 ||
			port > 65_535 ||
			(protocol !== 'tcp' && protocol !== 'udp')
		) {
			throw new TypeError(
				`Expected a port 1-65535 over tcp or udp, got ${String(port)}/${String(protocol)}`,
			);
		}
	}

	const {timeoutMs, concurrency} = options;
	if (
		timeoutMs !== undefined &&
		!(timeoutMs > 0 && Number.isFinite(timeoutMs))
	) {
		throw new TypeError(`Expected a positive timeout in ms, got ${timeoutMs}`);
	}

	if (
		concurrency !== undefined &&
		!(Number.isInteger(concurrency) && concurrency >= 1)
	) {
		throw new TypeError(
			`Expected a concurrency of at least 1, got ${concurrency}`,
		);
	}
}

async function probeAddress(
	job: Job,
	options: SweepOptions,
	servername: string | undefined,
	signal: AbortSignal,
) {
	const {pair} = job.state;
	const {address, family} = job.address;
	const {timeoutMs} = options;
	if (pair.protocol === 'udp') {
		const {answered, ...silent} = await probeUdp({
			address,
			family,
			port: pair.port,
			timeoutMs,
			signal,
		});
		const probe = await judgeUdpSilence(
			silent,
			pair.port,
			timeoutMs ?? defaultTcpTimeoutMs,
			signal,
		);
		return answered === undefined
			? {probe}
			: {probe, answered: sanitize(answered)};
	}

	const wantsIdentify = options.identify?.(pair) ?? false;
	const {probe, socket} = await connectTcp({
		address,
		family,
		port: pair.port,
		timeoutMs,
		signal,
		keepOpen: wantsIdentify,
	});
	if (!socket) {
		return {probe};
	}

	// One identification per pair: the first address found open; the others just close.
	if (job.state.isIdentifyClaimed) {
		socket.destroy();
		return {probe};
	}

	job.state.isIdentifyClaimed = true;
	const identification = await identifyTcp({
		address,
		family,
		port: pair.port,
		socket,
		entry: options.expect?.(pair),
		servername,
		signal,
		budgetMs: options.identifyBudgetMs,
	});
	return {probe, identification};
}

/**
 * Probe every pair on every address of `host` with at most `concurrency` sockets in flight,
 * and merge each pair's addresses into one result (`mergeProbes`). An unresolvable host gives
 * a snapshot without results (its `target` says why). Rejects with the abort reason when
 * `signal` aborts, after every socket it opened is closed.
 *
 * UDP spacing: Linux answers a peer with at most about one ICMP error per second (after a
 * short burst), and other systems are as strict, so a closed UDP port probed too soon after
 * another would look open|filtered. UDP probes to one non-loopback address therefore start at
 * least `udpSpacingMs(address)` (1000 ms) apart, across every sweep of the process; loopback
 * and the host's own addresses, which the kernel does not rate-limit, are not spaced. TCP
 * probes are never spaced, and a spaced UDP probe waits without holding a slot.
 */
export async function sweep(options: SweepOptions): Promise<Snapshot> {
	validate(options);
	const {host, pairs, onResult} = options;
	const now = options.now ?? Date.now;
	const startedAt = now();
	const target = await resolveTarget(host, {signal: options.signal});
	if (!target.isResolved) {
		return {host, target, startedAt, finishedAt: now(), results: []};
	}

	const controller = new AbortController();
	const {signal} = controller;
	// Every probe in flight listens for the abort: up to two listeners per slot, by design.
	setMaxListeners(0, signal);
	const onOuterAbort = () => {
		controller.abort(abortReason(options.signal!));
	};

	options.signal?.addEventListener('abort', onOuterAbort, {once: true});
	if (options.signal?.aborted) {
		onOuterAbort();
	}

	const {addresses} = target;
	const servername =
		net.isIP(target.host.replaceAll(/^\[|\]$/gv, '')) === 0
			? target.host.trim()
			: undefined;
	const slots = createSlots(options.concurrency ?? defaultConcurrency);
	const results: Array<ProbeResult | undefined> = Array.from({
		length: pairs.length,
	});
	const states = pairs.map((pair, order): PairState => ({
		pair,
		order,
		outcomes: [],
		remaining: addresses.length,
		isIdentifyClaimed: false,
	}));

	// Jobs in pair order. UDP jobs to spaced addresses get a lane of their own per address, so
	// that waiting for their turn never holds up TCP.
	const mainLane: Job[] = [];
	const spacedLanes = new Map<string, Job[]>();
	for (const state of states) {
		for (const [index, address] of addresses.entries()) {
			const job = {state, index, address};
			if (state.pair.protocol === 'udp' && udpSpacingMs(address.address) > 0) {
				const lane = spacedLanes.get(address.address) ?? [];
				lane.push(job);
				spacedLanes.set(address.address, lane);
			} else {
				mainLane.push(job);
			}
		}
	}

	let failure: Error | undefined;
	const inFlight = new Set<Promise<void>>();

	const complete = (job: Job, outcome: AddressOutcome) => {
		const {state} = job;
		state.outcomes[job.index] = outcome;
		state.remaining--;
		if (state.remaining === 0 && !signal.aborted) {
			const result = mergeProbes(
				host,
				state.pair,
				state.outcomes as AddressOutcome[],
				now(),
			);
			results[state.order] = result;
			onResult?.(result);
		}
	};

	// The first failure (a bug, or a callback that threw) aborts the rest; the sweep rejects with it.
	const fail = (error: unknown) => {
		if (!signal.aborted) {
			failure ??= error instanceof Error ? error : new Error(String(error));
			controller.abort(failure);
		}
	};

	const start = (job: Job) => {
		const task = probeAddress(job, options, servername, signal)
			.then((outcome) => {
				complete(job, outcome);
			})
			.catch(fail)
			.finally(() => {
				slots.release();
				inFlight.delete(task);
			});
		inFlight.add(task);
	};

	const dispatch = async (
		lane: readonly Job[],
		spacing?: {address: string; ms: number},
	) => {
		for (const job of lane) {
			if (signal.aborted) {
				return;
			}

			if (spacing) {
				// eslint-disable-next-line no-await-in-loop -- the spacing is the point
				await udpTurn(spacing.address, spacing.ms, signal).catch(
					() => undefined,
				);
			}

			// eslint-disable-next-line no-await-in-loop -- one job per free slot, in order
			await slots.acquire();
			if (signal.aborted) {
				slots.release();
				return;
			}

			start(job);
		}
	};

	try {
		await Promise.all([
			dispatch(mainLane),
			...[...spacedLanes].map(async ([address, lane]) =>
				dispatch(lane, {address, ms: udpSpacingMs(address)}),
			),
		]);
		while (inFlight.size > 0) {
			// eslint-disable-next-line no-await-in-loop -- drain until nothing is left in flight
			await Promise.all(inFlight);
		}
	} finally {
		options.signal?.removeEventListener('abort', onOuterAbort);
	}

	if (failure !== undefined) {
		throw failure;
	}

	if (signal.aborted) {
		throw abortReason(signal);
	}

	return {
		host,
		target,
		startedAt,
		finishedAt: now(),
		results: results.filter((result) => result !== undefined),
	};
}
