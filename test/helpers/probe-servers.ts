import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {readdirSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import {networkInterfaces} from 'node:os';
import process from 'node:process';
import type {ExecutionContext} from 'ava';
import type {CatalogueEntry} from '../../source/catalogue/types.js';

export type Listener = {
	readonly server: net.Server;
	readonly port: number;
	/** Stop listening and drop every connection; resolves once closed. */
	close(): Promise<void>;
};

/**
 * A TCP listener on loopback, closed at teardown. Each connection goes to `onConnection`
 * (default: destroyed at once); connections are tracked so that `close()` really closes.
 */
export async function listenTcp(
	t: ExecutionContext,
	options: {
		host?: string;
		port?: number;
		onConnection?: (socket: net.Socket) => void;
	} = {},
): Promise<Listener> {
	const {host = '127.0.0.1', port = 0, onConnection} = options;
	const sockets = new Set<net.Socket>();
	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => {
			sockets.delete(socket);
		});
		socket.on('error', () => undefined);
		if (onConnection) {
			onConnection(socket);
		} else {
			socket.destroy();
		}
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen({port, host, exclusive: true}, () => {
			server.off('error', reject);
			resolve();
		});
	});

	const close = async () => {
		for (const socket of sockets) {
			socket.destroy();
		}

		if (server.listening) {
			await new Promise((resolve) => {
				server.close(resolve);
			});
		}
	};

	t.teardown(close);
	return {server, port: (server.address() as net.AddressInfo).port, close};
}

/** An HTTP server on 127.0.0.1, closed at teardown, that notes each request line and answers with `Server: serverHeader`. */
export async function httpServer(t: ExecutionContext, serverHeader?: string) {
	const requests: string[] = [];
	const server = http.createServer((request, response) => {
		requests.push(
			`${request.method!} ${request.url!} HTTP/${request.httpVersion}`,
		);
		if (serverHeader) {
			response.setHeader('Server', serverHeader);
		}

		response.end('hello');
	});
	await new Promise<void>((resolve) => {
		server.listen(0, '127.0.0.1', resolve);
	});
	t.teardown(() => {
		server.closeAllConnections();
		server.close();
	});
	return {port: (server.address() as net.AddressInfo).port, requests};
}

/** A port nothing listens on: bound, then released. */
export async function closedPort(
	t: ExecutionContext,
	host = '127.0.0.1',
): Promise<number> {
	const listener = await listenTcp(t, {host});
	await listener.close();
	return listener.port;
}

export type CountingListener = Listener & {
	/** Resolves once the listener has accepted `count` connections in all. */
	connections(count: number): Promise<void>;
};

/**
 * A listener that counts what connects to it: a probe loop that also probes this port shows,
 * by connecting, that it is running, so a test can wait for that instead of sleeping.
 */
export async function countingListener(
	t: ExecutionContext,
	host = '127.0.0.1',
): Promise<CountingListener> {
	let accepted = 0;
	const waiters = new Set<() => void>();
	const listener = await listenTcp(t, {
		host,
		onConnection(socket) {
			accepted++;
			socket.destroy();
			for (const check of waiters) {
				check();
			}
		},
	});
	return {
		...listener,
		async connections(count) {
			return new Promise((resolve) => {
				const check = () => {
					if (accepted >= count) {
						waiters.delete(check);
						resolve();
					}
				};

				waiters.add(check);
				check();
			});
		},
	};
}

/** Whether ::1 is up here (a kernel or container without IPv6 has no such address). */
export const hasLoopbackIpv6 = () =>
	Object.values(networkInterfaces()).some((addresses) =>
		addresses?.some(({address}) => address === '::1'),
	);

export const openFdCount = () => readdirSync('/proc/self/fd').length;

/** Poll `condition` on a short timer until it holds; throw after `timeoutMs`. No fixed sleeps. */
export async function waitFor(
	condition: () => boolean,
	timeoutMs = 5000,
	what = 'condition',
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) {
			throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
		}

		// eslint-disable-next-line no-await-in-loop -- polling is the point
		await new Promise((resolve) => {
			setTimeout(resolve, 10);
		});
	}
}

/**
 * A listening socket whose accept queue is full, so Linux drops further SYNs: the honest
 * "filtered" on loopback without root. A child node listens with backlog 1 and blocks its
 * event loop so it never accepts; `fillers` complete handshakes until one no longer does.
 */
export async function fullAcceptQueue(t: ExecutionContext): Promise<number> {
	const script = String.raw`
const net = require('node:net');
const server = net.createServer();
server.listen({port: 0, host: '127.0.0.1', backlog: 1}, () => {
	process.stdout.write(server.address().port + '\n');
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
});`;
	const child: ChildProcess = spawn(process.execPath, ['-e', script], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const fillers: net.Socket[] = [];
	t.teardown(() => {
		for (const filler of fillers) {
			filler.destroy();
		}

		child.kill('SIGKILL');
	});
	const port = await new Promise<number>((resolve, reject) => {
		child.once('error', reject);
		child.stdout!.once('data', (data: Uint8Array) => {
			resolve(Number(String(data).trim()));
		});
	});

	for (let count = 0; count < 16; count++) {
		const filler = net.connect(port, '127.0.0.1');
		filler.on('error', () => undefined);
		fillers.push(filler);
		// eslint-disable-next-line no-await-in-loop -- one filler at a time until the queue is full
		const isConnected = await new Promise<boolean>((resolve) => {
			const timer = setTimeout(() => {
				resolve(false);
			}, 500);
			filler.once('connect', () => {
				clearTimeout(timer);
				resolve(true);
			});
		});
		if (!isConnected) {
			return port;
		}
	}

	throw new Error('The accept queue never filled: SYNs were not dropped');
}

/** Whether this process may make network namespaces (root, with unshare and ip). */
export function canUseNetworkNamespaces(): boolean {
	if (process.platform !== 'linux' || process.getuid?.() !== 0) {
		return false;
	}

	const check = spawnSync(
		'unshare',
		['-n', 'ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'],
		{
			stdio: 'ignore',
			timeout: 5000,
		},
	);
	return check.status === 0;
}

/** Whether `text` holds anything a terminal could act on: C0, DEL, C1, or a bidi, zero-width or tag character. */
export function hasUnsafeCharacter(text: string): boolean {
	return [...text].some((character) => {
		const code = character.codePointAt(0)!;
		return (
			code < 0x20 ||
			(code >= 0x7f && code <= 0x9f) ||
			(code >= 0x20_0b && code <= 0x20_0f) ||
			(code >= 0x20_2a && code <= 0x20_2e) ||
			(code >= 0x20_60 && code <= 0x20_64) ||
			(code >= 0x20_66 && code <= 0x20_69) ||
			(code >= 0xe_00_00 && code <= 0xe_00_7f) ||
			code === 0xfe_ff
		);
	});
}

/** A minimal catalogue entry: what identification needs to know what to expect. */
export function catalogueEntry(
	service: string,
	port: number,
	isTls = false,
): CatalogueEntry {
	return {
		id: `${port}/tcp`,
		port,
		endPort: port,
		protocol: 'tcp',
		service,
		longName: service,
		aliases: [],
		daemons: [],
		launch: [],
		source: 'curated',
		isPrivileged: port < 1024,
		isTls,
	};
}
