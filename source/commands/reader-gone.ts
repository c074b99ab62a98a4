// Only `portui watch` spawns a process (GNU tail) at run time: node:child_process loads with this
// module and not with every command's start-up.
import {spawn} from 'node:child_process';
import {fstatSync} from 'node:fs';
import process from 'node:process';

/**
 * Calls `onGone` when the reader of standard output goes away (`portui watch ... | head -1`)
 * while nothing is being written: a write would fail with EPIPE, but a watch with no change to
 * report writes nothing for hours. The write end of a pipe polls POLLERR once its last reader
 * has closed, which Node cannot ask for (it polls a pipe only while a write is queued), and
 * GNU tail does exactly that: `tail -f` on the same stdout ends by SIGPIPE when the reader goes,
 * and ends with us (`--pid`) if we go first. Only for a pipe; without GNU tail, as before, the
 * next line written finds the pipe closed. Returns what stops watching.
 */
export function onReaderGone(onGone: () => void): () => void {
	try {
		if (!fstatSync(1).isFIFO()) {
			return () => undefined;
		}
	} catch {
		return () => undefined;
	}

	const tail = spawn(
		'tail',
		['-s', '0.25', '-f', `--pid=${process.pid}`, '/dev/null'],
		{stdio: ['ignore', 1, 'ignore']},
	);
	const onExit = (_code: number | undefined, signal: string | undefined) => {
		if (signal === 'SIGPIPE') {
			onGone();
		}
	};

	tail.on('exit', onExit).on('error', () => undefined);
	tail.unref();
	return () => {
		tail.off('exit', onExit);
		tail.kill();
	};
}
