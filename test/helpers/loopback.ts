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
