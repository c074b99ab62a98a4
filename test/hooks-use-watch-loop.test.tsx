/* @jsxRuntime automatic */
import net from 'node:net';
import {mock} from 'node:test';
import test from 'ava';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {useWatch} from '../source/hooks/use-watch.js';
import {watch} from '../source/probe/index.js';
import type {PortPair, Snapshot, Transition} from '../source/probe/types.js';

// The real watch loop of the probe service under fake timers: only the interval between sweeps
// is simulated; every probe is a real connection to a loopback listener this test opened.

type Seen = {snapshots: Snapshot[]; transitions: Transition[]};

function Watcher({
	host,
	pairs,
	seen,
}: {
	readonly host: string;
	readonly pairs: readonly PortPair[];
	readonly seen: Seen;
}) {
	useWatch({
		watch,
		host,
		pairs,
		intervalMs: 1000,
		timeoutMs: 500,
		onSnapshot(snapshot) {
			seen.snapshots.push(snapshot);
		},
		onTransition(transition) {
			seen.transitions.push(transition);
		},
	});
	return <Text>watching</Text>;
}

/** Lets real I/O and promises run (setImmediate is not faked) until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
	for (let turn = 0; turn < 20_000; turn++) {
		if (condition()) {
			return;
		}

		// eslint-disable-next-line no-await-in-loop
		await new Promise((resolve) => {
			setImmediate(resolve);
		});
	}

	throw new Error(`gave up waiting for ${what}`);
}

async function turns(count: number): Promise<void> {
	let left = count;
	await until(() => left-- <= 0, `${count} turns of the event loop`);
}

/** Loopback listener that says hello and hangs up, so identifying it needs no timer. */
async function greeter(host: string): Promise<net.Server> {
	const server = net.createServer((socket) => {
		socket.on('error', () => undefined);
		socket.end('SSH-2.0-portui-test\r\n');
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, host, resolve);
	});
	return server;
}

const portOf = (server: net.Server) =>
	(server.address() as net.AddressInfo).port;

async function close(server: net.Server) {
	if (server.listening) {
		await new Promise((resolve) => {
			server.close(resolve);
		});
	}
}

test.serial(
	'one sweep at a time on the interval; a closed port is a transition; unmount stops the loop',
	async (t) => {
		const server = await greeter('127.0.0.1');
		t.teardown(async () => close(server));
		const pair: PortPair = {port: portOf(server), protocol: 'tcp'};
		const seen: Seen = {snapshots: [], transitions: []};
		mock.timers.enable({apis: ['setTimeout']});
		const instance = render(
			<Watcher host="127.0.0.1" pairs={[pair]} seen={seen} />,
		);
		try {
			await until(() => seen.snapshots.length === 1, 'the first sweep');
			t.is(seen.snapshots[0]!.results[0]!.state, 'open');
			t.like(seen.transitions[0], {from: undefined, to: 'open'});

			// No second sweep before the interval has passed since the first one settled.
			mock.timers.tick(999);
			await turns(50);

			t.is(seen.snapshots.length, 1);
			mock.timers.tick(1);
			await until(() => seen.snapshots.length === 2, 'the second sweep');

			await close(server);
			mock.timers.tick(1000);
			await until(
				() => seen.snapshots.length === 3,
				'the sweep after the close',
			);
			t.is(seen.snapshots[2]!.results[0]!.state, 'closed');
			t.like(seen.transitions.at(-1), {from: 'open', to: 'closed'});

			instance.unmount();
			const settled = seen.snapshots.length;
			mock.timers.tick(10_000);
			await turns(200);

			t.is(seen.snapshots.length, settled, 'no sweep after unmount');
		} finally {
			instance.unmount();
			mock.timers.reset();
		}
	},
);

test.serial(
	'a new target restarts the loop on it; the old one reports nothing more',
	async (t) => {
		const first = await greeter('127.0.0.1');
		const second = await greeter('127.0.0.2');
		t.teardown(async () => {
			await close(first);
			await close(second);
		});
		const seen: Seen = {snapshots: [], transitions: []};
		mock.timers.enable({apis: ['setTimeout']});
		const instance = render(
			<Watcher
				host="127.0.0.1"
				pairs={[{port: portOf(first), protocol: 'tcp'}]}
				seen={seen}
			/>,
		);
		try {
			await until(() => seen.snapshots.length === 1, 'the first sweep');
			instance.rerender(
				<Watcher
					host="127.0.0.2"
					pairs={[{port: portOf(second), protocol: 'tcp'}]}
					seen={seen}
				/>,
			);
			await until(
				() => seen.snapshots.length === 2,
				'the sweep of the new target',
			);
			t.is(seen.snapshots[1]!.host, '127.0.0.2');
			t.is(seen.snapshots[1]!.results[0]!.state, 'open');
			mock.timers.tick(1000);
			await until(() => seen.snapshots.length === 3, 'the next sweep');
			t.deepEqual(
				seen.snapshots.slice(1).map((snapshot) => snapshot.host),
				['127.0.0.2', '127.0.0.2'],
				'the old target is not swept again',
			);
		} finally {
			instance.unmount();
			mock.timers.reset();
		}
	},
);
