import {
	spawn,
	spawnSync,
	type ChildProcessWithoutNullStreams,
} from 'node:child_process';
import {mkdirSync, readdirSync, rmdirSync, statSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import type {ExecutionContext} from 'ava';
import {runChild} from './child.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(root, 'bin', 'portui.js');
const bundle = path.join(root, 'dist', 'cli.js');
const lock = path.join(root, 'dist', '.build-lock');

function newestMtime(directory: string): number {
	let newest = 0;
	for (const entry of readdirSync(directory, {withFileTypes: true})) {
		const file = path.join(directory, entry.name);
		newest = Math.max(
			newest,
			entry.isDirectory() ? newestMtime(file) : statSync(file).mtimeMs,
		);
	}

	return newest;
}

function isStale(): boolean {
	try {
		return statSync(bundle).mtimeMs < newestMtime(path.join(root, 'source'));
	} catch {
		return true;
	}
}

async function build(): Promise<void> {
	const {status, stderr} = await runChild(process.execPath, [
		'scripts/build.js',
	]);
	if (status !== 0) {
		throw new Error(`npm run build failed:\n${stderr}`);
	}
}

let built: Promise<void> | undefined;

/**
 * Builds dist/cli.js when a source file is newer. Test files run in parallel processes: a lock
 * directory (mkdir is atomic) lets one of them build while the others wait for it.
 */
export async function ensureBuilt(): Promise<void> {
	built ??= (async () => {
		mkdirSync(path.dirname(lock), {recursive: true});
		const deadline = Date.now() + 60_000;
		for (;;) {
			try {
				mkdirSync(lock);
				break;
			} catch {
				if (Date.now() > deadline) {
					throw new Error(`could not take the build lock ${lock}`);
				}

				// Polling a lock is sequential by nature.
				// eslint-disable-next-line no-await-in-loop
				await delay(100);
			}
		}

		try {
			if (isStale()) {
				await build();
			}
		} finally {
			rmdirSync(lock);
		}
	})();
	return built;
}

export type CliResult = {
	readonly exitCode: number | undefined;
	readonly signal: NodeJS.Signals | undefined;
	readonly stdout: string;
	readonly stderr: string;
	/** Wall time from spawn to exit, ms. */
	readonly elapsedMs: number;
};

export type CliProcess = {
	readonly child: ChildProcessWithoutNullStreams;
	/** Everything written so far. */
	readonly output: {stdout: string; stderr: string};
	readonly result: Promise<CliResult>;
	/** Resolves when stdout holds a line that `matches` accepts (rejects after `timeoutMs`). */
	waitForLine(
		matches: (line: string) => boolean,
		timeoutMs?: number,
	): Promise<string>;
};

export type CliOptions = {
	readonly env?: NodeJS.ProcessEnv;
	/** A command to run node under: `['unshare', '-rn']` for a network namespace of its own. */
	readonly wrapper?: readonly string[];
	/** The working directory (default: the checkout). */
	readonly cwd?: string;
};

/**
 * A network namespace of our own (`unshare -rn`) holds nothing but a loopback that is down:
 * a name lookup there fails without a packet leaving this machine. False where user
 * namespaces are off.
 */
export const hasNetworkNamespace =
	spawnSync('unshare', ['-rn', 'true']).status === 0;

export const isolated = ['unshare', '-rn'] as const;

/** Starts `node bin/portui.js ...args` (the built binary) with pipes for stdin, stdout, stderr. */
export function startCli(
	args: readonly string[],
	options: CliOptions = {},
): CliProcess {
	const startedAt = performance.now();
	const [command, ...commandArgs] = options.wrapper ?? [process.execPath];
	const node = options.wrapper ? [process.execPath] : [];
	const child = spawn(command!, [...commandArgs, ...node, bin, ...args], {
		cwd: options.cwd ?? root,
		env: {...process.env, NO_COLOR: '1', ...options.env},
	});
	const output = {stdout: '', stderr: ''};
	const waiters = new Set<() => void>();
	child.stdout.setEncoding('utf8');
	child.stderr.setEncoding('utf8');
	child.stdout.on('data', (chunk: string) => {
		output.stdout += chunk;
		for (const check of waiters) {
			check();
		}
	});
	child.stderr.on('data', (chunk: string) => {
		output.stderr += chunk;
	});

	const result = new Promise<CliResult>((resolve) => {
		child.on('close', (exitCode, signal) => {
			for (const check of waiters) {
				check();
			}

			resolve({
				exitCode: exitCode ?? undefined,
				signal: signal ?? undefined,
				...output,
				elapsedMs: performance.now() - startedAt,
			});
		});
	});

	const waitForLine = async (
		matches: (line: string) => boolean,
		timeoutMs = 15_000,
	) =>
		new Promise<string>((resolve, reject) => {
			const timer = setTimeout(() => {
				waiters.delete(check);
				reject(
					new Error(
						`no matching line within ${timeoutMs} ms; stdout:\n${output.stdout}\nstderr:\n${output.stderr}`,
					),
				);
			}, timeoutMs);
			const check = () => {
				const line = output.stdout
					.split('\n')
					.slice(0, -1)
					.find((line) => matches(line));
				if (line !== undefined) {
					clearTimeout(timer);
					waiters.delete(check);
					resolve(line);
				} else if (child.exitCode !== null || child.signalCode !== null) {
					clearTimeout(timer);
					waiters.delete(check);
					reject(
						new Error(
							`portui exited without a matching line; stdout:\n${output.stdout}\nstderr:\n${output.stderr}`,
						),
					);
				}
			};

			waiters.add(check);
			check();
		});

	return {child, output, waitForLine, result};
}

// Ava runs a file's tests at once; twenty Node processes starting together on a small shared
// machine take longer each than one after another. A few at a time keeps every run short.
const maxRunning = 3;
let running = 0;
const queue: Array<() => void> = [];

async function takeTurn(): Promise<void> {
	if (running < maxRunning) {
		running++;
		return;
	}

	return new Promise((resolve) => {
		queue.push(resolve);
	});
}

function endTurn() {
	const next = queue.shift();
	if (next) {
		next();
	} else {
		running--;
	}
}

/** Runs the built binary to the end; kills it after `timeoutMs` so a hang fails the test instead of stalling it. */
export async function runCli(
	args: readonly string[],
	options: CliOptions & {timeoutMs?: number} = {},
): Promise<CliResult> {
	await ensureBuilt();
	await takeTurn();
	const run = startCli(args, options);
	const timer = setTimeout(() => {
		run.child.kill('SIGKILL');
	}, options.timeoutMs ?? 45_000);
	try {
		return await run.result;
	} finally {
		clearTimeout(timer);
		endTurn();
	}
}

/** A stack trace line as Node prints it: "    at fn (file:1:2)". */
export const stackLine = /^\s+at\s/mv;

/** How every command ends on bad input: status 2, nothing on stdout, one line naming `named`, no stack trace. */
export function assertUsageError(
	t: ExecutionContext,
	result: CliResult,
	named: string,
): void {
	t.is(result.exitCode, 2);
	t.is(result.stdout, '');
	t.regex(result.stderr, /^portui: [^\n]+\n$/v, 'exactly one line');
	t.true(result.stderr.includes(named), `stderr: ${result.stderr}`);
	t.notRegex(result.stderr, stackLine);
}
