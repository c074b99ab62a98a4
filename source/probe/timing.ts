/**
 * Per-target timeouts that follow the path, as TCP's own retransmission timer does (RFC 6298):
 * a smoothed round-trip time and its variation from every refused or accepted connect and every
 * UDP answer, and a timeout of SRTT + 4·RTTVAR between a floor and a ceiling. Kept per address
 * for the life of the process, so a watch's later sweeps start from what the earlier ones learnt
 * (nmap keeps its timing per host the same way).
 */

/** Below this a timeout would mostly measure the event loop, not the path (nmap's min-rtt-timeout is 100 ms). */
export const timeoutFloorMs = 250;
/** Nmap's max-rtt-timeout. */
export const timeoutCeilingMs = 10_000;
/** A sample above this may include a kernel SYN retransmit (Karn's rule: ambiguous, not taken). */
const ambiguousSampleMs = 1000;
/** RFC 6298's clock granularity term. */
const granularityMs = 10;

export type PathTiming = {
	readonly samples: number;
	/** Smoothed RTT in ms; undefined before the first sample. */
	readonly srttMs: number | undefined;
	/** The first attempt's timeout: the caller's initial timeout until the path has been measured. */
	timeoutMs(): number;
	/** Takes one round-trip time in ms (a refusal, an accept, a UDP answer). */
	sample(rttMs: number): void;
};

export function createPathTiming(initialMs: number): PathTiming {
	let srtt: number | undefined;
	let rttvar = 0;
	let samples = 0;
	const floor = Math.min(timeoutFloorMs, initialMs);
	return {
		timeoutMs() {
			if (srtt === undefined) {
				return initialMs;
			}

			const rto = srtt + Math.max(granularityMs, 4 * rttvar);
			return Math.min(timeoutCeilingMs, Math.max(floor, rto));
		},
		sample(rttMs) {
			if (!(rttMs >= 0) || rttMs > ambiguousSampleMs) {
				return;
			}

			samples++;
			if (srtt === undefined) {
				srtt = rttMs;
				rttvar = rttMs / 2;
				return;
			}

			rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - rttMs);
			srtt = 0.875 * srtt + 0.125 * rttMs;
		},
		get samples() {
			return samples;
		},
		get srttMs() {
			return srtt;
		},
	};
}

const byAddress = new Map<string, {initialMs: number; timing: PathTiming}>();

/** The process-wide timing of one address (a new one when the caller's initial timeout changed). */
export function pathTiming(address: string, initialMs: number): PathTiming {
	const known = byAddress.get(address);
	if (known?.initialMs === initialMs) {
		return known.timing;
	}

	if (byAddress.size > 1024) {
		byAddress.clear();
	}

	const timing = createPathTiming(initialMs);
	byAddress.set(address, {initialMs, timing});
	return timing;
}

/**
 * The retry's timeout after a first attempt of `firstMs` timed out: longer, and past the kernel's
 * first SYN retransmit (1 s), so that an answer lost once (a dropped packet, an ICMP error that
 * arrived while connect() held the socket) is drawn a second time within it.
 */
export function retryTimeoutMs(
	firstMs: number,
	synRetransmitMs: number,
): number {
	return firstMs + Math.max(firstMs, synRetransmitMs);
}
