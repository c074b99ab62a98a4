import {setMaxListeners} from 'node:events';
import net from 'node:net';
import type {CatalogueEntry} from '../catalogue/types.js';
import {identifyTcp, type Identification} from './identify.js';
import {
	runLocalUdpLane,
	runTcpLane,
	runUdpLane,
	type LaneContext,
} from './lanes.js';
import {isLocalAddress} from './local-address.js';
import {createSlots, descriptorBudget} from './pool.js';
import {sanitize} from './sanitize.js';
import {resolveTarget} from './targets.js';
import {abortReason, connectTcp, defaultTcpTimeoutMs, rttAgain} from './tcp.js';
import {closeWithReset} from './raw-tcp.js';
import type {
	AddressProbe,
	Family,
	PortPair,
	PortState,
	ProbeResult,
	ResolvedTarget,
	Snapshot,
} from './types.js';
import {probeUdpService} from './udp-looks.js';

/**
 * 256 sockets at once. Each probe holds one file descriptor for at most its timeout; 256
 * leaves three quarters of the common 1024 soft limit (`ulimit -n`) to the rest of the
 * process, and on loopback more in flight buys nothing: the kernel answers a connect in
 * microseconds and the event loop is the bottleneck.
 */
export const defaultConcurrency = 256;

/**
 * 64 for a target on this machine, when the caller does not say: the kernel answers a loopback
 * connect at once, so more in flight only lengthens each turn of the event loop (1000 loopback
 * ports: 150-160 ms at 32 or 64 in flight, 190 ms at 256, medians on the shared 2-core machine).
 */
export const localConcurrency = 64;

export type SweepOptions = {
	/** A host name or IP literal, as the user gave it. */
	readonly host: string;
	/** `host` already resolved by the caller (the watch resolves once a sweep); default: resolved here. */
	readonly target?: ResolvedTarget;
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
	/**
	 * Each TCP pair at the first of its addresses that connects (`address`): the port is open,
	 * and its result follows once identification is done.
	 */
	readonly onOpen?: (pair: PortPair, address: string) => void;
	/** Clock for `at`, `startedAt`, `finishedAt`. Default `Date.now`. */
	readonly now?: () => number;
	/** Identification budget per port, within what the connect left of `timeoutMs`. Default 1000 ms. */
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
	isOpenReported: boolean;
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

/** One attempt at one address of a pair: a TCP connect (and identification), or a UDP probe. */
async function attemptAddress(
	job: Job,
	options: SweepOptions & {readonly servername: string | undefined},
	signal: AbortSignal,
	timeoutMs: number,
): Promise<AddressOutcome> {
	const {servername} = options;
	const {pair} = job.state;
	const {address, family} = job.address;
	if (pair.protocol === 'udp') {
		// Another host: the retransmit follows the path's timeout and gets as long again to be
		// answered (a 600 ms path answered the copy sent at 500 ms after a 1 s timeout, row 6).
		const isRemote = !isLocalAddress(address);
		const {answered, ...probe} = await probeUdpService({
			address,
			family,
			port: pair.port,
			timeoutMs: isRemote ? 2 * timeoutMs : timeoutMs,
			retransmitAtMs: isRemote ? timeoutMs : undefined,
			signal,
		});
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
		// Measured again, if need be, beside the identification rather than before it.
		isMeasuredAgain: !wantsIdentify,
	});
	if (probe.state === 'open' && !job.state.isOpenReported) {
		job.state.isOpenReported = true;
		options.onOpen?.(pair, address);
	}

	if (!socket) {
		return {probe};
	}

	// The probe's own RTT sample was polluted (rtt-clock.ts): measured again beside what follows.
	const rttMs = rttAgain(probe, {
		address,
		family,
		port: pair.port,
		timeoutMs,
		signal,
	});
	const withRtt = async () => {
		const measured = await rttMs;
		return measured === undefined ? probe : {...probe, rttMs: measured};
	};

	// One identification per pair: the first address found open; the others just close.
	if (job.state.isIdentifyClaimed) {
		closeWithReset(socket);
		return {probe: await withRtt()};
	}

	job.state.isIdentifyClaimed = true;
	const [identification, measured] = await Promise.all([
		identifyTcp({
			address,
			family,
			port: pair.port,
			socket,
			entry: options.expect?.(pair),
			servername,
			signal,
			budgetMs: options.identifyBudgetMs,
			// --timeout bounds the whole probe: identification gets what the connect left of it.
			timeoutMs: timeoutMs ?? defaultTcpTimeoutMs,
			rttMs: probe.rttMs,
		}),
		withRtt(),
	]);
	return {probe: measured, identification};
}

/**
 * Probe every pair on every address of `host` with at most `concurrency` sockets in flight,
 * and merge each pair's addresses into one result (`mergeProbes`). An unresolvable host gives
 * a snapshot without results (its `target` says why). Rejects with the abort reason when
 * `signal` aborts, after every socket it opened is closed.
 *
 * Each address and protocol runs in a lane of its own (lanes.ts): timeouts follow the path's
 * measured RTT, a timed-out probe is tried again before it is called silent, silence is judged
 * against the host's other answers and its ICMP rate limit, and UDP to another host is paced
 * by what the target answers (fast while it answers everything, one a second once its limiter
 * bites, booked with every portui process on the machine). `onResult` gets each pair as soon as
 * it is settled: answers at once, silence when its lane has judged it. A probe that could not
 * open a socket (EMFILE) waits and is tried again; it is never a port state.
 */
export async function sweep(options: SweepOptions): Promise<Snapshot> {
	validate(options);
	const {host, pairs, onResult} = options;
	const now = options.now ?? Date.now;
	const startedAt = now();
	const target =
		options.target ?? (await resolveTarget(host, {signal: options.signal}));
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
	// Never more sockets than the descriptor limit leaves room for (issue 12: ulimit -n 64).
	const slots = createSlots(
		Math.min(
			options.concurrency ??
				(addresses.every(({address}) => isLocalAddress(address))
					? localConcurrency
					: defaultConcurrency),
			descriptorBudget() ?? Infinity,
		),
	);
	const results: Array<ProbeResult | undefined> = Array.from({
		length: pairs.length,
	});
	const states = pairs.map((pair, order): PairState => ({
		pair,
		order,
		outcomes: [],
		remaining: addresses.length,
		isIdentifyClaimed: false,
		isOpenReported: false,
	}));

	const jobs: Job[] = [];
	for (const state of states) {
		for (const [index, address] of addresses.entries()) {
			jobs.push({state, index, address});
		}
	}

	let failure: Error | undefined;

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

	// A lane per address and protocol: TCP and UDP keep their own pace, and a target's UDP
	// waiting for its rate limit never holds up TCP or another address (lanes.ts).
	const initialTimeoutMs = options.timeoutMs ?? defaultTcpTimeoutMs;
	const attemptOptions = {...options, servername};
	const lanes = addresses.flatMap((address) =>
		(['tcp', 'udp'] as const).map(async (protocol) => {
			const laneJobs = jobs.filter(
				(job) =>
					job.address === address && job.state.pair.protocol === protocol,
			);
			if (laneJobs.length === 0) {
				return;
			}

			const context: LaneContext<AddressOutcome> = {
				address,
				slots,
				signal,
				initialTimeoutMs,
				// Not async: a wrapper would settle every probe a microtask or two later.
				// eslint-disable-next-line @typescript-eslint/promise-function-async
				attempt: (job, timeoutMs) =>
					attemptAddress(laneJobs[job]!, attemptOptions, signal, timeoutMs),
				complete(job, outcome) {
					complete(laneJobs[job]!, outcome);
				},
				port: (job) => laneJobs[job]!.state.pair.port,
			};
			const indexes = laneJobs.map((_, index) => index);
			const run =
				protocol === 'tcp'
					? runTcpLane
					: isLocalAddress(address.address)
						? runLocalUdpLane
						: runUdpLane;
			await run(context, indexes).catch(fail);
		}),
	);

	try {
		await Promise.all(lanes);
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
