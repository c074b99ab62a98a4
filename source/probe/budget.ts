import {
	closeSync,
	mkdirSync,
	openSync,
	readFileSync,
	readlinkSync,
	statSync,
	unlinkSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

/**
 * A target's ICMP error budget is shared by every prober on this machine: the target limits the
 * errors it sends to our address, not to one process. Two portui processes probing one host's
 * UDP ports each at the host's pace would together outrun it, and each would read the other's
 * spent budget as silence (issue 16 row 4). So the next start time of a UDP probe to an
 * address is booked in a small file per address that every portui process on the machine reads
 * and advances under a lock file: `$XDG_RUNTIME_DIR/portui/` (per user, cleared at logout), else
 * `portui-UID` in the system temporary directory. When the files cannot be used, the booking
 * falls back to this process alone.
 */
export function budgetDirectory(env: NodeJS.ProcessEnv = process.env): string {
	const runtime = env['XDG_RUNTIME_DIR'];
	return runtime && path.isAbsolute(runtime)
		? path.join(runtime, 'portui')
		: path.join(os.tmpdir(), `portui-${process.getuid?.() ?? 'user'}`);
}

/** A lock older than this was left by a process that died holding it. */
const staleLockMs = 2000;

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * The network namespace this process probes from (`net:[4026531840]` -> `4026531840`): an address
 * in another namespace is another host, with a budget of its own.
 */
function namespaceId(): string {
	try {
		return /\d+/v.exec(readlinkSync('/proc/self/ns/net'))?.[0] ?? '';
	} catch {
		return '';
	}
}

let namespace: string | undefined;

function fileFor(directory: string, address: string): string {
	namespace ??= namespaceId();
	const prefix = namespace === '' ? 'udp' : `udp-${namespace}`;
	return path.join(
		directory,
		`${prefix}-${address.replaceAll(/[^\w.\-]/gv, '_')}`,
	);
}

/** Takes the lock file, breaking a stale one; false when it could not within a few ms. */
function lock(file: string): boolean {
	for (let attempt = 0; attempt < 50; attempt++) {
		try {
			closeSync(openSync(file, 'wx', 0o600));
			return true;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
				return false;
			}

			try {
				if (Date.now() - statSync(file).mtimeMs > staleLockMs) {
					unlinkSync(file);
					continue;
				}
			} catch {
				// Released between the two calls: try again.
			}

			// The holder keeps it for microseconds (one read and one write).
			Atomics.wait(pause, 0, 0, 1);
		}
	}

	return false;
}

/** What every portui process on the machine knows about one target's ICMP budget. */
export type TargetBudget = {
	/** Epoch ms before which no new paced probe may start (the last booking's end). */
	readonly next: number;
	/** Epoch ms until which the target is known to rate-limit: every process paces its UDP. */
	readonly limitedUntil: number;
};

const inProcess = new Map<string, TargetBudget>();

function parse(text: string, now: number): TargetBudget {
	const [next = 0, limitedUntil = 0] = text
		.split(' ')
		.map((field) => Number(field) || 0);
	// A time far in the future is a clock step or a bad file: ignore it.
	return {
		next: next < now + 60_000 ? next : 0,
		limitedUntil: limitedUntil < now + 600_000 ? limitedUntil : 0,
	};
}

/**
 * Reads and rewrites the shared budget of `address` under its lock, merged with this process's
 * own view; returns what `change` made of it. Falls back to this process alone when the files
 * cannot be used (a read-only or full temporary directory).
 */
function update(
	address: string,
	change: (budget: TargetBudget) => TargetBudget,
	now: number,
	directory: string,
): TargetBudget {
	const local = inProcess.get(address) ?? {next: 0, limitedUntil: 0};
	let merged = local;
	let changed: TargetBudget | undefined;
	try {
		mkdirSync(directory, {recursive: true, mode: 0o700});
		const file = fileFor(directory, address);
		if (lock(`${file}.lock`)) {
			try {
				let shared: TargetBudget = {next: 0, limitedUntil: 0};
				try {
					shared = parse(readFileSync(file, 'utf8'), now);
				} catch {
					// No booking yet.
				}

				merged = {
					next: Math.max(local.next, shared.next),
					limitedUntil: Math.max(local.limitedUntil, shared.limitedUntil),
				};
				changed = change(merged);
				writeFileSync(file, `${changed.next} ${changed.limitedUntil}`, {
					mode: 0o600,
				});
			} finally {
				unlinkSync(`${file}.lock`);
			}
		}
	} catch {
		// This process's own view still holds.
	}

	changed ??= change(merged);
	if (inProcess.size > 256) {
		inProcess.clear();
	}

	inProcess.set(address, changed);
	return changed;
}

/**
 * Books the next start of a UDP probe to `address`, at least `spacingMs` after the last one booked
 * by any portui process on this machine, and returns it (epoch ms).
 */
export function bookUdpStart(
	address: string,
	spacingMs: number,
	now: number = Date.now(),
	directory: string = budgetDirectory(),
): number {
	let start = now;
	update(
		address,
		(budget) => {
			start = Math.max(now, budget.next);
			return {...budget, next: start + spacingMs};
		},
		now,
		directory,
	);
	return start;
}

/** Tells every portui process that `address` rate-limits its ICMP errors, for `forMs`. */
export function markLimited(
	address: string,
	forMs: number,
	now: number = Date.now(),
	directory: string = budgetDirectory(),
): void {
	update(
		address,
		(budget) => ({
			...budget,
			limitedUntil: Math.max(budget.limitedUntil, now + forMs),
		}),
		now,
		directory,
	);
}

/** Whether some portui process found `address` rate-limiting recently. */
export function isLimited(
	address: string,
	now: number = Date.now(),
	directory: string = budgetDirectory(),
): boolean {
	return update(address, (budget) => budget, now, directory).limitedUntil > now;
}
