import {EventEmitter} from 'node:events';
import process from 'node:process';
import test from 'ava';
import {
	enterSequence,
	isHangup,
	openTerminalSession,
	type RestoreSignal,
	restoreSequence,
	restoreSignals,
	signalExitCode,
} from '../source/terminal/session.js';

// Stands in for a tty stream, which is an EventEmitter.
// eslint-disable-next-line unicorn/prefer-event-target
class FakeStdin extends EventEmitter {
	isTTY = true;
	isRaw = false;
	isPaused = false;
	setRawMode(mode: boolean) {
		this.isRaw = mode;
		return this;
	}

	pause() {
		this.isPaused = true;
		return this;
	}
}

// Stands in for a tty stream, which is an EventEmitter.
// eslint-disable-next-line unicorn/prefer-event-target
class FakeStdout extends EventEmitter {
	writable = true;
	destroyed = false;
	written = '';
	write(text: string) {
		this.written += text;
		return true;
	}
}

const listenerCounts = () =>
	[
		...restoreSignals,
		'SIGTSTP',
		'SIGCONT',
		'uncaughtException',
		'unhandledRejection',
	].map((name) => process.listenerCount(name));

const open = () => {
	const stdin = new FakeStdin();
	const stdout = new FakeStdout();
	const signals: RestoreSignal[] = [];
	const fatal: unknown[] = [];
	const stops: number[] = [];
	const session = openTerminalSession({
		stop() {
			stops.push(stdout.written.length);
		},
		stdin: stdin as unknown as NodeJS.ReadStream,
		stdout: stdout as unknown as NodeJS.WriteStream,
		onSignal(signal) {
			signals.push(signal);
		},
		onFatal(error) {
			fatal.push(error);
		},
	});
	return {stdin, stdout, signals, fatal, session, stops};
};

test.serial(
	'enters the alternate screen with the cursor hidden and restores once, raw mode off',
	(t) => {
		const before = listenerCounts();
		const {stdin, stdout, session} = open();
		t.is(stdout.written, enterSequence);
		t.true(stdin.isRaw, 'raw mode from the start');
		t.true(enterSequence.includes('\u001B[?1049h'));
		t.true(enterSequence.includes('\u001B[?25l'));
		session.restore();
		session.restore();
		t.is(stdout.written, enterSequence + restoreSequence);
		t.true(restoreSequence.endsWith('\u001B[?1049l'));
		t.true(restoreSequence.includes('\u001B[?25h'));
		t.false(stdin.isRaw);
		t.true(stdin.isPaused);
		t.deepEqual(listenerCounts(), before, 'every process listener removed');
	},
);

test.serial(
	'SIGTERM, SIGHUP, SIGINT and SIGQUIT reach the caller, who restores after unmounting',
	(t) => {
		const {signals, session, stdout} = open();
		for (const signal of restoreSignals) {
			process.emit(signal, signal);
		}

		t.deepEqual(signals, ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT']);
		t.false(
			stdout.written.includes(restoreSequence),
			'restoring is the caller’s step',
		);
		session.restore();
	},
);

test.serial(
	'an uncaught error and a terminal that hung up are fatal; after restore a late write error is ignored',
	(t) => {
		const {fatal, session, stdout} = open();
		const hangup = Object.assign(new Error('write EIO'), {code: 'EIO'});
		stdout.emit('error', hangup);
		t.deepEqual(fatal, [hangup]);
		session.restore();
		t.notThrows(() => stdout.emit('error', hangup));
		t.is(fatal.length, 1);
	},
);

test('exit codes follow the shell: 128 + the signal number', (t) => {
	t.is(signalExitCode('SIGHUP'), 129);
	t.is(signalExitCode('SIGINT'), 130);
	t.is(signalExitCode('SIGTERM'), 143);
});

test.serial(
	'a read error on the terminal is reported like a write error',
	(t) => {
		const {fatal, session, stdin} = open();
		const hangup = Object.assign(new Error('read EIO'), {code: 'EIO'});
		stdin.emit('error', hangup);
		t.deepEqual(fatal, [hangup]);
		session.restore();
	},
);

test('EIO, EPIPE and ENXIO mean the terminal went away; other errors do not', (t) => {
	for (const code of ['EIO', 'EPIPE', 'ENXIO']) {
		t.true(
			isHangup(Object.assign(new Error(code), {code})),
			`${code} is a hang-up`,
		);
	}

	t.false(isHangup(Object.assign(new Error('x'), {code: 'ECONNREFUSED'})));
	t.false(isHangup(new Error('no code')));
	t.false(isHangup(undefined));
});

test.serial(
	'Ctrl-Z and SIGTSTP give the terminal back before stopping; SIGCONT takes it again and redraws',
	(t) => {
		const before = listenerCounts();
		const {stdin, stdout, session, stops} = open();
		let resizes = 0;
		stdout.on('resize', () => {
			resizes++;
		});
		for (const suspend of [
			() => stdin.emit('data', 'j\u001A'),
			() => process.emit('SIGTSTP', 'SIGTSTP'),
		]) {
			const start = stdout.written.length;
			suspend();
			t.is(stdout.written.slice(start), restoreSequence);
			t.false(stdin.isRaw, 'cooked for the shell');
			t.is(stops.at(-1), stdout.written.length, 'stopped after restoring');
			// A second Ctrl-Z while stopped (or a signal twice) stops once.
			suspend();
			t.is(stops.length, resizes + 1);
			process.emit('SIGCONT', 'SIGCONT');
			t.true(stdin.isRaw);
			t.true(stdout.written.endsWith(enterSequence));
			t.is(resizes, stops.length, 'a full redraw asked for');
		}

		// SIGCONT without a stop of ours (after SIGSTOP): the terminal is taken again all the same.
		process.emit('SIGCONT', 'SIGCONT');
		t.is(resizes, 3);
		session.restore();
		process.emit('SIGCONT', 'SIGCONT');
		stdin.emit('data', '\u001A');
		t.is(resizes, 3, 'nothing after restore');
		t.is(stops.length, 2);
		t.deepEqual(listenerCounts(), before, 'every process listener removed');
	},
);
