import {Buffer} from 'node:buffer';
import type net from 'node:net';
import {hrtime} from 'node:process';
import type {Bytes} from './payloads/payload.js';
import {closeWithReset} from './raw-tcp.js';
import {abortReason} from './tcp.js';

/** Nanoseconds from now to `deadline` (an hrtime), negative once it is past. */
export const nsUntil = (deadline: bigint) => Number(deadline - hrtime.bigint());

/** Collects what a socket sends, up to `maxBytes`, and wakes a waiter when a condition holds. */
export class Collector {
	data: Bytes = Buffer.alloc(0);
	isEnded = false;
	private wake: (() => void) | undefined;
	private readonly socket: net.Socket;
	private readonly maxBytes: number;

	constructor(socket: net.Socket, maxBytes: number) {
		this.socket = socket;
		this.maxBytes = maxBytes;
		socket.on('data', this.onData);
		socket.on('end', this.onEnd);
		socket.on('close', this.onEnd);
		socket.on('error', this.onEnd);
	}

	get isFull() {
		return this.data.length >= this.maxBytes;
	}

	/** Resolves when `isDone(data)`, the peer ends, `maxBytes` are in, or at `deadline` (an hrtime in ns). */
	async wait(
		isDone: (data: Bytes) => boolean,
		deadline: bigint,
		signal?: AbortSignal,
	): Promise<void> {
		if (signal?.aborted) {
			throw abortReason(signal);
		}

		if (isDone(this.data) || this.isEnded || this.isFull) {
			return;
		}

		const remainingMs = Math.max(0, nsUntil(deadline) / 1e6);
		return new Promise<void>((resolve, reject) => {
			const settle = (error?: Error) => {
				clearTimeout(timer);
				signal?.removeEventListener('abort', onAbort);
				this.wake = undefined;
				if (error === undefined) {
					resolve();
				} else {
					reject(error);
				}
			};

			const onAbort = () => {
				settle(abortReason(signal!));
			};

			const timer = setTimeout(settle, remainingMs);
			signal?.addEventListener('abort', onAbort, {once: true});
			this.wake = () => {
				if (isDone(this.data) || this.isEnded || this.isFull) {
					settle();
				}
			};
		});
	}

	dispose() {
		this.socket.off('data', this.onData);
		this.socket.off('end', this.onEnd);
		this.socket.off('close', this.onEnd);
		this.socket.off('error', this.onEnd);
		closeWithReset(this.socket);
	}

	private readonly onData = (chunk: Uint8Array) => {
		const room = this.maxBytes - this.data.length;
		if (room > 0) {
			this.data = Buffer.concat([this.data, chunk.subarray(0, room)]);
		}

		if (this.isFull) {
			// Stop reading: a megabyte-long greeting is not ours to buffer.
			this.socket.pause();
		}

		this.wake?.();
	};

	private readonly onEnd = () => {
		this.isEnded = true;
		this.wake?.();
	};
}
