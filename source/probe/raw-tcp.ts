import net from 'node:net';
import process from 'node:process';
import {getSystemErrorName} from 'node:util';

/*
A TCP connect without a net.Socket (issue 16: the warm 1-1000 loopback sweep). A net.Socket is a
full duplex stream: building one, its deferred connect, its events and its teardown cost more
than the connect itself, and a sweep of closed ports never reads or writes a byte. Node's own
TCP handle (the `tcp_wrap` binding under net.Socket) connects, reports the errno and closes;
measured on this machine, 1,000 loopback connects at 256 in flight took 27 ms this way and 57 ms
through net.Socket, nmap -sT 88-150 ms.

The binding is internal (DEP0111, a documentation-only deprecation): when a Node version no longer
has it, or it does not look as expected, `rawTcp` is undefined and probes use net.Socket as
before. An open port a caller keeps (identification) gets its handle wrapped in a net.Socket,
the way Node wraps a connection its servers accept.
*/

type ConnectRequest = {
	oncomplete: (status: number) => void;
};

type SocketName = {address?: string; port?: number};

export type TcpHandle = {
	connect(request: ConnectRequest, address: string, port: number): number;
	connect6(request: ConnectRequest, address: string, port: number): number;
	bind(address: string, port: number): number;
	getsockname(out: SocketName): number;
	getpeername(out: SocketName): number;
	close(callback?: () => void): void;
	/** Closes with a reset (SO_LINGER 0); non-zero when it could not, and the handle is still open. */
	reset?(callback?: () => void): number;
};

type TcpBinding = {
	readonly TCP: new (type: number) => TcpHandle;
	readonly TCPConnectWrap: new () => ConnectRequest;
	readonly constants: {readonly SOCKET: number};
};

function loadBinding(): TcpBinding | undefined {
	if (process.env['PORTUI_NET_SOCKET']) {
		return undefined;
	}

	// `node --pending-deprecation` would print DEP0111 for this one call: the fallback below is
	// what a missing binding costs, a warning on a user's terminal is not ours to print.
	const isQuiet = process.noDeprecation;
	process.noDeprecation = true;
	try {
		// eslint-disable-next-line n/no-deprecated-api -- on purpose, with the fallback above
		const binding = (
			process as unknown as {binding(name: string): Partial<TcpBinding>}
		).binding('tcp_wrap');
		return typeof binding.TCP === 'function' &&
			typeof binding.TCPConnectWrap === 'function' &&
			typeof binding.constants?.SOCKET === 'number' &&
			typeof (binding.TCP.prototype as Partial<TcpHandle>).connect ===
				'function'
			? (binding as TcpBinding)
			: undefined;
	} catch {
		return undefined;
	} finally {
		process.noDeprecation = isQuiet;
	}
}

/**
 * Closes a probe's connection with a reset (SO_LINGER 0), as nmap -sT does, rather than a FIN: the
 * side that closes first keeps a TIME_WAIT socket for a minute, and a watch that connects to a
 * dozen open ports a second would keep hundreds of them in the socket tables it reads (a one-shot
 * probe's owner lookup spent most of its time on those lines). A socket that is not plainly an
 * open TCP connection (still connecting, half closed, TLS over one) is destroyed as usual.
 */
export function closeWithReset(socket: net.Socket): void {
	// Only while both ways are open: once the peer has hung up (and Node ended our side in
	// turn) the kernel refuses the reset, and Node then leaves the handle open for good. A peer
	// that closed first keeps the TIME_WAIT itself.
	if (socket.readyState !== 'open' || socket.destroyed) {
		socket.destroy();
		return;
	}

	// A reset that fails is reported as an 'error' event after the fact; it is not ours to hear.
	socket.on('error', ignoreError);
	try {
		socket.resetAndDestroy();
	} catch {
		socket.destroy();
	}
}

/** An 'error' event nobody is left to hear: see closeWithReset, and TcpAttempt's kept socket. */
export function ignoreError() {
	// Deliberately empty.
}

/** The binding, or undefined where this Node has none (then probes use net.Socket). PORTUI_NET_SOCKET=1 forces that. */
export const rawTcp = loadBinding();

/** Who hears how a connect ended: undefined when it connected, else the error's code (`ECONNREFUSED`...). */
export type ConnectListener = {
	connected(code: string | undefined): void;
};

/** A connect in flight, through a bare handle or a net.Socket. */
export type Connecting = {
	/** Closes the connection; the listener hears nothing more. */
	close(): void;
	/** Whether the connection is to itself (Linux's simultaneous open on a free ephemeral port). */
	isSelfConnect(): boolean;
	/** The open connection as a net.Socket that the caller owns from then on. */
	toSocket(): net.Socket;
};

type Request = ConnectRequest & {connect?: RawConnect};

/** Called by the binding with the request as `this`; one function for every connect, not a closure each. */
function onComplete(this: Request, status: number) {
	this.connect?.complete(status);
}

function onFailedAtOnce(connect: RawConnect, status: number) {
	connect.complete(status);
}

/**
 * A connect on a bare handle. The listener hears once, never before the constructor returns
 * (a connect that cannot start, for want of a descriptor, is reported on the next tick), and
 * never after `close`. One object per probe and no closures: a sweep makes a thousand.
 */
export class RawConnect implements Connecting {
	readonly #handle: TcpHandle;
	readonly #listener: ConnectListener;
	#isClosed = false;
	#isConnected = false;

	constructor(
		binding: TcpBinding,
		{address, family, port}: {address: string; family: 4 | 6; port: number},
		listener: ConnectListener,
	) {
		this.#listener = listener;
		this.#handle = new binding.TCP(binding.constants.SOCKET);
		const request: Request = new binding.TCPConnectWrap();
		request.connect = this;
		request.oncomplete = onComplete;
		const status =
			family === 6
				? this.#handle.connect6(request, address, port)
				: this.#handle.connect(request, address, port);
		if (status < 0) {
			process.nextTick(onFailedAtOnce, this, status);
		}
	}

	complete(status: number) {
		this.#isConnected = status === 0;
		if (!this.#isClosed) {
			this.#listener.connected(
				status < 0 ? getSystemErrorName(status) : undefined,
			);
		}
	}

	close() {
		if (!this.#isClosed) {
			this.#isClosed = true;
			// An open connection is reset, as nmap -sT resets it: a closed one would leave this
			// machine a TIME_WAIT socket per probe for a minute (see `closeWithReset`).
			if (!this.#isConnected || this.#handle.reset?.() !== 0) {
				this.#handle.close();
			}
		}
	}

	isSelfConnect() {
		const local: SocketName = {};
		const remote: SocketName = {};
		return (
			this.#handle.getsockname(local) === 0 &&
			this.#handle.getpeername(remote) === 0 &&
			local.port === remote.port &&
			local.address === remote.address
		);
	}

	toSocket() {
		// The way Node wraps a connection one of its servers accepted.
		this.#isClosed = true;
		return new net.Socket({
			handle: this.#handle,
			readable: true,
			writable: true,
		} as net.SocketConstructorOpts);
	}
}

/**
 * A loopback port of our own that refuses: bound, never listening, so a connect to it is answered
 * with a reset by this machine's kernel. Undefined where there is no loopback to bind.
 */
export function refusingPort(
	binding: TcpBinding,
): {readonly port: number; close(): void} | undefined {
	const handle = new binding.TCP(binding.constants.SOCKET);
	const name: SocketName = {};
	if (
		handle.bind('127.0.0.1', 0) !== 0 ||
		handle.getsockname(name) !== 0 ||
		name.port === undefined
	) {
		handle.close();
		return undefined;
	}

	return {
		port: name.port,
		close() {
			handle.close();
		},
	};
}
