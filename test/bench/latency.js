/*
Detection latency of the watch loop: a TCP listener opened at a random moment on 127.0.0.1, on a
port this script picked (bound to port 0, then released), and the time until `watch()` of
source/probe/index.ts reports the transition to open.

Run from the repository root (the TypeScript source is loaded through tsx):

	node --import tsx test/bench/latency.js [--samples 20] [--quick]

One watch loop per scene, over that one port, with the defaults of the dashboard and `portui
watch` (timeout, identification of a port that turns open). Per sample: once the loop has reported
the port closed, wait a random time, uniform over one cycle of the loop (the interval plus the
last sweep's duration, so the listener opens at a random phase of the loop), then listen; the
latency is from just before `listen()` to the `onTransition` callback with `to: 'open'`. The
listener is closed again and the loop reports it closed before the next sample. Every wait is
bounded. Scenes: the default interval (2 s, source/commands/dashboard.tsx and watch.ts) and 250 ms;
a listener that greets at once (as sshd, smtpd, ftpd do) and one that stays silent (as an HTTP or
database server does until spoken to): the loop identifies a port that turns open before it
reports the snapshot, and on a silent port that takes the identification budget.

Goal (issue 6): p95 at most the interval plus 50 ms. p50 rows are for reference. Nearest-rank
percentiles of --samples (default 20, 8 with --quick).
*/
import net from 'node:net';
import process from 'node:process';
import {isQuick, option, percentile, report, sleep} from './lib/common.js';

/* eslint-disable n/file-extension-in-import -- tsx loads the TypeScript source */
const {watch} = await import('../../source/probe/index.ts');
/* eslint-enable n/file-extension-in-import */

// As in sweep.js: tsx turns source maps on, the shipped bundle runs without them.
process.setSourceMapsEnabled(false);

const host = '127.0.0.1';
const samples = Math.max(3, option('samples', isQuick ? 8 : 20));
const defaultIntervalMs = 2000;
/** A wait for the loop longer than this is a failure of the loop, not a slow sample. */
const slackMs = 10_000;

async function listen(server, port) {
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen({port, host, exclusive: true}, () => {
			server.off('error', reject);
			resolve();
		});
	});
}

/** Stops listening and drops the connections still held (a silent listener keeps them). */
async function close(server) {
	await new Promise((resolve) => {
		server.close(resolve);
		for (const socket of server.held ?? []) {
			socket.destroy();
		}
	});
}

/** A server that remembers its connections, so `close` can end them. */
function holdingServer(onConnection) {
	const server = net.createServer((socket) => {
		server.held.add(socket);
		socket.on('close', () => server.held.delete(socket));
		socket.on('error', () => undefined);
		onConnection(socket);
	});
	server.held = new Set();
	return server;
}

async function freePort() {
	const server = net.createServer();
	await listen(server, 0);
	const {port} = server.address();
	await close(server);
	return port;
}

const listeners = {
	greets: () =>
		holdingServer((socket) => {
			socket.end('SSH-2.0-portui-bench\r\n');
		}),
	// Holds the connection and says nothing until the peer leaves.
	silent: () =>
		holdingServer((socket) => {
			socket.on('end', () => socket.end());
		}),
};

/** The watch loop's transitions for one port, awaited one state at a time. */
function transitionWaiter() {
	let waiting;
	const pending = [];
	return {
		onTransition(transition) {
			const event = {to: transition.to, at: performance.now()};
			if (waiting?.to === event.to) {
				clearTimeout(waiting.timer);
				waiting.resolve(event.at);
				waiting = undefined;
			} else {
				pending.push(event);
			}
		},
		async next(to, timeoutMs) {
			const index = pending.findIndex((event) => event.to === to);
			if (index !== -1) {
				const [event] = pending.splice(0, index + 1).slice(-1);
				return event.at;
			}

			pending.length = 0;
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => {
					waiting = undefined;
					reject(
						new Error(`the watch loop did not report ${to} in ${timeoutMs} ms`),
					);
				}, timeoutMs);
				waiting = {to, resolve, timer};
			});
		},
	};
}

async function scene({intervalMs, kind}) {
	const port = await freePort();
	const waiter = transitionWaiter();
	let lastSweepMs = 0;
	let loopError;
	const watcher = watch({
		host,
		pairs: [{port, protocol: 'tcp'}],
		intervalMs,
		onSnapshot(snapshot) {
			lastSweepMs = snapshot.finishedAt - snapshot.startedAt;
		},
		onTransition: waiter.onTransition,
		onError(error) {
			loopError = error;
		},
	});
	const latencies = [];
	let server;
	try {
		await waiter.next('closed', intervalMs + slackMs);
		for (let sample = 0; sample < samples; sample++) {
			/* eslint-disable no-await-in-loop -- each sample waits for the loop: sequential by nature */
			await sleep(Math.random() * (intervalMs + lastSweepMs));
			server = listeners[kind]();
			const start = performance.now();
			await listen(server, port);
			const reported = await waiter.next('open', intervalMs + slackMs);
			latencies.push(reported - start);
			await close(server);
			server = undefined;
			await waiter.next('closed', intervalMs + slackMs);
			/* eslint-enable no-await-in-loop */
		}
	} finally {
		watcher.stop();
		await watcher.done.catch(() => undefined);
		if (server) {
			await close(server);
		}
	}

	if (loopError) {
		throw loopError;
	}

	return latencies;
}

const describe = (intervalMs) =>
	intervalMs >= 1000 ? `${intervalMs / 1000} s` : `${intervalMs} ms`;

const scenes = [
	{intervalMs: defaultIntervalMs, kind: 'greets'},
	{intervalMs: 250, kind: 'greets'},
	{intervalMs: defaultIntervalMs, kind: 'silent'},
	{intervalMs: 250, kind: 'silent'},
];
const kindLabel = {
	greets: 'listener that greets',
	silent: 'silent listener',
};
const rows = [];
for (const {intervalMs, kind} of scenes) {
	const label = `interval ${describe(intervalMs)}${intervalMs === defaultIntervalMs ? ' (default)' : ''}, ${kindLabel[kind]}`;
	const bound = intervalMs + 50;
	const anchorName = `interval + 50 ms`;
	try {
		// eslint-disable-next-line no-await-in-loop -- one loop at a time, or they share the CPU
		const latencies = await scene({intervalMs, kind});
		const p95 = percentile(latencies, 95);
		rows.push(
			{
				name: `detection p50, ${label}`,
				portui: percentile(latencies, 50),
				anchor: bound,
				anchorName,
				goal: 'reference',
				samples: latencies.length,
			},
			{
				name: `detection p95, ${label}`,
				portui: p95,
				anchor: bound,
				anchorName,
				goal: '<= interval + 50 ms',
				ok: p95 <= bound,
				samples: latencies.length,
				maxMs: Number(Math.max(...latencies).toFixed(1)),
			},
		);
	} catch (error) {
		rows.push({name: `detection, ${label}`, skipped: error.message});
	}
}

report(
	'latency',
	`detection latency of watch() on ${host}: ${samples} samples per scene, listener opened at a random phase of the loop${isQuick ? ' (quick)' : ''}`,
	rows,
);
