import {constants} from 'node:os';
import process from 'node:process';

const esc = '\u001B[';

/** Alternate screen, cursor hidden, no autowrap (a row that is too wide is clipped, never scrolls the screen). */
export const enterSequence = `${esc}?1049h${esc}?25l${esc}?7l`;

/**
 * Close a synchronized update that a dropped frame may have left open, reset colours, autowrap
 * and cursor back on, then the main screen with what was on it before.
 */
export const restoreSequence = `${esc}?2026l${esc}0m${esc}?7h${esc}?25h${esc}?1049l`;

/**
 * SIGINT and SIGQUIT only arrive from `kill`: in raw mode Ctrl-C and Ctrl-\ are keys. SIGQUIT
 * still dumps core once the terminal is back (its default action, for whoever asked for one).
 */
export const restoreSignals = [
	'SIGTERM',
	'SIGHUP',
	'SIGINT',
	'SIGQUIT',
] as const;

/** Ctrl-Z: in raw mode the terminal sends this byte instead of stopping the job. */
export const suspendKey = '\u001A';

export type RestoreSignal = (typeof restoreSignals)[number];

/** The shell's convention for death by a signal: 128 + its number (SIGTERM 143, SIGHUP 129). */
export const signalExitCode = (signal: RestoreSignal) =>
	128 + constants.signals[signal];

/** A write or read error that means the terminal went away (the ssh connection dropped). */
export const isHangup = (error: unknown) =>
	['EIO', 'EPIPE', 'ENXIO'].includes(
		(error as NodeJS.ErrnoException | undefined)?.code ?? '',
	);

/**
 * Ends the process by `signal` itself, every listener for it removed first: the parent sees the
 * signal (a shell shows 128 + its number), and Node skips the terminal reset it runs at a normal
 * exit, which aborts with a core dump once the terminal has hung up (Node 20; nodejs/node#51519).
 * Call it after restoring: the process is gone when it returns, if it returns at all.
 */
export function terminateBy(signal: RestoreSignal): void {
	process.removeAllListeners(signal);
	process.kill(process.pid, signal);
}

export type TerminalSessionOptions = {
	readonly stdin: NodeJS.ReadStream;
	readonly stdout: NodeJS.WriteStream;
	/** A signal arrived; the session has not restored yet, so the caller can unmount first. */
	readonly onSignal: (signal: RestoreSignal) => void;
	/**
	 * An error nobody caught (a throw in a timer or a socket callback), or a read or write that
	 * failed because the terminal went away (`isHangup`: EIO after the ssh connection dropped).
	 */
	readonly onFatal: (error: unknown) => void;
	/** How the process stops on Ctrl-Z, once the terminal is given back (tests replace it). */
	readonly stop?: () => void;
};

export type TerminalSession = {
	/** Puts the terminal back as it was. Safe to call more than once and from any path. */
	readonly restore: () => void;
};

/**
 * Takes the terminal for the dashboard: the alternate screen, cursor hidden, and handlers for
 * every way the process can end (q is the caller's, signals and stray errors are here), each of
 * which must leave the person's terminal as it was.
 */
export function openTerminalSession(
	options: TerminalSessionOptions,
): TerminalSession {
	const {stdin, stdout} = options;
	let isRestored = false;

	const onSignal = (signal: RestoreSignal) => {
		options.onSignal(signal);
	};

	const handlers = new Map(
		restoreSignals.map(
			(signal) =>
				[
					signal,
					() => {
						onSignal(signal);
					},
				] as const,
		),
	);
	const onFatal = (error: unknown) => {
		options.onFatal(error);
	};

	// A write to a terminal that hung up fails asynchronously; without a listener it would throw.
	// The listener stays after restore: the last writes can fail the same way.
	const onStreamError = (error: unknown) => {
		if (!isRestored) {
			options.onFatal(error);
		}
	};

	/** The terminal as the shell needs it: cooked, main screen, cursor shown. */
	const leave = () => {
		if (stdin.isTTY && stdin.isRaw) {
			stdin.setRawMode(false);
		}

		if (!stdout.destroyed && stdout.writable) {
			stdout.write(restoreSequence);
		}
	};

	const enter = () => {
		if (stdin.isTTY) {
			stdin.setRawMode(true);
		}

		stdout.write(enterSequence);
	};

	let isSuspended = false;
	const stop =
		options.stop ??
		(() => {
			process.kill(process.pid, 'SIGTSTP');
		});

	/**
	 * Ctrl-Z or SIGTSTP: give the terminal back to the shell, then stop as a job stops (SIGTSTP
	 * with its default action, our handler out of its way), as vim and htop do. A TTY write is
	 * synchronous on Linux, so the terminal is restored before the process stops.
	 */
	const suspend = () => {
		if (isRestored || isSuspended) {
			return;
		}

		isSuspended = true;
		leave();
		process.off('SIGTSTP', suspend);
		stop();
	};

	/**
	 * SIGCONT (`fg`, or after a SIGSTOP we could not see coming): take the terminal again and draw
	 * everything. The size may have changed meanwhile; a resize tells Ink to lay out again and the
	 * frame writer to draw every row, not a difference against a screen the shell has overwritten.
	 */
	const resume = () => {
		if (isRestored) {
			return;
		}

		if (isSuspended) {
			isSuspended = false;
			process.on('SIGTSTP', suspend);
		}

		enter();
		(stdout as {_refreshSize?: () => void})._refreshSize?.();
		stdout.emit('resize');
	};

	// Ink reads stdin through 'readable'; a 'data' listener sees each chunk it reads and, on a
	// paused stream, starts no flow of its own.
	const onKeys = (chunk: string | Uint8Array) => {
		if (String(chunk).includes(suspendKey)) {
			suspend();
		}
	};

	const restore = () => {
		if (isRestored) {
			return;
		}

		isRestored = true;
		for (const [signal, handler] of handlers) {
			process.off(signal, handler);
		}

		process.off('SIGTSTP', suspend);
		process.off('SIGCONT', resume);
		stdin.off('data', onKeys);
		process.off('uncaughtException', onFatal);
		process.off('unhandledRejection', onFatal);
		leave();
		// Nothing else may keep the process alive for input nobody reads any more.
		stdin.pause();
	};

	for (const [signal, handler] of handlers) {
		process.on(signal, handler);
	}

	process.on('SIGTSTP', suspend);
	process.on('SIGCONT', resume);
	process.on('uncaughtException', onFatal);
	process.on('unhandledRejection', onFatal);
	stdout.on('error', onStreamError);
	stdin.on('error', onStreamError);
	stdin.pause();
	stdin.on('data', onKeys);
	// Raw mode before the first frame, not when Ink's input hooks mount after it: until then the
	// terminal would echo keys onto the frame and turn Ctrl-C into SIGINT.
	enter();
	return {restore};
}
