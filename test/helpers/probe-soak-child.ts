/*
 * 10,000 probes, then the process's open file descriptors and heap against where they
 * started. Run by test/probe-soak.test.ts as `node --expose-gc --import=tsx` so that the
 * heap is measured after a real collection; prints one JSON object.
 */
import {readdirSync} from 'node:fs';
import net from 'node:net';
import process from 'node:process';
import {sweep} from '../../source/probe/sweep.js';
import type {PortPair} from '../../source/probe/types.js';

const gc = (globalThis as {gc?: () => void}).gc!;
const fds = () => readdirSync('/proc/self/fd').length;

const server = net.createServer((socket) => {
	socket.on('error', () => undefined);
	socket.end('SSH-2.0-soak\r\n');
});
await new Promise<void>((resolve) => {
	server.listen(0, '127.0.0.1', resolve);
});
const openPort = (server.address() as net.AddressInfo).port;

// Per sweep: TCP 1-1000, the open port (identified), and UDP 1-10, all on loopback.
const pairs: PortPair[] = [
	...Array.from({length: 1000}, (_, index) => ({
		port: index + 1,
		protocol: 'tcp' as const,
	})),
	{port: openPort, protocol: 'tcp'},
	...Array.from({length: 10}, (_, index) => ({
		port: index + 1,
		protocol: 'udp' as const,
	})),
];
const run = async () =>
	sweep({
		host: '127.0.0.1',
		pairs,
		identify: (pair) => pair.port === openPort,
		timeoutMs: 1000,
	});

// Warm up: modules loaded, code compiled, pools sized.
await run();
gc();
const fdBefore = fds();
const heapBefore = process.memoryUsage().heapUsed;
const started = performance.now();
let probes = 0;
let open = 0;
let heapMiddle = 0;
for (let round = 1; round <= 10; round++) {
	// eslint-disable-next-line no-await-in-loop -- one sweep after the other, like the watch loop
	const snapshot = await run();
	probes += snapshot.results.length;
	open += snapshot.results.filter(
		(result) => result.answered === 'SSH-2.0-soak',
	).length;
	if (round === 5) {
		gc();
		heapMiddle = process.memoryUsage().heapUsed;
	}
}

const elapsedMs = performance.now() - started;
// Closed handles are freed on the next turns of the loop (later on a loaded machine): let them
// go before counting, for at most 2 s; a descriptor really left open stays counted.
for (let wait = 0; wait < 40 && fds() > fdBefore; wait++) {
	// eslint-disable-next-line no-await-in-loop -- polling, bounded
	await new Promise((resolve) => {
		setTimeout(resolve, 50);
	});
}

gc();
gc();
const fdAfter = fds();
const heapAfter = process.memoryUsage().heapUsed;
server.close();
process.stdout.write(
	JSON.stringify({
		probes,
		open,
		fdBefore,
		fdAfter,
		heapBefore,
		heapMiddle,
		heapAfter,
		elapsedMs,
	}),
);
