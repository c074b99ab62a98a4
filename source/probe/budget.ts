import {
	closeSync,
	mkdirSync,
	openSync,
	readFileSync,
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

const inProcess = new Map<string, number>();

const pause = new Int32Array(new SharedArrayBuffer(4));

function fileFor(directory: string, address: string): string {
	return path.join(directory, `udp-${address.replaceAll(/[^\w.\-]/gv, '_')}`);
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
	const local = inProcess.get(address) ?? 0;
	let booked = Math.max(now, local);
	try {
		mkdirSync(directory, {recursive: true, mode: 0o700});
		const file = fileFor(directory, address);
		if (lock(`${file}.lock`)) {
			try {
				let shared = 0;
				try {
					shared = Number(readFileSync(file, 'utf8')) || 0;
				} catch {
					// No booking yet.
				}

				// A booking far in the future is a clock step or a bad file: ignore it.
				if (shared < now + 60_000) {
					booked = Math.max(booked, shared);
				}

				writeFileSync(file, String(booked + spacingMs), {mode: 0o600});
			} finally {
				unlinkSync(`${file}.lock`);
			}
		}
	} catch {
		// A read-only or full temporary directory: this process's own booking still holds.
	}

	if (inProcess.size > 256) {
		for (const [key, at] of inProcess) {
			if (at < now) {
				inProcess.delete(key);
			}
		}
	}

	inProcess.set(address, booked + spacingMs);
	return booked;
}
