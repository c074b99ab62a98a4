import {Buffer} from 'node:buffer';
import {fileURLToPath} from 'node:url';
import process from 'node:process';
import pty from '@lydell/node-pty';
import type {ExecutionContext} from 'ava';
import xterm from '@xterm/headless';

export const binPath = fileURLToPath(
	new URL('../../bin/portui.js', import.meta.url),
);

export type PtyOptions = {
	readonly columns?: number;
	readonly rows?: number;
	readonly env?: Readonly<Record<string, string | undefined>>;
	readonly cwd?: string;
};

export type WaitOptions = {
	/** Named in the error when the wait runs out. */
	readonly description?: string;
	readonly timeoutMs?: number;
};

export type ExitStatus = {readonly exitCode: number; readonly signal?: number};

/**
 * A process in a real pseudo-terminal, read through a terminal emulator (xterm.js headless), the
 * way a person sees it: the screen, the active buffer (normal or alternate), the modes. Waits are
 * for conditions on the screen, each bounded, never a fixed sleep.
 */
export class PtySession {
	readonly terminal: xterm.Terminal;
	/** Every byte the process wrote, for escape-sequence checks and byte counts. */
	output = '';
	exitStatus: ExitStatus | undefined;
	/** Performance.now() of the last data from the process. */
	lastOutputAt = performance.now();
	/** Bytes the process wrote, as the terminal received them. */
	bytesReceived = 0;
	/** Each read from the terminal: when, and how many bytes (benchmarks group them into refreshes). */
	readonly reads: Array<{readonly at: number; readonly bytes: number}> = [];
	readonly #process: pty.IPty;
	readonly #waiters = new Set<() => void>();
	#pendingWrites = 0;

	constructor(
		command: string,
		arguments_: readonly string[],
		options: PtyOptions = {},
	) {
		const columns = options.columns ?? 80;
		const rows = options.rows ?? 24;
		this.terminal = new xterm.Terminal({
			cols: columns,
			rows,
			allowProposedApi: true,
			scrollback: 1000,
		});
		this.#process = pty.spawn(command, [...arguments_], {
			name: 'xterm-256color',
			cols: columns,
			rows,
			cwd: options.cwd ?? process.cwd(),
			env: cleanEnvironment({
				...process.env,
				// Ink renders only the last frame when it believes it runs in CI; CI=false would tell it
				// otherwise, but chalk turns colour off when CI is set at all, whatever its value. A
				// person's terminal has neither, so neither has the child's.
				CI: undefined,
				CONTINUOUS_INTEGRATION: undefined,
				LANG: 'C.UTF-8',
				...options.env,
			}),
		});
		this.#process.onData((data) => {
			this.output += data;
			this.lastOutputAt = performance.now();
			this.bytesReceived += Buffer.byteLength(data);
			this.reads.push({at: this.lastOutputAt, bytes: Buffer.byteLength(data)});
			this.#pendingWrites++;
			this.terminal.write(data, () => {
				this.#pendingWrites--;
				this.#notify();
			});
		});
		this.#process.onExit(({exitCode, signal}) => {
			this.exitStatus = {exitCode, signal};
			this.#notify();
		});
	}

	get pid(): number {
		return this.#process.pid;
	}

	/** The visible screen, one string a row, trailing spaces trimmed. */
	get lines(): string[] {
		const buffer = this.terminal.buffer.active;
		const lines: string[] = [];
		for (let row = 0; row < this.terminal.rows; row++) {
			lines.push(
				buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '',
			);
		}

		return lines;
	}

	get screen(): string {
		return this.lines.join('\n');
	}

	/** Rows from the top down to the last one with text. */
	get usedRows(): number {
		const {lines} = this;
		let last = lines.length;
		while (last > 0 && lines[last - 1]!.trim() === '') {
			last--;
		}

		return last;
	}

	get bufferType(): 'normal' | 'alternate' {
		return this.terminal.buffer.active.type;
	}

	/** The cursor is visible when the last of show (?25h) and hide (?25l) in the output is a show. */
	get isCursorVisible(): boolean {
		return (
			this.output.lastIndexOf('\u001B[?25h') >=
			this.output.lastIndexOf('\u001B[?25l')
		);
	}

	write(data: string): void {
		this.#process.write(data);
	}

	resize(columns: number, rows: number): void {
		this.terminal.resize(columns, rows);
		this.#process.resize(columns, rows);
	}

	/**
	 * What a dropped ssh connection does: the terminal's master side closes (reads and writes on
	 * the child's side fail with EIO) and the child gets SIGHUP.
	 */
	hangUp(): void {
		(this.#process as unknown as {destroy(): void}).destroy();
	}

	kill(signal: NodeJS.Signals = 'SIGTERM'): void {
		if (this.exitStatus === undefined) {
			this.#process.kill(signal);
		}
	}

	/** Resolves when `predicate` holds for the screen as parsed so far; rejects with the screen when time runs out. */
	async waitFor(
		predicate: (session: this) => boolean,
		options: WaitOptions = {},
	): Promise<void> {
		const {timeoutMs = 15_000, description = 'a condition'} = options;
		if (this.#pendingWrites === 0 && predicate(this)) {
			return;
		}

		await new Promise<void>((resolve, reject) => {
			const check = () => {
				let holds = false;
				try {
					holds = this.#pendingWrites === 0 && predicate(this);
				} catch (error) {
					finish();
					reject(error instanceof Error ? error : new Error(String(error)));
					return;
				}

				if (holds) {
					finish();
					resolve();
				} else if (this.exitStatus !== undefined && this.#pendingWrites === 0) {
					finish();
					reject(
						new Error(
							`process exited (${this.exitStatus.exitCode}) before ${description}; screen:\n${this.screen}`,
						),
					);
				}
			};

			const timer = setTimeout(() => {
				finish();
				reject(
					new Error(
						`timed out after ${timeoutMs} ms waiting for ${description}; screen:\n${this.screen}`,
					),
				);
			}, timeoutMs);
			const finish = () => {
				clearTimeout(timer);
				this.#waiters.delete(check);
			};

			this.#waiters.add(check);
			check();
		});
	}

	async waitForText(
		text: string | RegExp,
		options: WaitOptions = {},
	): Promise<void> {
		const matches = () =>
			typeof text === 'string'
				? this.screen.includes(text)
				: text.test(this.screen);
		return this.waitFor(matches, {
			description: `${String(text)} on the screen`,
			...options,
		});
	}

	/**
	 * Resolves once the process has written nothing for `quietMs` (a frame has settled); rejects
	 * after `timeoutMs`. For benchmarks that must start counting from a still screen.
	 */
	async waitForQuiet(
		quietMs: number,
		options: WaitOptions = {},
	): Promise<void> {
		const {timeoutMs = 30_000, description = `${quietMs} ms without output`} =
			options;
		const deadline = performance.now() + timeoutMs;
		while (
			performance.now() - this.lastOutputAt < quietMs ||
			this.#pendingWrites > 0
		) {
			if (performance.now() > deadline) {
				throw new Error(
					`timed out after ${timeoutMs} ms waiting for ${description}; screen:\n${this.screen}`,
				);
			}

			// Polling is the point: the condition is the absence of events.
			// eslint-disable-next-line no-await-in-loop
			await new Promise((resolve) => {
				setTimeout(
					resolve,
					Math.max(10, quietMs - (performance.now() - this.lastOutputAt)),
				);
			});
		}
	}

	async waitForExit(options: WaitOptions = {}): Promise<ExitStatus> {
		await this.waitFor((session) => session.exitStatus !== undefined, {
			description: 'the process to exit',
			...options,
		});
		return this.exitStatus!;
	}

	/** Ends the process if it still runs and frees the emulator. */
	async dispose(): Promise<void> {
		if (this.exitStatus === undefined) {
			this.#process.kill('SIGKILL');
			await this.waitForExit({timeoutMs: 5000}).catch(() => undefined);
		}

		this.terminal.dispose();
	}

	#notify(): void {
		for (const waiter of this.#waiters) {
			waiter();
		}
	}
}

function cleanEnvironment(
	env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
	const clean: Record<string, string> = {};
	for (const [key, value] of Object.entries(env)) {
		if (value !== undefined) {
			clean[key] = value;
		}
	}

	return clean;
}

/** `node bin/portui.js ...args` in a pseudo-terminal; build first (`npm run build`). */
export const spawnPortui = (
	arguments_: readonly string[],
	options: PtyOptions = {},
) => new PtySession(process.execPath, [binPath, ...arguments_], options);

/** The dashboard's header row. */
export const headerPattern = /^portui {2}/v;

/** The last row with text: the footer with the keys that matter now. */
export const footer = (session: PtySession) =>
	session.lines[session.usedRows - 1] ?? '';

/** A whole frame of the dashboard is on the screen: the header, the panes, and the footer's keys below. */
export const isFrameDrawn = (session: PtySession) =>
	headerPattern.test(session.lines[0] ?? '') &&
	session.lines.some((line) => /^[┗└+]/v.test(line)) &&
	/move|Esc/v.test(footer(session));

/** `portui ...args` in a pseudo-terminal, ended when the test ends; resolves at its first full frame. */
export async function startDashboard(
	t: ExecutionContext,
	arguments_: readonly string[],
	options: PtyOptions = {},
): Promise<PtySession> {
	const session = spawnPortui(arguments_, options);
	t.teardown(async () => session.dispose());
	await session.waitFor(isFrameDrawn, {description: 'the first full frame'});
	return session;
}
