import {Buffer} from 'node:buffer';
import {EventEmitter} from 'node:events';
import stringWidth from 'string-width';
import {diffRow} from './row-diff.js';
import {applyScroll, findScroll, scrollBytes} from './row-scroll.js';

const esc = '\u001B[';
/** Cursor home and erase the screen: the start of a full redraw. */
const clearScreen = `${esc}H${esc}2J`;
/** Synchronized output (mode 2026): terminals that know it paint the rows in one go. */
const beginSync = `${esc}?2026h`;
const endSync = `${esc}?2026l`;
const bell = '\u0007';
/**
 * How long after a resize every frame is drawn in full. Ink draws once more with the old layout
 * before the app has read the new size; rows wider than the terminal end at its margin, so what
 * the screen shows is not the frame, and a frame diffed against it lost its last column.
 */
const resizeSettleMs = 250;

// Node passes null for success; xo's no-null rule does not reach into a declared signature.
// eslint-disable-next-line @typescript-eslint/no-restricted-types
type WriteCallback = (error?: Error | null) => void;

export type FrameStdoutOptions = {
	/** The terminal. */
	readonly stdout: NodeJS.WriteStream;
	/** Frames that arrive closer together than this are merged into the latest one. */
	readonly minIntervalMs?: number;
	/** A terminal that is not UTF-8: every character outside ASCII becomes ASCII of its width. */
	readonly isAscii?: boolean;
};

/**
 * Text for a terminal that is not UTF-8, cell for cell: the ellipsis that marks cut text is `~`,
 * anything else outside ASCII `?` (`??` where it takes two cells), so the layout holds.
 */
/** Ctrl-L on the dashboard's stream; a no-op on any other (a test's fake terminal). */
export function redrawTerminal(stream: unknown): void {
	if (stream instanceof FrameStdout) {
		stream.redraw();
	}
}

export const toAscii = (text: string) =>
	text.replaceAll(/\P{ASCII}/gv, (character) =>
		character === '…' ? '~' : '?'.repeat(stringWidth(character)),
	);

/**
 * The stream Ink renders into. Ink runs with `debug: true`, so every write is one whole frame and
 * no cursor movement; this class keeps what is on the screen and writes only the rows that changed,
 * each addressed absolutely (`ESC[row;1H`) on the alternate screen, and scrolls rows that only
 * moved (see row-scroll.ts). That makes a one-port change cost one or two rows of bytes, an
 * unchanged frame cost nothing, and a resize a clean full redraw (Ink 6.8's own incremental
 * renderer moves the cursor relatively and leaves stale rows after a resize). The dashboard sees
 * it through `useStdout()`: size, `resize` events and `write`.
 */
// Ink and the dashboard subscribe with on/off('resize') as on a tty.WriteStream.
// eslint-disable-next-line unicorn/prefer-event-target
export class FrameStdout extends EventEmitter {
	readonly #stdout: NodeJS.WriteStream;
	readonly #minIntervalMs: number;
	readonly #isAscii: boolean;
	/** The rows on the screen now, as written. */
	#screen: readonly string[] = [];
	#isDirty = true;
	#pending: string | undefined;
	#pendingCallbacks: WriteCallback[] = [];
	#timer: NodeJS.Timeout | undefined;
	#lastPresentAt = Number.NEGATIVE_INFINITY;
	#redrawUntil = Number.NEGATIVE_INFINITY;
	/** After a resize: every frame is drawn in full until one is drawn at the size of the one before. */
	#isSettling = false;
	/** The terminal's size when the last frame was drawn. */
	#lastSize = '';
	/** The last frame as Ink wrote it, for Ctrl-L. */
	#lastFrame: string | undefined;
	#isDisposed = false;
	/** Bytes written to the terminal through this stream, for the benchmarks. */
	#bytesWritten = 0;

	constructor(options: FrameStdoutOptions) {
		super();
		this.#stdout = options.stdout;
		this.#minIntervalMs = options.minIntervalMs ?? 16;
		this.#isAscii = options.isAscii ?? false;
		this.#stdout.on('resize', this.#onResize);
	}

	get columns(): number {
		return this.#stdout.columns;
	}

	get rows(): number {
		return this.#stdout.rows;
	}

	// eslint-disable-next-line @typescript-eslint/naming-convention -- the name tty.WriteStream has
	get isTTY(): boolean {
		return this.#stdout.isTTY;
	}

	// Ink checks these before its last writes on unmount.
	get writable(): boolean {
		return this.#stdout.writable;
	}

	get destroyed(): boolean {
		return this.#stdout.destroyed;
	}

	get writableEnded(): boolean {
		return this.#stdout.writableEnded;
	}

	get writableLength(): number {
		return this.#stdout.writableLength;
	}

	get bytesWritten(): number {
		return this.#bytesWritten;
	}

	/** Ink's interface: a string is a whole frame; `''` is Ink's flush barrier; a bell passes through. */
	write(
		chunk: string | Uint8Array,
		encodingOrCallback?: BufferEncoding | WriteCallback,
		callback?: WriteCallback,
	): boolean {
		const done =
			typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
		const text =
			typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
		if (this.#isDisposed) {
			if (done) {
				queueMicrotask(() => {
					done();
				});
			}

			return true;
		}

		if (text === '' || text === bell) {
			this.flush();
			return this.#write(text, done);
		}

		this.#pending = this.#isAscii ? toAscii(text) : text;
		if (done) {
			this.#pendingCallbacks.push(done);
		}

		const wait = this.#lastPresentAt + this.#minIntervalMs - performance.now();
		if (wait <= 0) {
			this.flush();
		} else {
			this.#timer ??= setTimeout(() => {
				this.#timer = undefined;
				this.flush();
			}, wait);
		}

		return true;
	}

	/** Write the latest frame now, if one is waiting. */
	flush(): void {
		if (this.#timer) {
			clearTimeout(this.#timer);
			this.#timer = undefined;
		}

		const frame = this.#pending;
		const callbacks = this.#pendingCallbacks;
		this.#pending = undefined;
		this.#pendingCallbacks = [];
		if (frame === undefined) {
			return;
		}

		this.#lastPresentAt = performance.now();
		const bytes = this.#render(frame);
		this.#write(bytes, (error) => {
			for (const callback of callbacks) {
				callback(error);
			}
		});
	}

	/** Forget the screen: the next frame is drawn in full. */
	invalidate(): void {
		this.#isDirty = true;
	}

	/** Ctrl-L: clear the terminal and draw the last frame again in full, now. */
	redraw(): void {
		this.#isDirty = true;
		this.#pending ??= this.#lastFrame;
		this.flush();
	}

	/** Stop listening to the terminal; later writes are dropped. */
	dispose(): void {
		this.flush();
		this.#isDisposed = true;
		this.#stdout.off('resize', this.#onResize);
	}

	readonly #onResize = () => {
		// Terminals differ in what they keep of the alternate screen on a resize: draw it all again.
		this.#isDirty = true;
		this.#isSettling = true;
		this.#redrawUntil = performance.now() + resizeSettleMs;
		this.emit('resize');
	};

	#render(frame: string): string {
		const rows = Math.max(this.#stdout.rows || 24, 1);
		const columns = this.#stdout.columns || 80;
		// Rows past the bottom would scroll the screen and break every absolute address.
		const next = frame.split('\n').slice(0, rows);
		const size = `${columns}x${rows}`;
		const isFull =
			this.#isDirty ||
			this.#isSettling ||
			performance.now() < this.#redrawUntil;
		let previous = isFull ? [] : this.#screen;
		// A row wider than the terminal is cut at its margin: the screen is not the frame, so the
		// next frame cannot be a difference against it (a shrink lost the right border that way).
		const isClipped = next.some((line) => stringWidth(line) > columns);
		this.#isSettling &&= size !== this.#lastSize || isClipped;
		this.#isDirty = isClipped;
		this.#lastSize = size;
		this.#lastFrame = frame;
		this.#screen = next;

		let output = '';
		let changed = 0;
		// Rows that only moved (the event log gaining a line) are scrolled, not written again.
		const scroll = isFull ? undefined : findScroll(previous, next);
		if (scroll) {
			output += scrollBytes(scroll);
			previous = applyScroll(previous, scroll);
			changed++;
		}

		const count = Math.max(next.length, previous.length);
		for (let index = 0; index < count; index++) {
			const line = next[index] ?? '';
			// After a clear every row is empty, so a full redraw skips the empty ones too.
			if (line === (previous[index] ?? '')) {
				continue;
			}

			const update = this.#updateRow(
				index,
				previous[index] ?? '',
				line,
				columns,
			);
			if (update !== '') {
				changed++;
				output += update;
			}
		}

		if (isFull) {
			return `${beginSync}${clearScreen}${output}${endSync}`;
		}

		return changed > 1 ? `${beginSync}${output}${endSync}` : output;
	}

	/** The shorter of rewriting the row and rewriting only the cells that changed. */
	#updateRow(
		index: number,
		previous: string,
		line: string,
		columns: number,
	): string {
		const at = `${esc}${index + 1};1H`;
		// A blank row (after a clear, or one that held nothing) takes the text as it is.
		if (previous === '') {
			return `${at}${line}`;
		}

		const update = diffRow(previous, line);
		if (update?.text === '' && !update.isErasing) {
			// Only the colour codes were spelled differently: nothing on the screen changes.
			return '';
		}

		const cells =
			update &&
			`${esc}${index + 1};${update.column + 1}H${update.text}${update.isErasing ? `${esc}K` : ''}`;
		if (cells !== undefined && cells.length <= at.length + line.length) {
			return cells;
		}

		// Erase the rest of the row only when the text stops short of the margin: at the margin
		// the cursor sits on the last cell and an erase there would remove it.
		const erase = stringWidth(line) < columns ? `${esc}K` : '';
		const whole = `${at}${line}${erase}`;
		return cells !== undefined && cells.length < whole.length ? cells : whole;
	}

	#write(text: string, callback?: WriteCallback): boolean {
		this.#bytesWritten += Buffer.byteLength(text);
		return this.#stdout.write(text, callback);
	}
}
