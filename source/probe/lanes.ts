import {isLimited, markLimited} from './budget.js';
import {delay, type Slots, udpTurn} from './pool.js';
import {isLocalAddress} from './local-address.js';
import {isNeighbourIncomplete, judgeUdpSilence, readArp} from './reach.js';
import {LocalResourceError, synRetransmitMs} from './tcp.js';
import {pathTiming, retryTimeoutMs, type PathTiming} from './timing.js';
import type {AddressProbe, Family} from './types.js';
import {icmpRateLimitMs} from './udp.js';

/**
 * How the probes of one address and protocol are scheduled, so that a verdict of silence is
 * given only when the engine has reason to believe it (issue 16):
 *
 * - every probe's timeout follows the address's measured round-trip time (timing.ts), and a
 *   probe that timed out is tried once more with a longer timeout;
 * - answers (open, closed) are delivered at once; silence and unreachability wait for the
 *   address's pass to end, when the host's other answers can judge them: a host/net unreachable
 *   with no other answer makes every silent port of the host `unreachable`; a host that answered
 *   elsewhere is alive, so its unreachables are a filter's (`filtered`, `prohibited`);
 * - when refusals came back for some ports while others stayed silent, the target may be
 *   rate-limiting its ICMP errors (Linux: a burst of 6, then one a second): a few silent ports are
 *   probed again after the limiter refilled, and if one of them answers now, every silent port is
 *   probed again at the limiter's pace before it is called silent.
 *
 * UDP to another host goes in waves that grow while the target answers every probe (no limiter
 * in sight: fast, issue 16 row 10) and falls back to one probe per `icmpRateLimitMs`, booked
 * with every other portui process on the machine (budget.ts), once the limiter bit.
 */

export type LaneAddress = {readonly address: string; readonly family: Family};

export type LaneOutcome = {
	readonly probe: AddressProbe;
	readonly answered?: string;
	readonly identification?: unknown;
};

export type LaneContext<Outcome extends LaneOutcome> = {
	readonly address: LaneAddress;
	readonly slots: Slots;
	readonly signal: AbortSignal;
	/** The caller's timeout: the first attempt's until the path is measured. */
	readonly initialTimeoutMs: number;
	/** One attempt of one job with this timeout. */
	readonly attempt: (job: number, timeoutMs: number) => Promise<Outcome>;
	readonly complete: (job: number, outcome: Outcome) => void;
	/** The job's port number (the UDP judge knocks on it over TCP). */
	readonly port: (job: number) => number;
};

/**
 * The pace once a limiter bit: a tenth over its refill period, since a probe that arrives a few
 * ms before the token is silent (the kernel counts in jiffies).
 */
const limitedSpacingMs = icmpRateLimitMs * 1.1;

/** How long a target found limiting is paced by every process before it is tried fast again. */
const limitedMemoryMs = 60_000;

/** How many silent ports are probed again to find out whether a rate limit made them silent. */
const limiterSamples = 2;
const maxResourceRetries = 60;

const isSilent = (probe: AddressProbe) =>
	(probe.state === 'filtered' && probe.reason === 'timeout') ||
	probe.state === 'open|filtered';

const isAnswer = (probe: AddressProbe) =>
	probe.state === 'open' || probe.state === 'closed';

const isHostUnreachable = (probe: AddressProbe) =>
	probe.reason === 'host-unreach' || probe.reason === 'net-unreach';

/** Promise.all that waits for every promise to settle (sockets closed) before it rejects with the first failure. */
async function settleAll<T>(promises: ReadonlyArray<Promise<T>>): Promise<T[]> {
	const settled = await Promise.allSettled(promises);
	const failed = settled.find((result) => result.status === 'rejected');
	if (failed) {
		throw failed.reason instanceof Error
			? failed.reason
			: new Error(String(failed.reason));
	}

	return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/** Runs one attempt of `job` in a slot; out of descriptors, waits and tries again instead of giving a state. */
async function attemptInSlot<Outcome extends LaneOutcome>(
	context: LaneContext<Outcome>,
	job: number,
	timeoutMs: number,
): Promise<Outcome> {
	const {slots, signal} = context;
	for (let tries = 0; ; tries++) {
		// A free slot is taken at once: no promise to wait on, a thousand times a sweep.
		if (!slots.tryAcquire()) {
			// eslint-disable-next-line no-await-in-loop -- one slot at a time, by design
			await slots.acquire();
		}

		try {
			// eslint-disable-next-line no-await-in-loop
			return await context.attempt(job, timeoutMs);
		} catch (error) {
			if (
				!(error instanceof LocalResourceError) ||
				tries >= maxResourceRetries
			) {
				throw error;
			}
		} finally {
			slots.release();
		}

		// eslint-disable-next-line no-await-in-loop -- back off while other probes give descriptors back
		await delay(Math.min(1000, 20 * 2 ** Math.min(tries, 6)), signal);
	}
}

function sampleOf(timing: PathTiming, probe: AddressProbe, limitMs: number) {
	if (probe.rttMs !== undefined && probe.rttMs < limitMs && isAnswer(probe)) {
		timing.sample(probe.rttMs);
	}
}

/** One TCP job: a first attempt on the path's timeout, and a longer retry when it timed out. */
async function tcpJob<Outcome extends LaneOutcome>(
	context: LaneContext<Outcome>,
	timing: PathTiming,
	job: number,
): Promise<Outcome> {
	const {address} = context;
	const firstMs = timing.timeoutMs();
	const first = await attemptInSlot(context, job, firstMs);
	sampleOf(timing, first.probe, Infinity);
	if (!isSilent(first.probe)) {
		return first;
	}

	// A dead neighbour on a local link: ARP gave up (or is still asking) while the SYN waited.
	if (
		address.family === 4 &&
		!isLocalAddress(address.address) &&
		isNeighbourIncomplete(readArp(), address.address)
	) {
		return {
			...first,
			probe: {...first.probe, state: 'unreachable', reason: 'no-neighbour'},
		};
	}

	const second = await attemptInSlot(
		context,
		job,
		retryTimeoutMs(firstMs, synRetransmitMs),
	);
	sampleOf(timing, second.probe, Infinity);
	return second;
}

/** Host-level judgement of the probes that did not answer, once the whole pass is in. */
function judgeUnanswered(
	probe: AddressProbe,
	answers: number,
	unreachable: AddressProbe | undefined,
): AddressProbe {
	if (
		answers === 0 &&
		unreachable &&
		(isSilent(probe) || isHostUnreachable(probe))
	) {
		return {
			...probe,
			state: 'unreachable',
			reason: unreachable.reason,
			...(unreachable.code === undefined ? {} : {code: unreachable.code}),
		};
	}

	// The host answered elsewhere, so an unreachable for this port is a filter's reject.
	if (answers > 0 && isHostUnreachable(probe)) {
		return {...probe, state: 'filtered', reason: 'prohibited'};
	}

	return probe;
}

/**
 * Probes silent jobs again: first `limiterSamples` of them, one per `icmpRateLimitMs` (booked
 * with every portui process); if one now answers, the silence was a limit or a loss, so the rest
 * follow at the same pace. Returns each job's latest outcome.
 */
async function reprobeSilent<Outcome extends LaneOutcome>(
	context: LaneContext<Outcome>,
	silent: ReadonlyMap<number, Outcome>,
	run: (job: number) => Promise<Outcome>,
): Promise<Map<number, Outcome>> {
	const latest = new Map(silent);
	const jobs = [...silent.keys()];
	const again = async (job: number) => {
		await udpTurn(context.address.address, limitedSpacingMs, context.signal);
		const outcome = await run(job);
		latest.set(job, outcome);
		return outcome;
	};

	// The pass that went silent may have spent the limiter's last token just now.
	await delay(limitedSpacingMs, context.signal);
	let hasAnswered = false;
	for (const job of jobs.slice(0, limiterSamples)) {
		// eslint-disable-next-line no-await-in-loop -- a sample at a time: each waits for the limiter
		const outcome = await again(job);
		hasAnswered ||= !isSilent(outcome.probe);
	}

	if (hasAnswered) {
		const rest = [...latest]
			.filter(
				([job, outcome]) =>
					isSilent(outcome.probe) ||
					!jobs.slice(0, limiterSamples).includes(job),
			)
			.map(([job]) => job);
		await settleAll(rest.map(async (job) => again(job)));
	}

	return latest;
}

export async function runTcpLane<Outcome extends LaneOutcome>(
	context: LaneContext<Outcome>,
	jobs: readonly number[],
): Promise<void> {
	const timing = pathTiming(context.address.address, context.initialTimeoutMs);
	const held = new Map<number, Outcome>();
	let answers = 0;
	let refusals = 0;
	let unreachable: AddressProbe | undefined;
	const note = (job: number, outcome: Outcome) => {
		const {probe} = outcome;
		if (isAnswer(probe)) {
			answers++;
			refusals += probe.state === 'closed' ? 1 : 0;
			context.complete(job, outcome);
			return;
		}

		if (isHostUnreachable(probe)) {
			unreachable ??= probe;
		}

		held.set(job, outcome);
	};

	// As many workers as there are slots, each taking the next job: a thousand jobs waiting at once
	// on the slots made the sweep's connects and closes slower here (21 % more kernel time than the
	// same connects made by a loop), not only its own bookkeeping.
	let next = 0;
	const worker = async () => {
		while (next < jobs.length) {
			const job = jobs[next++]!;
			// eslint-disable-next-line no-await-in-loop -- a worker does one job at a time
			note(job, await tcpJob(context, timing, job));
		}
	};

	await settleAll(
		Array.from({length: Math.min(jobs.length, context.slots.size)}, worker),
	);

	const silent = new Map(
		[...held].filter(([, outcome]) => isSilent(outcome.probe)),
	);
	// Refusals beside silence, or silence everywhere: either may be a limiter's (an ICMPv6 reject
	// on a zero-latency link lost every refusal of the first pass, issue 16 row 7).
	if (
		(refusals > 0 || answers === 0) &&
		silent.size > 0 &&
		unreachable === undefined &&
		!isLocalAddress(context.address.address)
	) {
		const latest = await reprobeSilent(context, silent, async (job) =>
			tcpJob(context, timing, job),
		);
		for (const [job, outcome] of latest) {
			held.set(job, outcome);
			answers += isAnswer(outcome.probe) ? 1 : 0;
		}
	}

	for (const [job, outcome] of held) {
		context.complete(job, {
			...outcome,
			probe: judgeUnanswered(outcome.probe, answers, unreachable),
		});
	}
}

/** The first wave's size: Linux's ICMP burst, which a limiting target answers in full. */
const firstWave = 6;
const maxWave = 64;

/**
 * UDP to one remote address (see the header). `attempt` gets the whole probe's timeout; the
 * retransmit is at the path's timeout inside it (UdpProbeOptions.retransmitAtMs).
 */
export async function runUdpLane<Outcome extends LaneOutcome>(
	context: LaneContext<Outcome>,
	jobs: readonly number[],
): Promise<void> {
	const {address, signal} = context;
	const timing = pathTiming(address.address, context.initialTimeoutMs);
	// Another portui process (or an earlier sweep) found this target limiting: pace from the start.
	let isSlow = isLimited(address.address);
	const once = async (job: number, rto: number) => {
		const outcome = await attemptInSlot(context, job, rto);
		sampleOf(timing, outcome.probe, rto);
		return outcome;
	};

	// Silence is tried once more with a longer timeout (after its turn, once the limiter bit):
	// both copies of a probe are lost on a lossy path more often than one would think.
	const run = async (job: number) => {
		const rto = timing.timeoutMs();
		const first = await once(job, rto);
		if (!isSilent(first.probe)) {
			return first;
		}

		if (isSlow) {
			await udpTurn(address.address, limitedSpacingMs, signal);
		}

		return once(job, 2 * rto);
	};

	const finish = async (job: number, outcome: Outcome) => {
		const probe = await judgeUdpSilence(
			outcome.probe,
			context.port(job),
			timing.timeoutMs(),
			signal,
		);
		context.complete(job, {...outcome, probe});
	};

	let hasRefusal = false;
	let size = firstWave;
	for (let index = 0; index < jobs.length;) {
		const wave = jobs.slice(index, index + size);
		index += wave.length;
		const isPaced = isSlow;
		// eslint-disable-next-line no-await-in-loop -- a wave is judged before the next is sent
		const outcomes = await settleAll(
			wave.map(async (job) => {
				if (isPaced) {
					await udpTurn(address.address, limitedSpacingMs, signal);
				}

				return [job, await run(job)] as const;
			}),
		);
		const silent = new Map(
			outcomes.filter(([, outcome]) => isSilent(outcome.probe)),
		);
		// A refusal in this wave or an earlier one: the target sends ICMP errors, so silence now
		// may be its limiter's (an earlier wave may have spent the burst).
		hasRefusal ||= outcomes.some(
			([, outcome]) => outcome.probe.state === 'closed',
		);
		for (const [job, outcome] of outcomes) {
			if (!silent.has(job)) {
				context.complete(job, outcome);
			}
		}

		if (!isSlow && hasRefusal && silent.size > 0) {
			// Suspected at once, so that other processes pace themselves while this one finds out.
			markLimited(address.address, limitedMemoryMs);
			// eslint-disable-next-line no-await-in-loop
			const latest = await reprobeSilent(context, silent, run);
			isSlow = [...latest].some(([, outcome]) => !isSilent(outcome.probe));
			if (isSlow) {
				markLimited(address.address, limitedMemoryMs);
			}

			// eslint-disable-next-line no-await-in-loop
			await settleAll(
				[...latest].map(async ([job, outcome]) => finish(job, outcome)),
			);
		} else {
			// eslint-disable-next-line no-await-in-loop
			await settleAll(
				[...silent].map(async ([job, outcome]) => finish(job, outcome)),
			);
			if (!isSlow && silent.size === 0) {
				size = Math.min(maxWave, size * 2);
			}
		}
	}
}

/** UDP to loopback or this host's own addresses: no rate limit and no loss, so one pass, unspaced. */
export async function runLocalUdpLane<Outcome extends LaneOutcome>(
	context: LaneContext<Outcome>,
	jobs: readonly number[],
): Promise<void> {
	await settleAll(
		jobs.map(async (job) => {
			const outcome = await attemptInSlot(
				context,
				job,
				context.initialTimeoutMs,
			);
			context.complete(job, outcome);
		}),
	);
}
