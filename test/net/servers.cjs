/*
 * Listeners for the server namespace of test/net/: `node servers.cjs SPEC...` where SPEC is
 * tcp:ADDRESS:PORT (accepts and keeps the connection), udp:ADDRESS:PORT (echoes each datagram)
 * or udp-silent:ADDRESS:PORT (reads and never answers). Prints `ready` once all listen, and
 * closes them when its stdin closes (the test went away) or after ten minutes, so nothing
 * outlives a run.
 */
const {Buffer} = require('node:buffer');
const dgram = require('node:dgram');
const net = require('node:net');
const process = require('node:process');

const servers = [];
let pending = 0;
const listening = () => {
	pending--;
	if (pending === 0) {
		process.stdout.write('ready\n');
	}
};

for (const spec of process.argv.slice(2)) {
	const [kind, ...rest] = spec.split(':');
	const port = Number(rest.pop());
	const address = rest.join(':');
	pending++;
	if (kind === 'tcp') {
		const server = net.createServer((socket) => {
			socket.on('error', () => undefined);
			socket.setTimeout(5000, () => socket.destroy());
		});
		server.listen(port, address, listening);
		servers.push(server);
	} else {
		const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
		if (kind === 'udp') {
			socket.on('message', (message, from) => {
				const answer = message.length > 0 ? message : Buffer.from('pong');
				socket.send(answer, from.port, from.address);
			});
		}

		socket.bind(port, address, listening);
		servers.push(socket);
	}
}

const closeAll = () => {
	for (const server of servers) {
		server.close();
	}

	process.stdin.destroy();
};

process.stdin.resume();
process.stdin.on('end', closeAll);
setTimeout(closeAll, 600_000).unref();
