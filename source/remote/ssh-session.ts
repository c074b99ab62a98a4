import {Buffer} from 'node:buffer';
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {sanitize} from '../probe/sanitize.js';
import type {SshDestination} from './destination.js';
import {
	readyLine,
	snapshotEnd,
	snapshotFunction,
	snapshotRequest,
} from './snapshot-script.js';

export type SshSessionOptions = {
	readonly destination: SshDestination;
	/** Passed to ssh as -F: a config file of its own instead of ~/.ssh/config. */
	readonly configFile?: string;
	/** Run the script through `sudo -n`, so other users' processes are named. */
	readonly isSudo?: boolean;
	/** Wait this long after a lost connection before connecting again. */
	readonly retryMs?: number;
	/**
	 * False for a one-shot command: a failure is final and its reason promises no retry
	 * (`ssh: connect to host db1 port 22: Connection refused`). Default true.
	 */
	readonly isRetrying?: boolean;
	/** Longest wait for one snapshot before the connection counts as lost. */
	readonly requestTimeoutMs?: number;
	readonly sshCommand?: string;
	readonly now?: () => number;
};

/** One snapshot's raw text (latin1: bytes as they came) and what it cost. */
export type RawSnapshot = {
	readonly text: string;
	/** Bytes received for this refresh, and sent. */
	readonly bytesIn: number;
	readonly bytesOut: number;
	readonly ms: number;
};

export type SshSession = {
	/** Runs the script once on the open connection (opening it first when needed). Rejects with a one-line reason. */
	readonly snapshot: (options?: {
		readonly signal?: AbortSignal;
	}) => Promise<RawSnapshot>;
	readonly close: () => void;
	/** How many ssh processes this session started: one per connection. */
	readonly connections: () => number;
};

/** Refused by the other side: trying again in 5 s would be refused the same way. */
const permanentFailure =
	/host key verification failed|permission denied|no matching|too many authentication failures|a password is required|sudo: .*(not allowed|not in the sudoers)/iv;

type Connection = {
	readonly child: ChildProcessWithoutNullStreams;
	readonly ready: Promise<void>;
	stderr: string;
	buffer: string;
	/** Resolves the request in flight when its end line arrives. */
	onEnd?: (text: string) => void;
	isClosed: boolean;
};

/** Ssh's reason: its last line, without its own `ssh: ` (ours is added once). */
const lastLine = (text: string) =>
	(
		text
			.split(/\r?\n/v)
			.map((line) => line.trim())
			.findLast((line) => line !== '') ?? ''
	).replace(/^ssh: /v, '');

/**
One long-lived `ssh HOST sh` (or `sudo -n sh`): the script's function is defined once, then each
refresh is one line in and one snapshot out. The remote command is a constant; the destination
goes to ssh as separate arguments after checks (destination.ts), never through a shell.

A connection that ends is a state: the next refresh within `retryMs` rejects at once with
`ssh: connection lost, retrying in 5s`, and the one after connects again. Host key and
authentication failures reject with ssh's own last line and are not retried; nor is anything
with `isRetrying: false` (a one-shot command), whose reasons then name no retry.
*/
export function createSshSession(options: SshSessionOptions): SshSession {
	const {
		destination,
		configFile,
		isSudo = false,
		retryMs = 5000,
		isRetrying = true,
		requestTimeoutMs = 30_000,
		sshCommand = 'ssh',
		now = Date.now,
	} = options;
	let connection: Connection | undefined;
	let failure: {reason: string; until: number} | undefined;
	let queue: Promise<unknown> = Promise.resolve();
	let started = 0;
	let isClosed = false;

	const argv = [
		...(configFile === undefined ? [] : ['-F', configFile]),
		'-T',
		'-o',
		'BatchMode=yes',
		'-o',
		'ConnectTimeout=10',
		'-o',
		'ServerAliveInterval=5',
		'-o',
		'ServerAliveCountMax=3',
		...(destination.port === undefined ? [] : ['-p', String(destination.port)]),
		...(destination.user === undefined ? [] : ['-l', destination.user]),
		'--',
		destination.host,
		...(isSudo ? ['sudo', '-n', 'sh'] : ['sh']),
	];

	/** The last failure's reason, with the time to the next attempt when there is one. */
	function failureText(): string {
		if (!failure) {
			return 'ssh: connection lost';
		}

		return failure.until === Infinity
			? failure.reason
			: `${failure.reason}, retrying in ${Math.max(1, Math.ceil((failure.until - now()) / 1000))}s`;
	}

	function fail(current: Connection, reason: string) {
		if (current.isClosed) {
			return;
		}

		current.isClosed = true;
		if (connection === current) {
			connection = undefined;
		}

		const line = sanitize(lastLine(current.stderr), 200);
		const isPermanent = permanentFailure.test(line);
		failure = {
			reason: isPermanent ? `ssh: ${line}` : reason,
			until: isPermanent || !isRetrying ? Infinity : now() + retryMs,
		};
		current.child.kill('SIGTERM');
	}

	function connect(): Connection {
		started++;
		const child = spawn(sshCommand, argv, {
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		child.stdout.setEncoding('latin1');
		child.stderr.setEncoding('utf8');
		let markReady: () => void = () => undefined;
		let markFailed: (error: Error) => void = () => undefined;
		const current: Connection = {
			child,
			ready: new Promise((resolve, reject) => {
				markReady = resolve;
				markFailed = reject;
			}),
			stderr: '',
			buffer: '',
			isClosed: false,
		};
		let isReady = false;
		child.stderr.on('data', (chunk: string) => {
			// The reason of a failure is its last line: keep a bounded tail.
			current.stderr = (current.stderr + chunk).slice(-4000);
		});
		child.stdout.on('data', (chunk: string) => {
			current.buffer += chunk;
			if (!isReady) {
				const at = current.buffer.indexOf(`${readyLine}\n`);
				if (at === -1) {
					return;
				}

				isReady = true;
				current.buffer = current.buffer.slice(at + readyLine.length + 1);
				markReady();
			}

			const end = current.buffer.indexOf(`\n${snapshotEnd}\n`);
			if (end !== -1 && current.onEnd) {
				const text = current.buffer.slice(0, end + 1);
				current.buffer = current.buffer.slice(end + snapshotEnd.length + 2);
				const {onEnd} = current;
				current.onEnd = undefined;
				onEnd(text);
			}
		});
		const onGone = () => {
			fail(
				current,
				isReady
					? 'ssh: connection lost'
					: `ssh: ${sanitize(lastLine(current.stderr), 200) || 'could not connect'}`,
			);
			markFailed(new Error(failureText()));
			current.onEnd?.('');
		};

		child.once('close', onGone);
		child.once('error', (error) => {
			current.stderr += `\n${error.message}`;
			onGone();
		});
		child.stdin.on('error', () => {
			// The child's end is reported by 'close'.
		});
		child.stdin.write(snapshotFunction);
		return current;
	}

	async function run(): Promise<RawSnapshot> {
		if (isClosed) {
			throw new Error('ssh: session closed');
		}

		if (!connection) {
			if (failure && now() < failure.until) {
				throw new Error(failureText());
			}

			connection = connect();
		}

		const current = connection;
		await current.ready;
		const startedAt = performance.now();
		const text = await new Promise<string>((resolve) => {
			const timer = setTimeout(() => {
				fail(current, 'ssh: no answer from the host');
				resolve('');
			}, requestTimeoutMs);
			current.onEnd = (result) => {
				clearTimeout(timer);
				resolve(result);
			};

			current.child.stdin.write(snapshotRequest);
		});
		if (current.isClosed) {
			throw new Error(failureText());
		}

		return {
			text,
			bytesIn: Buffer.byteLength(text, 'latin1') + snapshotEnd.length + 2,
			bytesOut: snapshotRequest.length,
			ms: performance.now() - startedAt,
		};
	}

	return {
		async snapshot({signal} = {}) {
			// One request at a time on the one connection; an aborted caller still lets its run finish.
			const result = queue.then(run, run);
			queue = result.catch(() => undefined);
			if (!signal) {
				return result;
			}

			return new Promise((resolve, reject) => {
				const onAbort = () => {
					reject(signal.reason as Error);
				};

				signal.addEventListener('abort', onAbort, {once: true});
				result.then(resolve, reject).finally(() => {
					signal.removeEventListener('abort', onAbort);
				});
			});
		},
		close() {
			isClosed = true;
			if (connection) {
				connection.isClosed = true;
				connection.child.kill('SIGTERM');
				connection = undefined;
			}
		},
		connections: () => started,
	};
}
