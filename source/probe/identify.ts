import {Buffer} from 'node:buffer';
import net from 'node:net';
import type tls from 'node:tls';
import {hrtime} from 'node:process';
import type {CatalogueEntry} from '../catalogue/types.js';
import type {Bytes} from './payloads/payload.js';
import {sanitize} from './sanitize.js';
import {
	httpHead,
	httpSpeaker,
	partial,
	speakerFor,
	tlsSpeaker,
	unpromptedReaders,
	type Reading,
	type ServiceKind,
	type Speaker,
} from './speakers/index.js';
import {Collector, nsUntil} from './collector.js';
import {abortReason, connectTcp} from './tcp.js';
import type {Family} from './types.js';

export type {ServiceKind} from './speakers/index.js';

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
	/** Time allowed for the answer, from the moment the socket is connected. Default 1000 ms. */
	readonly budgetMs?: number;
	/** Most bytes read from the service. Default 4096. */
	readonly maxBytes?: number;
	/**
	 * The bound on the whole probe of the port, connect and identification together (`--timeout`):
	 * identification gets what the connect left of it, and never more than `budgetMs`.
	 */
	readonly timeoutMs?: number;
	/** How long the connect of a given socket took (ms): counts against `timeoutMs`, and sets the greeting wait. */
	readonly rttMs?: number;
};

/**
 * 1000 ms: a service that answers at all answers a loopback or LAN probe within milliseconds and
 * most of the internet within 300 ms; only a silent service costs the whole budget.
 */
export const defaultIdentifyBudgetMs = 1000;
export const defaultIdentifyMaxBytes = 4096;

/**
 * How long a service with nothing to send first gets to greet before the nudge: a greeting comes
 * one round trip after the connect, so a little more than that, and never more than half the budget.
 */
const greetingWaitMs = (budgetMs: number, rttMs = 0) =>
	Math.min(budgetMs / 2, 250 + 4 * rttMs);

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
	domain: 'DNS',
	dns: 'DNS',
	ldap: 'LDAP',
	sunrpc: 'RPC',
	rpcbind: 'RPC',
	portmapper: 'RPC',
	'microsoft-ds': 'SMB',
	smb: 'SMB',
	postgresql: 'PostgreSQL',
	postgres: 'PostgreSQL',
	redis: 'Redis',
	valkey: 'Redis',
	mysql: 'MySQL',
	mariadb: 'MySQL',
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
	[53, 'DNS'],
	[111, 'RPC'],
	[389, 'LDAP'],
	[445, 'SMB'],
	[3306, 'MySQL'],
	[5432, 'PostgreSQL'],
	[6379, 'Redis'],
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

const asBuffer = (data: Uint8Array): Bytes =>
	Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** The first line, bytes as Latin-1 so that every byte survives to the sanitiser. */
function firstLine(data: Uint8Array): string {
	const end = data.indexOf(0x0a);
	return asBuffer(data.subarray(0, end === -1 ? data.length : end)).toString(
		'latin1',
	);
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

const greetingPatterns: Array<[RegExp, ServiceKind]> = [
	[/^SSH-\d/v, 'SSH'],
	[/^\+OK/v, 'POP3'],
	[/^\* (?:ok|preauth|bye)/iv, 'IMAP'],
	[/^20[01][ \-]/v, 'NNTP'],
	[/^(?::\S+ )?(?:notice|ping|error)\b/iv, 'IRC'],
	[/^:\S+ \d{3} /v, 'IRC'],
];

/** A greeting line: SSH, FTP, SMTP, POP3, IMAP, NNTP, IRC, or unknown with the line itself. */
function classifyLine(data: Bytes, expected: ServiceKind | undefined): Reading {
	const line = firstLine(data);
	const answered =
		sanitize(Buffer.from(line, 'latin1')) || `${data.length} bytes`;
	for (const [pattern, kind] of greetingPatterns) {
		if (pattern.test(line)) {
			return {kind, answered};
		}
	}

	return /^220[ \-]/v.test(line)
		? {kind: classify220(line, expected), answered}
		: {kind: 'unknown', answered};
}

/** A speaker's reading, or undefined if its reader failed: a bug there must not cost the probe. */
function readSafely(
	speaker: Speaker | undefined,
	data: Bytes,
	request: Bytes,
): Reading | typeof partial | undefined {
	try {
		return speaker?.read(data, request);
	} catch {
		return undefined;
	}
}

/**
 * What an answer nobody asked for says (a greeting, or the answer to our nudge): a TLS record,
 * an HTTP response, a MySQL handshake, else a greeting line; `partial` while it may still
 * become one of them.
 */
function readUnprompted(
	data: Bytes,
	request: Bytes,
	expected: ServiceKind | undefined,
): Reading | typeof partial | undefined {
	let isPartial = false;
	for (const reader of unpromptedReaders) {
		const reading = readSafely(reader, data, request);
		if (reading === partial) {
			isPartial = true;
		} else if (reading) {
			return reading;
		}
	}

	if (isPartial) {
		return partial;
	}

	if (data.includes(0x0a)) {
		return classifyLine(data, expected);
	}

	return data.length > 0 ? partial : undefined;
}

/** The reading of an answer that is in, complete or not: the speaker's, else the unprompted one. */
function readAnswer(
	data: Bytes,
	speaker: Speaker | undefined,
	request: Bytes,
	expected: ServiceKind | undefined,
): Reading {
	for (const reading of [
		readSafely(speaker, data, request),
		readUnprompted(data, request, expected),
	]) {
		if (reading && reading !== partial) {
			return reading;
		}
	}

	return data.length === 0
		? {kind: 'unknown', answered: ''}
		: classifyLine(data, expected);
}

/** Whether the answer so far can be read: by the speaker, or as something else it recognises. */
function isAnswered(
	data: Bytes,
	speaker: Speaker | undefined,
	request: Bytes,
	expected: ServiceKind | undefined,
): boolean {
	const own = readSafely(speaker, data, request);
	if (own && own !== partial) {
		return true;
	}

	const other = readUnprompted(data, request, expected);
	return (
		other !== undefined &&
		other !== partial &&
		(own === undefined || other.kind !== 'unknown')
	);
}

/** Classify an answer (its raw bytes) and describe it in one sanitised line. */
export function classifyAnswer(
	data: Uint8Array,
	expected?: ServiceKind,
): {readonly kind: ServiceKind; readonly answered?: string} {
	if (data.length === 0) {
		return {kind: 'unknown'};
	}

	const {kind, answered} = readAnswer(
		asBuffer(data),
		undefined,
		Buffer.alloc(0),
		expected,
	);
	return {kind, answered};
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

type Conversation = {
	readonly reading: Reading;
	readonly bytes: number;
	/** Plain text went out and the answer was TLS, or an HTTP port hung up without a word. */
	readonly isTlsSuspected: boolean;
};

/**
 * One connection: the speaker's request at once, or the greeting wait and one nudge; closed as
 * soon as the answer reads, so a server that serves one client at a time is held for no longer.
 */
async function converse(
	socket: net.Socket,
	options: IdentifyOptions & {readonly budgetMs: number},
	expected: ServiceKind | undefined,
	deadline: bigint,
): Promise<Conversation> {
	const {budgetMs} = options;
	const speaker = speakerFor(expected);
	const collector = new Collector(
		socket,
		options.maxBytes ?? defaultIdentifyMaxBytes,
	);
	let request: Bytes = Buffer.alloc(0);
	const isDone = (data: Bytes) => isAnswered(data, speaker, request, expected);
	try {
		if (speaker?.request) {
			request = asBuffer(speaker.request(options.servername));
			socket.write(request);
		} else {
			const greetDeadline =
				hrtime.bigint() +
				BigInt(Math.round(greetingWaitMs(budgetMs, options.rttMs) * 1e6));
			// Within the deadline: the greeting wait is at most half the budget.
			await collector.wait(isDone, greetDeadline, options.signal);
			if (collector.data.length === 0 && !collector.isEnded) {
				// Silent so far: one nudge, HTTP, the commonest thing on an odd port.
				request = Buffer.from(httpHead);
				socket.write(request);
			}
		}

		// A greeting that came but never completed (binary, no line end) is read as it stands at
		// the end of the greeting wait, rather than waited on for the rest of the budget.
		if (request.length > 0 || collector.data.length === 0) {
			await collector.wait(isDone, deadline, options.signal);
		}

		const {data, isEnded} = collector;
		const reading = readAnswer(data, speaker, request, expected);
		const isPlainSent = request.length > 0 && request[0] !== 0x16;
		return {
			reading,
			bytes: data.length,
			isTlsSuspected:
				reading.isTlsBehind === true ||
				(reading.kind === 'TLS' && isPlainSent) ||
				(expected === 'HTTP' && data.length === 0 && isEnded),
		};
	} finally {
		collector.dispose();
	}
}

/** A second connection to the port, within what is left of the budget. */
async function reconnect(
	options: IdentifyOptions,
	deadline: bigint,
): Promise<net.Socket | undefined> {
	const remainingMs = nsUntil(deadline) / 1e6;
	if (remainingMs <= 1) {
		return undefined;
	}

	const {socket} = await connectTcp({
		address: options.address,
		family: options.family,
		port: options.port,
		signal: options.signal,
		timeoutMs: remainingMs,
		keepOpen: true,
		// Only to talk: the probe's RTT is the first connection's.
		isMeasuredAgain: false,
	});
	return socket;
}

/**
 * `request` on a new connection, and the speaker's reading of the answer by `until` (within the
 * deadline); undefined when there is no connection or the answer does not read.
 */
async function askAgain(
	options: IdentifyOptions,
	deadline: bigint,
	{
		speaker,
		request,
		until = deadline,
	}: {
		readonly speaker: Speaker;
		readonly request: Bytes;
		readonly until?: bigint;
	},
): Promise<Reading | undefined> {
	const socket = await reconnect(options, deadline);
	if (!socket) {
		return undefined;
	}

	const collector = new Collector(socket, defaultIdentifyMaxBytes);
	try {
		socket.write(request);
		await collector.wait(
			(data) => data.length > 0 && speaker.read(data, request) !== partial,
			until,
			options.signal,
		);
		const reading = readSafely(speaker, collector.data, request);
		return reading === partial ? undefined : reading;
	} finally {
		collector.dispose();
	}
}

/** A ClientHello on a new connection, for the TLS version behind a plain-text answer that said TLS. */
async function confirmTls(
	options: IdentifyOptions,
	deadline: bigint,
): Promise<string | undefined> {
	const reading = await askAgain(options, deadline, {
		speaker: tlsSpeaker,
		request: asBuffer(tlsSpeaker.request!(options.servername)),
	});
	return reading?.answered;
}

/** The web server an HTTP answer names (`HTTP nginx/1.22.1`); undefined for a bare `HTTP`. */
const namedServer = (reading: Reading) =>
	reading.kind === 'HTTP' && reading.answered !== 'HTTP'
		? reading.answered
		: undefined;

/**
 * How long a TLS port gets to answer plain text before we ask inside instead: an alert, a 400 or a
 * hang-up comes at once, one round trip after the request.
 */
const plainAnswerWaitMs = (rttMs = 0) => 50 + 4 * rttMs;

/**
 * The web server of a TLS port, named by its answer to plain HEAD on a new connection: nginx and
 * Apache answer with a 400 (plain HTTP to an HTTPS port) that carries their Server header. That is
 * one plain exchange where a look inside costs node:tls and node:crypto here and a key exchange at
 * both ends. Undefined when the answer names nobody, or does not come within `plainAnswerWaitMs`.
 */
async function askPlainly(
	options: IdentifyOptions,
	deadline: bigint,
): Promise<string | undefined> {
	const waitUntil =
		hrtime.bigint() +
		BigInt(Math.round(plainAnswerWaitMs(options.rttMs) * 1e6));
	const reading = await askAgain(options, deadline, {
		speaker: httpSpeaker,
		request: Buffer.from(httpHead),
		until: waitUntil < deadline ? waitUntil : deadline,
	});
	return reading?.isTlsBehind === true ? namedServer(reading) : undefined;
}

/** Resolves true once the TLS handshake is done, false if it fails or `deadline` passes; rejects on abort. */
async function handshake(
	secure: tls.TLSSocket,
	deadline: bigint,
	signal?: AbortSignal,
): Promise<boolean> {
	return new Promise<boolean>((resolve, reject) => {
		const settle = (isSecure: boolean | Error) => {
			clearTimeout(timer);
			secure.off('secureConnect', onSecure);
			secure.off('error', onFailure);
			secure.off('close', onFailure);
			signal?.removeEventListener('abort', onAbort);
			// A late alert must not become an unhandled 'error' event.
			secure.on('error', () => undefined);
			if (isSecure instanceof Error) {
				reject(isSecure);
			} else {
				resolve(isSecure);
			}
		};

		const onSecure = () => {
			settle(true);
		};

		const onFailure = () => {
			settle(false);
		};

		const onAbort = () => {
			settle(abortReason(signal!));
		};

		const timer = setTimeout(onFailure, Math.max(0, nsUntil(deadline) / 1e6));
		secure.once('secureConnect', onSecure);
		secure.once('error', onFailure);
		secure.once('close', onFailure);
		signal?.addEventListener('abort', onAbort, {once: true});
	});
}

const httpsServices = new Set([
	'https',
	'https-alt',
	'pcsync-https',
	'http',
	'http-alt',
	'www',
	'www-http',
]);

/** Whether HTTP is what speaks inside the TLS of this port. */
function isHttpsPort(options: IdentifyOptions, isHttps: boolean): boolean {
	const {entry, port} = options;
	if (isHttps) {
		return true;
	}

	return entry
		? [entry.service, ...entry.aliases].some((name) =>
				httpsServices.has(name.toLowerCase()),
			)
		: port === 443 || port === 8443;
}

/**
 * A TLS handshake on a new connection (the certificate is not checked: nothing secret is sent),
 * then what the service inside says: HEAD on an HTTPS port, else its greeting. `TLS 1.3` alone
 * says nothing of what the port serves; nmap -sV names the web server behind it, so do we.
 */
async function lookInsideTls(
	options: IdentifyOptions,
	deadline: bigint,
	isHttps: boolean,
): Promise<Reading | undefined> {
	const socket = await reconnect(options, deadline);
	if (!socket) {
		return undefined;
	}

	const {servername} = options;
	// Loaded here, not with the module: node:tls (and node:crypto under it) is some 10 ms of every
	// start-up, and most probes never look inside TLS.
	const {connect} = await import('node:tls');
	const secure = connect({
		socket,
		rejectUnauthorized: false,
		...(servername && net.isIP(servername) === 0 && {servername}),
	});
	try {
		if (!(await handshake(secure, deadline, options.signal))) {
			return undefined;
		}

		const {reading} = await converse(
			secure,
			{...options, budgetMs: nsUntil(deadline) / 1e6},
			isHttpsPort(options, isHttps) ? 'HTTP' : undefined,
			deadline,
		);
		return reading.answered ? reading : undefined;
	} finally {
		secure.destroy();
		socket.destroy();
	}
}

/**
 * What serves inside a TLS port: on an HTTPS port first what its web server says of itself to
 * plain text (`askPlainly`), else a look inside.
 */
async function serviceInsideTls(
	options: IdentifyOptions,
	deadline: bigint,
	isHttps: boolean,
): Promise<string | undefined> {
	const named = isHttpsPort(options, isHttps)
		? await askPlainly(options, deadline)
		: undefined;
	if (named !== undefined) {
		return named;
	}

	const look = await lookInsideTls(options, deadline, isHttps);
	return look?.answered;
}

/** Identification's share of the probe: `budgetMs`, within what the connect left of `timeoutMs`. */
export function identifyBudget(options: IdentifyOptions): number {
	const budgetMs = options.budgetMs ?? defaultIdentifyBudgetMs;
	return options.timeoutMs === undefined
		? budgetMs
		: Math.max(0, Math.min(budgetMs, options.timeoutMs - (options.rttMs ?? 0)));
}

/**
 * Find out what answers on an open TCP port. A protocol whose server speaks second gets its own
 * first word at once (a DNS version.bind query, an LDAP RootDSE search, a portmapper NULL call,
 * HEAD, a ClientHello, an SMB2 NEGOTIATE, an SSLRequest, a Redis PING); the others get a short
 * greeting wait and then one HTTP nudge. The connection closes as soon as the answer reads.
 * An answer that says TLS to plain text (nginx's 400 to HTTP on its TLS port, a TLS alert)
 * is confirmed with a ClientHello on a second connection, for the version.
 *
 * Reads at most `maxBytes` within the budget (`identifyBudget`); every string returned is
 * sanitised. Rejects only with the abort reason; every socket is destroyed on every path.
 */
export async function identifyTcp(
	options: IdentifyOptions,
): Promise<Identification> {
	const expected = expectedKind(options.port, options.entry);
	let {socket, rttMs} = options;
	if (!socket) {
		const connection = await connectTcp({...options, keepOpen: true});
		socket = connection.socket;
		rttMs = connection.probe.rttMs;
		if (!socket) {
			return {kind: 'unknown', bytes: 0, ...(expected && {expected})};
		}
	}

	const budgetMs = identifyBudget({...options, rttMs});
	const deadline = hrtime.bigint() + BigInt(Math.round(budgetMs * 1e6));
	const {reading, bytes, isTlsSuspected} = await converse(
		socket,
		{...options, rttMs, budgetMs},
		expected,
		deadline,
	);
	let {kind, answered} = reading;
	const isHttps = reading.isHttps === true || expected === 'HTTP';
	let inside: string | undefined;
	if (isTlsSuspected) {
		const version = await confirmTls(options, deadline);
		if (version !== undefined || reading.kind === 'TLS') {
			kind = 'TLS';
			answered = `${version ?? 'TLS'}${isHttps ? ' (HTTPS)' : ''}`;
			// The 400 that gave TLS away came from the web server behind it, and named it (nginx,
			// Apache): a handshake to ask again would only cost node:tls and a connection more.
			inside = namedServer(reading);
		}
	}

	if (kind === 'TLS' && /^(?:TLS 1\.\d|SSL 3\.0)/v.test(answered ?? '')) {
		inside ??= await serviceInsideTls({...options, rttMs}, deadline, isHttps);
		if (inside) {
			answered = `${answered}; ${inside}`;
		}
	}

	const mismatch = mismatchOf(expected, kind, bytes);
	return {
		kind,
		bytes,
		...(expected && {expected}),
		...(answered && {answered}),
		...(mismatch && {mismatch}),
	};
}
