/**
 * Real daemons from Debian's packages for the tests in test/real/: each started in the foreground
 * on an address of 127.0.11.0/24 (task range `pi`) with a config the test writes into a temporary
 * directory, and stopped (SIGTERM, then SIGKILL) with that directory removed when the test file
 * ends. A daemon that needs a directory of the system (/run/sshd) or a port on every address
 * (rpcbind's 111) runs in a mount or network namespace of its own instead of touching the host's.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import type {TestFn} from 'ava';
import {parseProcNet} from '../../source/probe/proc-net.js';
import {scanOwners} from '../../source/probe/proc-owners.js';
import type {Protocol} from '../../source/probe/types.js';

export type Endpoint = {
	readonly protocol: Protocol;
	readonly address: string;
	readonly port: number;
};

export type Daemon = {
	readonly name: string;
	readonly pid: number;
	/** The network namespace to probe it from, when it has one of its own. */
	readonly netns?: string;
	/** What it wrote to stdout and stderr so far. */
	readonly output: () => string;
	stop(): Promise<void>;
};

export type Started =
	| {readonly isStarted: true; readonly daemon: Daemon}
	| {readonly isStarted: false; readonly reason: string};

export type DaemonSpec = {
	readonly name: string;
	readonly command: string;
	readonly args: readonly string[];
	/** Every socket it must listen on before it counts as started. */
	readonly listens: readonly Endpoint[];
	readonly env?: NodeJS.ProcessEnv;
	/** Run it in a network namespace of its own (loopback up) and a mount namespace with a fresh /run. */
	readonly isIsolated?: boolean;
	/** Run it in a mount namespace with a fresh /run (for daemons that want /run/<name>). */
	readonly runDirectories?: readonly string[];
};

const running = new Set<ChildProcess>();

// A worker that dies without its teardown must not leave daemons behind.
process.once('exit', () => {
	for (const child of running) {
		signalGroup(child, 'SIGKILL');
	}
});

/** Where the daemon binaries are; Debian puts most in /usr/sbin, outside a user's PATH. */
export function findCommand(name: string): string | undefined {
	for (const directory of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
		const file = path.join(directory, name);
		if (existsSync(file)) {
			return file;
		}
	}

	return undefined;
}

/** A temporary directory for configs and state, removed by `remove`. */
export function makeWorkDirectory(): {directory: string; remove(): void} {
	const directory = mkdtempSync(path.join(tmpdir(), 'portui-test-real-'));
	return {
		directory,
		remove() {
			rmSync(directory, {recursive: true, force: true});
		},
	};
}

/** The inodes of the listening sockets on `endpoint`, from the table of `pid`'s network namespace. */
function listeningInodes(pid: number, endpoint: Endpoint): number[] {
	const family = endpoint.address.includes(':') ? 6 : 4;
	const table = `${endpoint.protocol}${family === 6 ? '6' : ''}`;
	let text: string;
	try {
		text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
	} catch {
		return [];
	}

	return parseProcNet(text, endpoint.protocol, family)
		.filter(
			(socket) =>
				socket.port === endpoint.port &&
				(socket.address === endpoint.address ||
					socket.address === '0.0.0.0' ||
					socket.address === '::'),
		)
		.map((socket) => socket.inode);
}

/**
 * Whether every endpoint has a listening socket that `pid` (or a process it started) holds. The
 * table is the namespace's: a listener left by an earlier run on the same address is in it too.
 */
async function isListening(
	pid: number,
	endpoints: readonly Endpoint[],
): Promise<boolean> {
	const inodes = endpoints.map((endpoint) => listeningInodes(pid, endpoint));
	if (inodes.some((each) => each.length === 0)) {
		return false;
	}

	const {pidsByInode} = await scanOwners();
	return inodes.every((each) =>
		each.some((inode) =>
			(pidsByInode.get(inode) ?? []).some((holder) =>
				descendsFrom(holder, pid),
			),
		),
	);
}

function descendsFrom(pid: number, ancestor: number): boolean {
	let current = pid;
	for (let depth = 0; depth < 64 && current > 1; depth++) {
		if (current === ancestor) {
			return true;
		}

		try {
			// The parent is the 2nd field after the command name, which may hold spaces and parentheses.
			const stat = readFileSync(`/proc/${current}/stat`, 'utf8');
			current = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		} catch {
			return false;
		}
	}

	return current === ancestor;
}

const quote = (word: string) => `'${word.replaceAll("'", String.raw`'\''`)}'`;

function commandLine(spec: DaemonSpec): [string, string[]] {
	const run = [spec.command, ...spec.args].map((word) => quote(word)).join(' ');
	if (spec.isIsolated) {
		return [
			'unshare',
			[
				'--net',
				'--mount',
				'--propagation',
				'private',
				'--fork',
				'sh',
				'-c',
				`ip link set lo up && mount -t tmpfs tmpfs /run && exec ${run}`,
			],
		];
	}

	if (spec.runDirectories) {
		const make = spec.runDirectories
			.map((directory) => `mkdir -p ${quote(directory)}`)
			.join(' && ');
		return [
			'unshare',
			[
				'--mount',
				'--propagation',
				'private',
				'sh',
				'-c',
				`mount -t tmpfs tmpfs /run && ${make} && exec ${run}`,
			],
		];
	}

	return [spec.command, [...spec.args]];
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
	try {
		process.kill(-child.pid!, signal);
	} catch {
		// Already gone.
	}
}

async function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		running.delete(child);
		return;
	}

	const exited = new Promise((resolve) => {
		child.once('exit', resolve);
	});
	signalGroup(child, 'SIGTERM');
	const timer = setTimeout(() => {
		signalGroup(child, 'SIGKILL');
	}, 3000);
	await exited;
	clearTimeout(timer);
	running.delete(child);
}

/** Start a daemon and wait (up to 10 s) until it listens on every endpoint; else stop it and say why. */
export async function startDaemon(spec: DaemonSpec): Promise<Started> {
	const [command, args] = commandLine(spec);
	// A process group of its own, so that stopping it reaches what the wrapper started too (a
	// daemon that drops privileges loses unshare's --kill-child signal).
	const child = spawn(command, args, {
		env: {...process.env, ...spec.env},
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	running.add(child);
	const log = {text: ''};
	const keep = (chunk: string) => {
		log.text = (log.text + chunk).slice(-8000);
	};

	child.stdout.setEncoding('utf8');
	child.stderr.setEncoding('utf8');
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	let spawnError: Error | undefined;
	child.once('error', (error) => {
		spawnError = error;
	});
	const deadline = Date.now() + 10_000;
	while (Date.now() < deadline) {
		if (
			spawnError !== undefined ||
			child.exitCode !== null ||
			child.signalCode !== null
		) {
			break;
		}

		const pid = child.pid!;
		// eslint-disable-next-line no-await-in-loop -- polling a daemon's start-up is sequential
		if (await isListening(pid, spec.listens)) {
			return {
				isStarted: true,
				daemon: {
					name: spec.name,
					pid,
					...(spec.isIsolated && {netns: `/proc/${pid}/ns/net`}),
					output: () => log.text,
					stop: async () => stopChild(child),
				},
			};
		}

		// Polling a daemon's start-up is sequential by nature.
		// eslint-disable-next-line no-await-in-loop
		await delay(50);
	}

	await stopChild(child);
	const lastLine =
		spawnError?.message ?? log.text.trim().split('\n').pop() ?? '';
	return {
		isStarted: false,
		reason: `${spec.name} did not start: ${lastLine === '' ? 'no output' : lastLine}`,
	};
}

/** A tool a comparison needs (nmap, openssl), as a `Started` for `whenStarted`. */
export function tool(name: string, args = ['--version']): Started {
	return spawnSync(name, args, {stdio: 'ignore'}).error === undefined
		? {
				isStarted: true,
				daemon: {name, pid: 0, output: () => '', stop: async () => undefined},
			}
		: {isStarted: false, reason: `${name} is not installed`};
}

/** Not started: the daemon is not installed, with what installs it. */
export const notInstalled = (name: string, packageName: string): Started => ({
	isStarted: false,
	reason: `${name} is not installed (.ci/run installs ${packageName})`,
});

/**
 * The test function for tests that need these daemons: `test.serial` (they share the daemons and
 * the machine's two cores), or `test.skip` with the one-line reason in its title.
 */
export function whenStarted(
	test: TestFn,
	...results: readonly Started[]
): {
	readonly test: TestFn['serial'] | TestFn['skip'];
	readonly title: (title: string) => string;
} {
	const failed = results.find((result) => !result.isStarted);
	return failed && !failed.isStarted
		? {
				test: test.skip,
				title: (title) => `${title} (skipped: ${failed.reason})`,
			}
		: {test: test.serial, title: (title) => title};
}

/** Stop the daemons that started and remove the work directory, once the file's tests are done. */
export function cleanUpAfter(
	test: TestFn,
	work: {remove(): void},
	...results: readonly Started[]
): void {
	test.after.always(async () => {
		await Promise.all(
			results.map(async (result) =>
				result.isStarted ? result.daemon.stop() : undefined,
			),
		);
		work.remove();
	});
}
