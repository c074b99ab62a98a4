import type {render} from 'ink-testing-library';

export type InkInstance = ReturnType<typeof render>;

/**
 * Waits until the last frame satisfies `predicate` (checked after every frame Ink writes) and
 * returns it; fails with the last frame when it does not come in time.
 */
export async function waitForFrame(
	instance: InkInstance,
	predicate: (frame: string) => boolean,
	{
		timeoutMs = 3000,
		message = 'the expected frame',
	}: {readonly timeoutMs?: number; readonly message?: string} = {},
): Promise<string> {
	const isMet = () => predicate(instance.lastFrame() ?? '');
	if (isMet()) {
		return instance.lastFrame() ?? '';
	}

	const {stdout} = instance;
	const {write} = stdout;
	try {
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => {
				reject(
					new Error(
						`timed out waiting for ${message}; last frame:\n${instance.lastFrame() ?? '(none)'}`,
					),
				);
			}, timeoutMs);
			stdout.write = (frame: string) => {
				write(frame);
				if (isMet()) {
					clearTimeout(timer);
					resolve();
				}
			};
		});
	} finally {
		stdout.write = write;
	}

	return instance.lastFrame() ?? '';
}

/** Gives the fake terminal a size and tells Ink (and the app) that it changed. */
export function resize(
	instance: InkInstance,
	columns: number,
	rows: number,
): void {
	Object.defineProperty(instance.stdout, 'columns', {
		value: columns,
		configurable: true,
	});
	Object.defineProperty(instance.stdout, 'rows', {
		value: rows,
		configurable: true,
	});
	instance.stdout.emit('resize');
}

/** Keys as a terminal sends them. */
export const keys = {
	up: '\u001B[A',
	down: '\u001B[B',
	pageUp: '\u001B[5~',
	pageDown: '\u001B[6~',
	home: '\u001B[H',
	end: '\u001B[F',
	tab: '\t',
	shiftTab: '\u001B[Z',
	enter: '\r',
	escape: '\u001B',
	backspace: '\u007F',
	ctrlC: '\u0003',
} as const;

/** The lines of a frame without trailing blanks. */
export const frameLines = (frame: string) =>
	frame.split('\n').map((line) => line.trimEnd());

/** Lets settled promises, React's commits and Ink's writes run (they use setImmediate, which fake timers leave alone). */
export async function flush(rounds = 5): Promise<void> {
	for (let round = 0; round < rounds; round++) {
		// eslint-disable-next-line no-await-in-loop
		await new Promise((resolve) => {
			setImmediate(resolve);
		});
	}
}
