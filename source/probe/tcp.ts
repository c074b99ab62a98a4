import net from 'node:net';
import {nowMs} from './clock.js';
import {
	bestRtt,
	isPolluted,
	socketEventTime,
	watchStalls,
} from './rtt-clock.js';
import {
	type Connecting,
	type ConnectListener,
	RawConnect,
	rawTcp,
	refusingPort,
	closeWithReset,
	ignoreError,
} from './raw-tcp.js';
import type {AddressProbe, PortProbeOptions} from './types.js';

/**
 * 1000 ms. Loopback and a LAN answer in well under 10 ms and most of the internet under
 * 300 ms, so a second is ample for any host that answers at all. It is also the kernel's
 * initial SYN retransmission timeout (RFC 6298), so waiting longer mostly waits for a
 * retransmit that a dropping firewall will drop again. A filtered port costs one timeout
 * per port, and a sweep runs `concurrency` of them at once: 1000 filtered ports at 256 in
 * flight cost about 4 s.
 */
export const defaultTcpTimeoutMs = 1000;

/**
 * Linux retransmits an unanswered SYN after 1 s (TCP_TIMEOUT_INIT, RFC 6298's initial RTO), then
 * 3 s, 7 s: a connect that waits past it has sent a second SYN, and so drawn a second answer.
 */
export const synRetransmitMs = 1000;

export type TcpProbeOptions = PortProbeOptions;

export type TcpConnection = {
	readonly probe: AddressProbe;
	/** The connected socket, owned by the caller, when the port is open and `keepOpen` was asked. */
	readonly socket?: net.Socket;
};

/** Errors that mean the packet could not be sent or was refused on the way: the port is unknown, not closed. */
const unreachableCodes = new Set([
	'EPERM',
	'ENETDOWN',
	'EHOSTDOWN',
	'EADDRNOTAVAIL',
	'EAFNOSUPPORT',
	'EINVAL',
]);

/**
 * Errors of this machine, not of the target: no descriptor, no buffer, no local port. They say
 * nothing about the port, so the probe is tried again instead of reporting a state (issue 12).
 */
const localResourceCodes = new Set([
	'EMFILE',
	'ENFILE',
	'ENOBUFS',
	'ENOMEM',
	'EAGAIN',
	'EADDRINUSE',
]);

/** A probe that could not even start for want of a local resource (see `localResourceCodes`); try it again later. */
export class LocalResourceError extends Error {
	override readonly name = 'LocalResourceError';
	readonly code: string;
	constructor(code: string) {
		super(`out of a local resource (${code})`);
		this.code = code;
	}
}

export function isLocalResourceCode(code: string | undefined): boolean {
	return code !== undefined && localResourceCodes.has(code);
}

/** The error an aborted probe rejects with when the signal's reason is not an Error of the caller's own. */
export class AbortError extends Error {
	override readonly name = 'AbortError';
	get code() {
		return 'ABORT_ERR';
	}
}

/**
 * What an aborted operation rejects with: the reason given to `abort(reason)` when it is an
 * Error, else an AbortError (like Node's own APIs, and unlike a DOMException, a real Error).
 */
export function abortReason(signal: AbortSignal): Error {
	return signal.reason instanceof Error &&
		!(signal.reason instanceof DOMException)
		? signal.reason
		: new AbortError('The probe was aborted', {cause: signal.reason});
}

type Outcome = {
	-readonly [K in 'state' | 'reason' | 'code' | 'rttMs']?: AddressProbe[K];
} & Pick<AddressProbe, 'state' | 'reason'>;

function classify(code: string | undefined): Outcome {
	if (code === 'ECONNREFUSED') {
		return {state: 'closed', reason: 'refused', code};
	}

	// A reset can only end a connection whose handshake completed: something accepted it and
	// closed at once (SO_LINGER 0, a full accept queue), so the port is open (issue 12).
	if (code === 'ECONNRESET') {
		return {state: 'open', reason: 'reset-after-accept', code};
	}

	if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
		return {
			state: 'unreachable',
			reason: code === 'ENETUNREACH' ? 'net-unreach' : 'host-unreach',
			code,
		};
	}

	// ICMPv6 administratively prohibited, or a local prohibit route: a filter said no (nmap: filtered).
	if (code === 'EACCES') {
		return {state: 'filtered', reason: 'admin-prohibited', code};
	}

	if (code === 'ETIMEDOUT') {
		return {state: 'filtered', reason: 'timeout', code};
	}

	if (code && unreachableCodes.has(code)) {
		return {state: 'unreachable', reason: code, code};
	}

	// Anything else (EMFILE, ENOBUFS) is a local failure; say which rather than guess a state.
	return {state: 'unreachable', reason: code ?? 'error', code};
}

/** Connects made only to measure the RTT again when the probe's own sample was polluted. */
const measureRetries = 2;

/**
 * A TCP connect probe of one address. Resolves, never rejects, except with the abort reason
 * when `signal` aborts, and with a LocalResourceError when this machine is out of descriptors.
 * With `keepOpen`, an open port's socket is handed to the caller (for identification without a
 * second connection); otherwise every socket is destroyed.
 *
 * An open port whose round trip could not be measured cleanly (the event loop stalled meanwhile,
 * rtt-clock.ts) and that has no clean recent sample is measured again (`measureRttAgain`) before
 * this resolves, unless `isMeasuredAgain` is false: a caller that identifies the service measures
 * again beside that conversation, and one that connects again only to talk needs no RTT at all.
 * Other states keep the sample only when it is clean.
 */
export async function connectTcp(
	options: TcpProbeOptions & {
		readonly keepOpen?: boolean;
		readonly isMeasuredAgain?: boolean;
	},
): Promise<TcpConnection> {
	if (!isWarm) {
		warmUpTcp();
		await warming;
		isWarm = true;
	}

	const connection = await connectOnce(options);
	const {probe} = connection;
	const again =
		options.isMeasuredAgain === false ? undefined : rttAgain(probe, options);
	if (!again) {
		return connection;
	}

	const rttMs = await again;
	return rttMs === undefined
		? connection
		: {...connection, probe: {...probe, rttMs}};
}

/**
 * The measuring again that `probe` needs: undefined unless it is an open port whose own sample
 * was polluted, else the round trip from connections made only for it (`measureRttAgain`). Only
 * an open port is measured again: a refused one would draw two more connections from every closed
 * port of a large sweep on a busy machine (1,951 connects for ports 1-1000 in a cold `probe`
 * here), where its RTT says nothing the open ports do not; it is shown when clean. Not async:
 * the caller needs to know at once whether anything is being measured.
 */
export function rttAgain(
	probe: AddressProbe,
	options: TcpProbeOptions,
): Promise<number | undefined> | undefined {
	return probe.state === 'open' && probe.rttMs === undefined
		? measureRttAgain(options)
		: undefined;
}

/**
 * The round trip of an open port from connections made only for it, one after the other, at most
 * `measureRetries`; undefined when none was clean either.
 */
async function measureRttAgain(
	options: TcpProbeOptions,
): Promise<number | undefined> {
	for (let retry = 0; retry < measureRetries; retry++) {
		// eslint-disable-next-line no-await-in-loop -- one at a time, each in a quieter moment
		const again = await connectOnce({...options, keepOpen: false});
		if (again.probe.state === 'open' && again.probe.rttMs !== undefined) {
			return again.probe.rttMs;
		}
	}

	return undefined;
}

let warming: Promise<void> | undefined;
let isWarm = false;

/**
 * Starts the warm-up (see `warmUp`) ahead of the first probe: a one-shot command calls it before
 * it reads its catalogue, so that the warm-up's connects are answered meanwhile instead of
 * holding up the sweep's first ones.
 */
export function warmUpTcp(): void {
	warming ??= warmUp();
}

/**
 * Two connects to a port of our own on loopback before the first probe of the process: the first
 * connect runs the connect code for the first time (parsed, compiled lazily), and its round trip
 * read 1-2 ms on loopback against ping's 0.04 ms in a one-shot `probe`. Warming that code on our
 * own port costs the target nothing (no extra connection, no line in its log). With the bare
 * handle the port is one we bind and never listen on (refused: the path every answer takes up to
 * its timestamp, and no server, accept or cluster module to load); with net.Socket, a listener.
 * Any failure is ignored: the probe then measures cold, as before.
 */
async function warmUp(): Promise<void> {
	const own = rawTcp ? refusingPort(rawTcp) : await listenerOfOurOwn();
	if (!own) {
		return;
	}

	try {
		// Our own connect code too, not only Node's: the same path a probe takes. Both at once: the
		// second call runs the connect code warm and both answers run the answer code, and the
		// sweep after the catalogue waits for one round trip instead of two.
		await Promise.all(
			[0, 1].map(async () =>
				connectOnce({
					address: '127.0.0.1',
					family: 4,
					port: own.port,
					timeoutMs: 1000,
				}),
			),
		);
	} catch {
		// Nothing to warm on.
	} finally {
		own.close();
	}
}

async function listenerOfOurOwn(): Promise<
	{readonly port: number; close(): void} | undefined
> {
	const server = net.createServer((socket) => {
		socket.destroy();
	});
	try {
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', resolve);
		});
	} catch {
		server.close();
		return undefined;
	}

	return {
		port: (server.address() as net.AddressInfo).port,
		close() {
			server.close();
		},
	};
}

type NetListener = ConnectListener & {
	/** Node's deferred connect() is being made now. */
	attempted(): void;
};

/**
 * The connect through a net.Socket: where this Node has no bare handle to offer, and for a
 * probe from a given local port (a bind first, which the bare path does not do).
 */
function connectNet(
	options: TcpProbeOptions,
	listener: NetListener,
): Connecting {
	const {address, family, port, localPort} = options;
	const socket = new net.Socket();
	const onAttempt = () => {
		listener.attempted();
	};

	const onConnect = () => {
		listener.connected(undefined);
	};

	const onError = (error: NodeJS.ErrnoException) => {
		listener.connected(error.code ?? 'error');
	};

	socket.once('connectionAttempt', onAttempt);
	socket.once('connect', onConnect);
	socket.once('error', onError);
	socket.connect({
		host: address,
		port,
		family,
		localPort,
		localAddress: localPort === undefined ? undefined : address,
	});
	const detach = () => {
		socket.off('connectionAttempt', onAttempt);
		socket.off('connect', onConnect);
		socket.off('error', onError);
	};

	return {
		close() {
			detach();
			closeWithReset(socket);
		},
		isSelfConnect: () =>
			socket.localPort === socket.remotePort &&
			socket.localAddress === socket.remoteAddress,
		toSocket() {
			detach();
			return socket;
		},
	};
}

/**
 * The probes in flight under each signal, and one abort listener per signal for all of them: an
 * EventTarget listener per probe cost more than a tenth of a warm sweep of 1,000 closed ports.
 */
const attemptsBySignal = new WeakMap<AbortSignal, Set<TcpAttempt>>();

function watchAbort(signal: AbortSignal, attempt: TcpAttempt) {
	let attempts = attemptsBySignal.get(signal);
	if (!attempts) {
		const all = new Set<TcpAttempt>();
		attempts = all;
		attemptsBySignal.set(signal, all);
		signal.addEventListener(
			'abort',
			() => {
				for (const each of all) {
					each.aborted();
				}
			},
			{once: true},
		);
	}

	attempts.add(attempt);
}

function onTimeout(attempt: TcpAttempt) {
	attempt.timedOut();
}

function onSilent(attempt: TcpAttempt) {
	attempt.finish({state: 'filtered', reason: 'timeout'});
}

/**
 * One connect probe, settled once: by the answer, the timeout, or the abort. One object with
 * methods rather than a closure per event: a sweep makes a thousand of these.
 */
class TcpAttempt implements NetListener {
	readonly #options: TcpProbeOptions & {readonly keepOpen?: boolean};
	readonly #resolve: (connection: TcpConnection) => void;
	readonly #reject: (error: Error) => void;
	readonly #unwatch = watchStalls();
	readonly #timer: NodeJS.Timeout;
	readonly #connecting: Connecting;
	/** Stamped again when a net.Socket's deferred connect() is really made (rtt-clock.ts). */
	#start = nowMs();
	#immediate: NodeJS.Immediate | undefined;
	#isSettled = false;

	constructor(
		options: TcpProbeOptions & {readonly keepOpen?: boolean},
		resolve: (connection: TcpConnection) => void,
		reject: (error: Error) => void,
	) {
		this.#options = options;
		this.#resolve = resolve;
		this.#reject = reject;
		if (options.signal) {
			watchAbort(options.signal, this);
		}

		this.#timer = setTimeout(
			onTimeout,
			options.timeoutMs ?? defaultTcpTimeoutMs,
			this,
		);
		this.#connecting =
			rawTcp && options.localPort === undefined
				? new RawConnect(rawTcp, options, this)
				: connectNet(options, this);
	}

	attempted() {
		this.#start = nowMs();
	}

	/** The verdict waits one turn of the loop: when the process was busy, the answer may be queued behind the timer in the same turn, and a stalled loop is not a silent port. */
	timedOut() {
		this.#immediate = setImmediate(onSilent, this);
	}

	/** The signal aborted. */
	aborted() {
		if (this.#isSettled) {
			return;
		}

		this.#settle();
		this.#connecting.close();
		this.#reject(abortReason(this.#options.signal!));
	}

	connected(code: string | undefined) {
		if (this.#isSettled) {
			return;
		}

		if (code === undefined) {
			const rttMs = this.#roundTrip();
			if (this.#connecting.isSelfConnect()) {
				this.finish({state: 'closed', reason: 'self-connect', rttMs});
				return;
			}

			this.finish(
				{state: 'open', reason: 'connected', rttMs},
				this.#options.keepOpen === true,
			);
			return;
		}

		if (isLocalResourceCode(code)) {
			this.#settle();
			this.#connecting.close();
			this.#reject(new LocalResourceError(code));
			return;
		}

		const outcome = classify(code);
		const rttMs = this.#roundTrip();
		if (rttMs !== undefined) {
			outcome.rttMs = rttMs;
		}

		this.finish(outcome);
	}

	finish(outcome: Outcome, isKept = false) {
		if (this.#isSettled) {
			return;
		}

		this.#settle();
		const {address, family} = this.#options;
		// Property by property: object spread costs microseconds in V8, and this runs per probe.
		const probe: {-readonly [K in keyof AddressProbe]: AddressProbe[K]} = {
			address,
			family,
			state: outcome.state,
			reason: outcome.reason,
		};
		if (outcome.code !== undefined) {
			probe.code = outcome.code;
		}

		if (outcome.rttMs !== undefined) {
			probe.rttMs = outcome.rttMs;
		}

		if (isKept) {
			const socket = this.#connecting.toSocket();
			// The caller reads from it; an error after this point is the caller's, but must not crash.
			socket.on('error', ignoreError);
			this.#resolve({probe, socket});
			return;
		}

		this.#connecting.close();
		this.#resolve({probe});
	}

	#roundTrip() {
		const end = socketEventTime();
		const {address, port} = this.#options;
		return bestRtt(
			`${address} tcp ${port}`,
			isPolluted(this.#start, end) ? undefined : Math.max(0, end - this.#start),
		);
	}

	#settle() {
		this.#isSettled = true;
		this.#unwatch();
		clearTimeout(this.#timer);
		clearImmediate(this.#immediate);
		if (this.#options.signal) {
			attemptsBySignal.get(this.#options.signal)?.delete(this);
		}
	}
}

// Not async: an async function returning this promise would settle a microtask or two later, per
// probe, a thousand times a sweep.
// eslint-disable-next-line @typescript-eslint/promise-function-async
function connectOnce(
	options: TcpProbeOptions & {readonly keepOpen?: boolean},
): Promise<TcpConnection> {
	return new Promise<TcpConnection>((resolve, reject) => {
		if (options.signal?.aborted) {
			reject(abortReason(options.signal));
			return;
		}

		// Names are resolved once per sweep (targets.ts); a name here would be looked up per probe.
		if (net.isIP(options.address) === 0) {
			reject(
				new TypeError(
					`Expected an IP address, got ${JSON.stringify(options.address)}`,
				),
			);
			return;
		}

		// eslint-disable-next-line no-new -- it lives on in its socket, timer and listener
		new TcpAttempt(options, resolve, reject);
	});
}

/** A TCP connect probe of one address: open, closed, filtered or unreachable, and why. */
export async function probeTcp(
	options: TcpProbeOptions,
): Promise<AddressProbe> {
	const {probe} = await connectTcp({...options, keepOpen: false});
	return probe;
}
