import {Buffer} from 'node:buffer';
import {EventEmitter} from 'node:events';
import test from 'ava';
import xterm from '@xterm/headless';
import {FrameStdout, toAscii} from '../source/terminal/frame-stdout.js';

/** A terminal stream that records what is written and feeds it to an emulator. */
// Stands in for a tty stream, which is an EventEmitter.
// eslint-disable-next-line unicorn/prefer-event-target
class FakeTerminal extends EventEmitter {
	isTTY = true;
	writable = true;
	destroyed = false;
	writableEnded = false;
	writableLength = 0;
	readonly terminal: xterm.Terminal;
	writes: string[] = [];

	columns: number;
	rows: number;

	constructor(columns: number, rows: number) {
		super();
		this.columns = columns;
		this.rows = rows;
		this.terminal = new xterm.Terminal({
			cols: columns,
			rows,
			allowProposedApi: true,
		});
	}

	write(text: string, callback?: () => void): boolean {
		this.writes.push(text);
		this.terminal.write(text, callback);
		return true;
	}

	resize(columns: number, rows: number) {
		this.columns = columns;
		this.rows = rows;
		this.terminal.resize(columns, rows);
		this.emit('resize');
	}

	/** The screen once everything written so far is parsed. */
	async screen(): Promise<string[]> {
		await new Promise<void>((resolve) => {
			this.terminal.write('', resolve);
		});
		const buffer = this.terminal.buffer.active;
		return Array.from(
			{length: this.rows},
			(_, row) => buffer.getLine(row)?.translateToString(true) ?? '',
		);
	}

	take(): string {
		const text = this.writes.join('');
		this.writes = [];
		return text;
	}
}

const setup = (columns = 40, rows = 10) => {
	const terminal = new FakeTerminal(columns, rows);
	const frames = new FrameStdout({
		stdout: terminal as unknown as NodeJS.WriteStream,
		minIntervalMs: 0,
	});
	return {terminal, frames};
};

const frameOf = (...lines: string[]) => lines.join('\n');
const padScreen = (lines: string[], rows: number) => [
	...lines,
	...Array.from({length: rows - lines.length}, () => ''),
];

test('the first frame is drawn in full on a cleared screen', async (t) => {
	const {terminal, frames} = setup();
	terminal.terminal.write('stale text from before');
	frames.write(frameOf('header', '', 'body line', 'footer'));
	t.true(terminal.writes.join('').includes('\u001B[H\u001B[2J'));
	t.deepEqual(
		await terminal.screen(),
		padScreen(['header', '', 'body line', 'footer'], 10),
	);
});

test('an unchanged frame writes nothing', (t) => {
	const {terminal, frames} = setup();
	frames.write(frameOf('a', 'b', 'c'));
	terminal.take();
	frames.write(frameOf('a', 'b', 'c'));
	t.is(terminal.take(), '');
});

test('only the changed cells of a changed row are written, addressed absolutely', async (t) => {
	const {terminal, frames} = setup();
	const before = ['header', '22/tcp  closed', '80/tcp  open', 'footer'];
	frames.write(before.join('\n'));
	terminal.take();
	frames.write(['header', '22/tcp  open', '80/tcp  open', 'footer'].join('\n'));
	const written = terminal.take();
	t.is(
		written,
		'\u001B[2;9Hopen\u001B[K',
		'only the cells that changed, then the old tail erased',
	);
	t.deepEqual(
		await terminal.screen(),
		padScreen(['header', '22/tcp  open', '80/tcp  open', 'footer'], 10),
	);
});

test('rows that disappear are erased', async (t) => {
	const {terminal, frames} = setup();
	frames.write(frameOf('one', 'two', 'three', 'four'));
	frames.write(frameOf('one', 'two'));
	t.deepEqual(await terminal.screen(), padScreen(['one', 'two'], 10));
});

test('a row as wide as the terminal is not followed by an erase that would eat its last cell', async (t) => {
	const {terminal, frames} = setup(10, 4);
	frames.write(frameOf('0123456789', 'x'));
	frames.write(frameOf('abcdefghij', 'x'));
	t.deepEqual(await terminal.screen(), padScreen(['abcdefghij', 'x'], 4));
});

test('rows below the bottom are not written, so the screen never scrolls', async (t) => {
	const {terminal, frames} = setup(20, 3);
	frames.write(frameOf('top', 'middle', 'bottom', 'beyond', 'further'));
	t.deepEqual(await terminal.screen(), ['top', 'middle', 'bottom']);
});

const logLine = (index: number) =>
	`06:12:${String(index).padStart(2, '0')}  39999/tcp benchprobe  open -> \u001B[31mclosed\u001B[39m  down 4.0s`;

test('a log that gains a line at the bottom is scrolled, not written again, and the screen is right', async (t) => {
	const {terminal, frames} = setup(60, 10);
	const frame = (first: number) =>
		frameOf(
			'header',
			'\u001B[42mpane\u001B[49m',
			logLine(first),
			logLine(first + 1),
			logLine(first + 2),
			'footer',
		);
	frames.write(frame(1));
	terminal.take();
	frames.write(frame(2));
	const written = terminal.take();
	t.true(written.includes('\u001B[3;5r'), 'the log rows are the region');
	t.false(
		written.includes('06:12:02'),
		'the lines that moved are not sent again',
	);
	t.true(written.includes('06:12:04'), 'the new line is');
	t.true(written.length < logLine(4).length * 2);
	const plain = (index: number) =>
		`06:12:${String(index).padStart(2, '0')}  39999/tcp benchprobe  open -> closed  down 4.0s`;
	t.deepEqual(
		await terminal.screen(),
		padScreen(['header', 'pane', plain(2), plain(3), plain(4), 'footer'], 10),
	);
	t.true(
		terminal.terminal.buffer.active.getLine(4)?.getCell(59)?.isBgDefault(),
		'the row that came in has the default background',
	);
});

test('rows that moved down are scrolled the other way; a lone unmoved row costs no scroll', async (t) => {
	const {terminal, frames} = setup(60, 8);
	const rows = ['a first row', 'b second row', 'c third row', 'd fourth row'];
	frames.write(frameOf('top', ...rows, 'bottom'));
	terminal.take();
	frames.write(
		frameOf('top', 'a new row at the top', ...rows.slice(0, 3), 'bottom'),
	);
	const written = terminal.take();
	t.true(written.includes('\u001BM'), 'reverse index at the top of the region');
	t.deepEqual(
		await terminal.screen(),
		padScreen(
			['top', 'a new row at the top', ...rows.slice(0, 3), 'bottom'],
			8,
		),
	);

	frames.write(frameOf('top', 'x', 'b', 'c', 'd', 'bottom'));
	frames.write(frameOf('top', 'y', 'b', 'c', 'd', 'bottom'));
	t.false(
		terminal.take().includes('r\u001B['),
		'one changed row: no region set',
	);
});

test('a resize redraws the whole next frame on a cleared screen', async (t) => {
	const {terminal, frames} = setup(40, 10);
	let resizes = 0;
	frames.on('resize', () => {
		resizes++;
	});
	frames.write(frameOf('header', 'left | right', 'footer'));
	terminal.take();
	terminal.resize(30, 6);
	t.is(resizes, 1);
	t.is(frames.columns, 30);
	t.is(frames.rows, 6);
	frames.write(frameOf('header', 'left | right', 'footer'));
	const written = terminal.take();
	t.true(written.includes('\u001B[H\u001B[2J'));
	t.deepEqual(
		await terminal.screen(),
		padScreen(['header', 'left | right', 'footer'], 6),
	);
});

test('after a resize a frame still laid out for the old width does not spoil the next one', async (t) => {
	const {terminal, frames} = setup(40, 6);
	const row = (width: number) => `[${'-'.repeat(width - 2)}]`;
	frames.write(frameOf('header', row(40), 'footer'));
	terminal.resize(30, 6);
	// Ink draws once more with the old layout before the app has read the new size.
	frames.write(frameOf('header', row(40), 'footer'));
	frames.write(frameOf('header', row(30), 'footer'));
	t.deepEqual(
		await terminal.screen(),
		padScreen(['header', row(30), 'footer'], 6),
		'the last column is there',
	);
});

test('several changed rows go out as one synchronized update', (t) => {
	const {terminal, frames} = setup();
	frames.write(frameOf('a', 'b', 'c'));
	terminal.take();
	frames.write(frameOf('A', 'b', 'C'));
	const written = terminal.take();
	t.true(written.startsWith('\u001B[?2026h'));
	t.true(written.endsWith('\u001B[?2026l'));
});

test('frames closer together than the interval are merged into the latest', async (t) => {
	const terminal = new FakeTerminal(20, 5);
	const frames = new FrameStdout({
		stdout: terminal as unknown as NodeJS.WriteStream,
		minIntervalMs: 10_000,
	});
	frames.write('first');
	terminal.take();
	frames.write('second');
	frames.write('third');
	t.is(terminal.take(), '', 'held back within the interval');
	frames.flush();
	t.is(terminal.take(), '\u001B[1;1Hthird');
	frames.dispose();
	t.deepEqual(await terminal.screen(), padScreen(['third'], 5));
});

test('the empty write Ink uses as a barrier reaches the terminal with its callback, after the pending frame', async (t) => {
	const terminal = new FakeTerminal(20, 5);
	const frames = new FrameStdout({
		stdout: terminal as unknown as NodeJS.WriteStream,
		minIntervalMs: 10_000,
	});
	frames.write('first');
	frames.write('pending');
	await new Promise<void>((resolve) => {
		frames.write('', () => {
			resolve();
		});
	});
	t.deepEqual(await terminal.screen(), padScreen(['pending'], 5));
	frames.dispose();
});

test('after dispose nothing is written and resizes are not followed', (t) => {
	const {terminal, frames} = setup();
	frames.write('a');
	frames.dispose();
	terminal.take();
	frames.write('b');
	t.is(terminal.take(), '');
	t.is(terminal.listenerCount('resize'), 0);
});

test('counts the bytes it writes', (t) => {
	const {terminal, frames} = setup();
	frames.write('ä');
	t.is(frames.bytesWritten, Buffer.byteLength(terminal.take()));
});

test('on a terminal that is not UTF-8 every cell is ASCII and keeps its width', async (t) => {
	t.is(toAscii('ssh  secure  Encrypted rem…'), 'ssh  secure  Encrypted rem~');
	t.is(toAscii('✓ sshd  名前'), '? sshd  ????');
	t.is(toAscii('\u001B[7m> 22\u001B[27m'), '\u001B[7m> 22\u001B[27m');
	const terminal = new FakeTerminal(40, 4);
	const frames = new FrameStdout({
		stdout: terminal as unknown as NodeJS.WriteStream,
		minIntervalMs: 0,
		isAscii: true,
	});
	frames.write(frameOf('┃ 22 tcp ssh ✓ sshd', 'remark cut here…'));
	t.notRegex(terminal.writes.join(''), /\P{ASCII}/v);
	t.deepEqual(await terminal.screen(), [
		'? 22 tcp ssh ? sshd',
		'remark cut here~',
		'',
		'',
	]);
});
