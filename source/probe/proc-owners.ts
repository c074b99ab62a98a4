import {readdirSync, readFileSync, readlinkSync} from 'node:fs';
import {setImmediate as yieldToEventLoop} from 'node:timers/promises';
import {abortReason} from './tcp.js';
import {nowMs} from './clock.js';

/**
The few calls the listener scan makes on /proc, injectable so that tests can simulate what they
cannot cause as root (EACCES on another user's fd directory). Errors carry a Node `code`.

They are synchronous on purpose: a scan is thousands of tiny readlink calls, and each one through
the libuv thread pool costs several times the call itself (measured: 2,400 fds in 25 ms sync,
84-150 ms async). The scan yields to the event loop between processes instead; see `scanOwners`.
*/
export type ProcReader = {
	readonly readdir: (path: string) => string[];
	readonly readlink: (path: string) => string;
	readonly readFile: (path: string) => Uint8Array;
};

export const nodeProcReader: ProcReader = {
	readdir: (path) => readdirSync(path),
	readlink: (path) => readlinkSync(path),
	// Bytes: a process name is UTF-8 or garbage, and the sanitiser decides which.
	readFile: (path) => readFileSync(path),
};

export type OwnerScan = {
	/** Socket inode to the pids that hold it, ascending. */
	readonly pidsByInode: ReadonlyMap<number, readonly number[]>;
	/** Processes whose descriptors could not be read (EACCES/EPERM when not root): their sockets are unknown. */
	readonly deniedCount: number;
};

export type ScanOwnersOptions = {
	readonly reader?: ProcReader;
	readonly signal?: AbortSignal;
	/**
	 * Longest stretch of synchronous work before yielding to the event loop. Default 3 ms: under
	 * the 5 ms a probe's RTT tolerates (rtt-clock.ts `stallMs`), so a scan made while probes are in
	 * flight neither delays their answers much nor spoils their round-trip times.
	 */
	readonly sliceMs?: number;
};

const socketLinkPrefix = 'socket:[';

/** Maps socket inodes to processes by reading every /proc/PID/fd link: the expensive part. */
export async function scanOwners(
	options: ScanOwnersOptions = {},
): Promise<OwnerScan> {
	const {reader = nodeProcReader, signal, sliceMs = 3} = options;
	throwIfAborted(signal);
	let names: string[];
	try {
		names = reader.readdir('/proc');
	} catch {
		// Nothing could be searched: every owner is unknown, which `deniedCount` says.
		return {pidsByInode: new Map(), deniedCount: 1};
	}

	const pids = names
		.filter((name) => /^\d+$/v.test(name))
		.map(Number)
		.toSorted((a, b) => a - b);
	const pidsByInode = new Map<number, number[]>();
	let deniedCount = 0;
	let sliceStart = nowMs();
	for (const pid of pids) {
		const outcome = scanProcess(reader, pid, pidsByInode);
		if (outcome === 'denied') {
			deniedCount++;
		}

		if (nowMs() - sliceStart > sliceMs) {
			// eslint-disable-next-line no-await-in-loop -- yielding between slices is the point
			await yieldToEventLoop();
			throwIfAborted(signal);
			sliceStart = nowMs();
		}
	}

	throwIfAborted(signal);
	return {pidsByInode, deniedCount};
}

function scanProcess(
	reader: ProcReader,
	pid: number,
	pidsByInode: Map<number, number[]>,
): 'ok' | 'denied' | 'gone' {
	const directory = `/proc/${pid}/fd`;
	let fds: string[];
	try {
		fds = reader.readdir(directory);
	} catch (error) {
		return isGone(error) ? 'gone' : 'denied';
	}

	for (const fd of fds) {
		let link: string;
		try {
			link = reader.readlink(`${directory}/${fd}`);
		} catch (error) {
			// A descriptor closed between readdir and readlink is simply gone.
			if (isGone(error)) {
				continue;
			}

			// The kernel checks access per process, not per descriptor: the rest would fail alike.
			return 'denied';
		}

		if (!link.startsWith(socketLinkPrefix)) {
			continue;
		}

		const inode = Number(link.slice(socketLinkPrefix.length, -1));
		const holders = pidsByInode.get(inode);
		if (holders === undefined) {
			pidsByInode.set(inode, [pid]);
		} else if (holders.at(-1) !== pid) {
			// The same socket on two descriptors of one process counts once.
			holders.push(pid);
		}
	}

	return 'ok';
}

/** A process or descriptor that went away while we looked: not a permission problem. */
export function isGone(error: unknown): boolean {
	const code = errorCode(error);
	return code === 'ENOENT' || code === 'ESRCH';
}

export function errorCode(error: unknown): string | undefined {
	return error instanceof Error &&
		'code' in error &&
		typeof error.code === 'string'
		? error.code
		: undefined;
}

/** Like `signal.throwIfAborted()`, but rejecting with a real Error as every probe does. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
	if (signal?.aborted) {
		throw abortReason(signal);
	}
}
