import {Buffer} from 'node:buffer';
import type net from 'node:net';
import {hrtime} from 'node:process';
import type {CatalogueEntry} from '../catalogue/types.js';
import {sanitize} from './sanitize.js';
import {abortReason, connectTcp} from './tcp.js';
import {
	buildClientHello,
	describeTlsRecord,
	isTlsRecord,
	tlsRecordLength,
} from './tls-hello.js';
import type {Family} from './types.js';

export type ServiceKind =
	| 'SSH'
	| 'FTP'
	| 'SMTP'
	| 'POP3'
	| 'IMAP'
	| 'NNTP'
	| 'IRC'
	| 'HTTP'
	| 'TLS'
	| 'unknown';

export type Identification = {
	/** What answered; `unknown` when nothing did or it was not recognised. */
	readonly kind: ServiceKind;
	/** What the catalogue (or the port's well-known use) expects, when it expects something we can recognise. */
	readonly expected?: ServiceKind;
	/** Sanitised: the greeting line, `HTTP nginx`, `TLS 1.3`. Absent when the port stayed silent. */
	readonly answered?: string;
	/** `expected SSH, answered HTTP` when a recognised service is not the expected one. */
	readonly mismatch?: string;
	/** Bytes read (at most `maxBytes`). */
	readonly bytes: number;
};

export type IdentifyOptions = {
	readonly address: string;
	readonly family: Family;
	readonly port: number;
	readonly entry?: CatalogueEntry;
	/** A connected socket to use instead of connecting again; identification destroys it. */
	readonly socket?: net.Socket;
	/** The host name for TLS SNI, when the target was given as a name. */
	readonly servername?: string;
	readonly signal?: AbortSignal;
	/** Time allowed for the answer, from the moment the socket is connected. Default 1500 ms. */
	readonly budgetMs?: number;
	/** Most bytes read from the service. Default 4096. */
	readonly maxBytes?: number;
	/** Connect timeout when no socket is given. */
	readonly timeoutMs?: number;
};

export const defaultIdentifyBudgetMs = 1500;
export const defaultIdentifyMaxBytes = 4096;

const httpHead = 'HEAD / HTTP/1.0\r\n\r\n';

const kindByService: Readonly<Record<string, ServiceKind>> = {
	ssh: 'SSH',
	ftp: 'FTP',
	smtp: 'SMTP',
	submission: 'SMTP',
	pop3: 'POP3',
	'pop-3': 'POP3',
	imap: 'IMAP',
	imap2: 'IMAP',
	imap4: 'IMAP',
	nntp: 'NNTP',
	irc: 'IRC',
	ircd: 'IRC',
	http: 'HTTP',
	'http-alt': 'HTTP',
	www: 'HTTP',
	'www-http': 'HTTP',
	https: 'TLS',
	imaps: 'TLS',
	pop3s: 'TLS',
	submissions: 'TLS',
	smtps: 'TLS',
	ldaps: 'TLS',
	ftps: 'TLS',
	nntps: 'TLS',
	ircs: 'TLS',
	'https-alt': 'TLS',
};

const kindByPort: ReadonlyMap<number, ServiceKind> = new Map<
	number,
	ServiceKind
>([
	[21, 'FTP'],
	[22, 'SSH'],
	[25, 'SMTP'],
	[587, 'SMTP'],
	[110, 'POP3'],
	[143, 'IMAP'],
	[119, 'NNTP'],
	[194, 'IRC'],
	[6667, 'IRC'],
	[80, 'HTTP'],
	[8000, 'HTTP'],
	[8080, 'HTTP'],
	[443, 'TLS'],
	[465, 'TLS'],
	[563, 'TLS'],
	[636, 'TLS'],
	[853, 'TLS'],
	[990, 'TLS'],
	[993, 'TLS'],
	[995, 'TLS'],
	[6697, 'TLS'],
	[8443, 'TLS'],
]);

/** What should answer on `port`: the catalogue entry first (its TLS flag, then its service name), else the port's common use. */
export function expectedKind(
	port: number,
	entry?: CatalogueEntry,
): ServiceKind | undefined {
	if (entry?.isTls) {
		return 'TLS';
	}

	for (const name of entry ? [entry.service, ...entry.aliases] : []) {
		const kind = kindByService[name.toLowerCase()];
		if (kind) {
			return kind;
		}
	}

	return kindByPort.get(port);
}

const asBuffer = (data: Uint8Array) =>
	Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** The first line, bytes as Latin-1 so that every byte survives to the sanitiser. */
function firstLine(data: Uint8Array): string {
	const end = data.indexOf(0x0a);
	return asBuffer(data.subarray(0, end === -1 ? data.length : end)).toString(
		'latin1',
	);
}

/** Whether the answer so far is complete enough to classify. */
function isComplete(data: Uint8Array): boolean {
	if (isTlsRecord(data)) {
		const length = tlsRecordLength(data);
		return length !== undefined && data.length >= length;
	}

	const buffer = asBuffer(data);
	if (buffer.subarray(0, 5).toString('latin1') === 'HTTP/') {
		return buffer.includes('\r\n\r\n') || buffer.includes('\n\n');
	}

	return data.includes(0x0a);
}

function httpServer(data: Uint8Array): string {
	const head = asBuffer(data).toString('latin1');
	const header = /^server:[ \t]*(.*)$/imv.exec(
		head.split(/\r?\n\r?\n/v)[0] ?? '',
	);
	const server = header?.[1] ? sanitize(header[1], 100) : '';
	return server ? `HTTP ${server}` : 'HTTP';
}

/** 220 opens both FTP and SMTP greetings: the text decides, then the expectation, else it stays unknown. */
function classify220(
	line: string,
	expected: ServiceKind | undefined,
): ServiceKind {
	if (/smtp|mail|postfix|exim|sendmail/iv.test(line)) {
		return 'SMTP';
	}

	if (/ftp/iv.test(line)) {
		return 'FTP';
	}

	return expected === 'FTP' || expected === 'SMTP' ? expected : 'unknown';
}

/** Classify an answer (its raw bytes) and describe it in one sanitised line. */
export function classifyAnswer(
	data: Uint8Array,
	expected?: ServiceKind,
): {readonly kind: ServiceKind; readonly answered?: string} {
	if (data.length === 0) {
		return {kind: 'unknown'};
	}

	if (isTlsRecord(data)) {
		return {kind: 'TLS', answered: describeTlsRecord(data)};
	}

	const line = firstLine(data);
	const answered =
		sanitize(Buffer.from(line, 'latin1')) || `${data.length} bytes`;
	if (line.startsWith('HTTP/')) {
		return {kind: 'HTTP', answered: httpServer(data)};
	}

	const patterns: Array<[RegExp, ServiceKind]> = [
		[/^SSH-\d/v, 'SSH'],
		[/^\+OK/v, 'POP3'],
		[/^\* (?:ok|preauth|bye)/iv, 'IMAP'],
		[/^20[01][ \-]/v, 'NNTP'],
		[/^(?::\S+ )?(?:notice|ping|error)\b/iv, 'IRC'],
		[/^:\S+ \d{3} /v, 'IRC'],
	];
	for (const [pattern, kind] of patterns) {
		if (pattern.test(line)) {
			return {kind, answered};
		}
	}

	if (/^220[ \-]/v.test(line)) {
		return {kind: classify220(line, expected), answered};
	}

	return {kind: 'unknown', answered};
}

function mismatchOf(
	expected: ServiceKind | undefined,
	kind: ServiceKind,
	bytes: number,
): string | undefined {
	if (!expected || kind === expected) {
		return undefined;
	}

	if (kind !== 'unknown') {
		return `expected ${expected}, answered ${kind}`;
	}

	// TLS is unambiguous: any bytes that are not a TLS record mean something else listens.
	return expected === 'TLS' && bytes > 0
		? 'expected TLS, answered something else'
		: undefined;
}

/** Collects what a socket sends, up to `maxBytes`, and wakes a waiter when a condition holds. */
class Collector {
	data = Buffer.alloc(0);
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
		isDone: (data: Uint8Array) => boolean,
		deadline: bigint,
		signal?: AbortSignal,
	): Promise<void> {
		if (signal?.aborted) {
			throw abortReason(signal);
		}

		if (isDone(this.data) || this.isEnded || this.isFull) {
			return;
		}

		const remainingMs = Math.max(0, Number(deadline - hrtime.bigint()) / 1e6);
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
		this.socket.destroy();
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

async function converse(
	socket: net.Socket,
	options: IdentifyOptions,
	expected: ServiceKind | undefined,
): Promise<Identification> {
	const budgetMs = options.budgetMs ?? defaultIdentifyBudgetMs;
	const maxBytes = options.maxBytes ?? defaultIdentifyMaxBytes;
	const start = hrtime.bigint();
	const deadline = start + BigInt(Math.round(budgetMs * 1e6));
	const collector = new Collector(socket, maxBytes);
	try {
		if (expected === 'TLS') {
			socket.write(buildClientHello(options.servername));
		} else if (expected === 'HTTP') {
			socket.write(httpHead);
		} else {
			// Greet-first services speak within a moment; give them two thirds of the budget, then
			// nudge the silent ones with an HTTP request, the commonest thing on an odd port.
			const greetDeadline =
				start + BigInt(Math.round(((budgetMs * 2) / 3) * 1e6));
			await collector.wait(isComplete, greetDeadline, options.signal);
			if (collector.data.length === 0 && !collector.isEnded) {
				socket.write(httpHead);
			}
		}

		await collector.wait(isComplete, deadline, options.signal);
		const {data} = collector;
		const {kind, answered} = classifyAnswer(data, expected);
		const mismatch = mismatchOf(expected, kind, data.length);
		return {
			kind,
			bytes: data.length,
			...(expected && {expected}),
			...(answered !== undefined && {answered}),
			...(mismatch && {mismatch}),
		};
	} finally {
		collector.dispose();
	}
}

/**
 * Find out what answers on an open TCP port: read the greeting of services that speak first,
 * send `HEAD / HTTP/1.0` to HTTP ports (and to silent ones), a ClientHello to TLS ports.
 * Reads at most `maxBytes` within `budgetMs`; every string returned is sanitised. Rejects
 * only with the abort reason; the socket (given or its own) is destroyed on every path.
 */
export async function identifyTcp(
	options: IdentifyOptions,
): Promise<Identification> {
	const expected = expectedKind(options.port, options.entry);
	let {socket} = options;
	if (!socket) {
		const connection = await connectTcp({...options, keepOpen: true});
		socket = connection.socket;
		if (!socket) {
			return {kind: 'unknown', bytes: 0, ...(expected && {expected})};
		}
	}

	return converse(socket, options, expected);
}
