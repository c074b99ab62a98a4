import process from 'node:process';

/**
 * Milliseconds on a monotonic clock, for the RTTs and durations the probe engine measures (one
 * clock for them all: rtt-clock.ts compares the stamps of tcp.ts and udp.ts). Read from
 * process.hrtime rather than performance.now(): the first use of `performance` loads Node's
 * perf_hooks modules, 2.5 ms of a one-shot `probe`'s start here.
 */
export function nowMs(): number {
	return Number(process.hrtime.bigint()) / 1e6;
}
