import net from 'node:net';

/** A TCP listener on loopback that closes every connection at once (or hands it to `onConnection`). */
export async function listen(
	host = '127.0.0.1',
	port = 0,
	onConnection?: (socket: net.Socket) => void,
): Promise<net.Server> {
	const server = net.createServer((socket) => {
		socket.on('error', () => undefined);
		if (onConnection) {
			onConnection(socket);
		} else {
			socket.destroy();
		}
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	return server;
}

export const portOf = (server: net.Server) =>
	(server.address() as net.AddressInfo).port;

export async function close(server: net.Server): Promise<void> {
	if (!server.listening) {
		return;
	}

	await new Promise((resolve) => {
		server.close(resolve);
	});
}

/** A TCP port nothing listens on right now: bound by us, then released. */
export async function closedTcpPort(host = '127.0.0.1'): Promise<number> {
	const server = await listen(host);
	const port = portOf(server);
	await close(server);
	return port;
}

export type CountingServer = {
	readonly server: net.Server;
	readonly port: number;
	/** Resolves once the listener has accepted `count` connections in all. */
	connections(count: number): Promise<void>;
};

/**
 * A listener that counts what connects to it: a probe loop that also probes this port shows,
 * by connecting, that it is running, so a test can wait for that instead of sleeping.
 */
export async function countingListener(
	host = '127.0.0.1',
): Promise<CountingServer> {
	let accepted = 0;
	const waiters = new Set<() => void>();
	const server = await listen(host, 0, (socket) => {
		accepted++;
		socket.destroy();
		for (const check of waiters) {
			check();
		}
	});
	return {
		server,
		port: portOf(server),
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
