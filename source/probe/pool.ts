import {readdirSync, readFileSync} from 'node:fs';
import {bookUdpStart} from './budget.js';
import {abortReason} from './tcp.js';

/** A counting semaphore: at most `size` holders; a released slot passes straight to the next waiter. */
export type Slots = {
	readonly size: number;
	/** Takes a free slot at once; false when there is none (then `acquire` waits for one). */
	tryAcquire(): boolean;
	acquire(): Promise<void>;
	release(): void;
};

export function createSlots(size: number): Slots {
	let active = 0;
	const waiting: Array<() => void> = [];
	const tryAcquire = () => {
		if (active < size) {
			active++;
			return true;
		}

		return false;
	};

	return {
		size,
		tryAcquire,
		async acquire() {
			if (tryAcquire()) {
				return;
			}

			return new Promise<void>((resolve) => {
				waiting.push(resolve);
			});
		},
		release() {
			// Handing over without decrementing keeps a newcomer from slipping in between.
			const next = waiting.shift();
			if (next) {
				next();
			} else {
				active--;
			}
		},
	};
}

/** Resolves after `ms` on the global timer (fake timers in tests see it), rejects on abort. */
export async function delay(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) {
		throw abortReason(signal);
	}

	if (ms <= 0) {
		return;
	}

	return new Promise<void>((resolve, reject) => {
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortReason(signal!));
		};

		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, {once: true});
	});
}

/**
 * Wait for this address's turn and book the next one `spacingMs` later, shared by every sweep of
 * every portui process on the machine (budget.ts). 0 means no spacing.
 */
export async function udpTurn(
	address: string,
	spacingMs: number,
	signal?: AbortSignal,
): Promise<void> {
	if (spacingMs <= 0) {
		return;
	}

	const now = Date.now();
	await delay(bookUdpStart(address, spacingMs, now) - now, signal);
}

/** Descriptors left to the rest of the process (stdio, the terminal, the catalogue, Node's own). */
export const descriptorReserve = 24;

/**
 * How many sockets a sweep may hold at once: the soft RLIMIT_NOFILE (`ulimit -n`) less the
 * descriptors already open and a reserve; undefined where /proc cannot tell. Probes beyond it
 * would fail with EMFILE (with `ulimit -n 64`, 4,955 of 5,000 ports read `unreachable EMFILE`).
 */
export function descriptorBudget(): number | undefined {
	try {
		const limits = readFileSync('/proc/self/limits', 'latin1');
		const soft = /^Max open files\s+(\d+|unlimited)/mv.exec(limits)?.[1];
		if (soft === undefined || soft === 'unlimited') {
			return undefined;
		}

		const open = readdirSync('/proc/self/fd').length;
		return Math.max(1, Number(soft) - open - descriptorReserve);
	} catch {
		return undefined;
	}
}
