import {createSocket} from 'node:dgram';
import test, {type ExecutionContext} from 'ava';
import {
	createTransitionTracker,
	diffResults,
} from '../source/probe/transitions.js';
import type {
	PortState,
	ProbeResult,
	Snapshot,
	Transition,
} from '../source/probe/types.js';
import {watch, type WatchOptions} from '../source/probe/watch.js';
import {
	catalogueEntry,
	closedPort,
	fullAcceptQueue,
	hasLoopbackIpv6,
	httpServer,
	listenTcp,
	openFdCount,
	waitFor,
} from './helpers/probe-servers.js';

function result(
	port: number,
	state: PortState,
	at: number,
	answered?: string,
): ProbeResult {
	return {
		host: 'h',
		port,
		protocol: 'tcp',
		address: '127.0.0.1',
		family: 4,
		state,
		reason: state,
		addresses: [],
		at,
		...(answered && {answered}),
	};
}

function snapshot(at: number, ...results: ProbeResult[]): Snapshot {
	return {
		host: 'h',
		target: {
			host: 'h',
			isResolved: true,
			addresses: [{address: '127.0.0.1', family: 4}],
		},
		startedAt: at,
		finishedAt: at,
		results,
	};
}

const brief = (transition: Transition) => [
	transition.port,
	transition.from,
	transition.to,
	transition.at,
	transition.downMs,
];

/** A watch of one TCP port every 20 ms, without identification, recording what it reports. */
function recordWatch(
	t: ExecutionContext,
	host: string,
	port: number,
	options: Partial<WatchOptions> = {},
) {
	const transitions: Transition[] = [];
	const snapshots: Snapshot[] = [];
	const watcher = watch({
		host,
		pairs: [{port, protocol: 'tcp'}],
		intervalMs: 20,
		identify: () => false,
		...options,
		onSnapshot(next) {
			snapshots.push(next);
		},
		onTransition(transition) {
			transitions.push(transition);
		},
	});
	t.teardown(watcher.stop);
	return {watcher, transitions, snapshots};
}

test('diffResults: first sight, changes only, and the downtime of a return to open', (t) => {
	let state: ReturnType<typeof diffResults>['state'] = new Map();
	const transitions: Transition[] = [];
	const feed = (next: Snapshot) => {
		const diff = diffResults(state, next);
		state = diff.state;
		transitions.push(...diff.transitions);
		return diff.snapshot;
	};

	feed(
		snapshot(
			1000,
			result(22, 'open', 1000, 'SSH-2.0-x'),
			result(80, 'closed', 1000),
		),
	);
	const carried = feed(
		snapshot(2000, result(22, 'open', 2000), result(80, 'closed', 2000)),
	);
	feed(snapshot(3000, result(22, 'closed', 3000), result(80, 'closed', 3000)));
	feed(snapshot(4000, result(22, 'filtered', 4000), result(80, 'open', 4000)));
	feed(snapshot(5000, result(22, 'closed', 5000), result(80, 'open', 5000)));
	const back = feed(
		snapshot(6500, result(22, 'open', 6500), result(80, 'closed', 6500)),
	);
	feed(snapshot(7000, result(22, 'open', 7000), result(80, 'open', 7000)));

	t.deepEqual(
		transitions.map((transition) => brief(transition)),
		[
			[22, undefined, 'open', 1000, undefined],
			[80, undefined, 'closed', 1000, undefined],
			[22, 'open', 'closed', 3000, undefined],
			[22, 'closed', 'filtered', 4000, undefined],
			[80, 'closed', 'open', 4000, undefined],
			[22, 'filtered', 'closed', 5000, undefined],
			[22, 'closed', 'open', 6500, 3500],
			[80, 'open', 'closed', 6500, undefined],
			[80, 'closed', 'open', 7000, 500],
		],
	);
	t.is(carried.results[0]!.answered, 'SSH-2.0-x');
	t.is(back.results[0]!.answered, undefined);
});

test('the tracker asks to identify a port once per open period', (t) => {
	const tracker = createTransitionTracker();
	const pair = {port: 22, protocol: 'tcp' as const};
	t.true(tracker.shouldIdentify(pair));
	const first = tracker.update(snapshot(1, result(22, 'open', 1)));
	t.true(tracker.shouldIdentify(pair), 'open, not yet identified');
	tracker.identified(first.snapshot, [result(22, 'open', 1)]);
	t.false(tracker.shouldIdentify(pair), 'tried once, even if nothing answered');
	tracker.update(snapshot(2, result(22, 'open', 2)));
	t.false(tracker.shouldIdentify(pair));
	t.is(tracker.history(pair)?.state, 'open');
	tracker.update(snapshot(3, result(22, 'closed', 3)));
	t.true(tracker.shouldIdentify(pair));
	tracker.update(snapshot(4, result(22, 'open', 4)));
	t.true(tracker.shouldIdentify(pair), 'a new open period');
});

test('watch: open, closed after close(), open again on the same port, with the downtime', async (t) => {
	const listener = await listenTcp(t);
	const {watcher, transitions, snapshots} = recordWatch(
		t,
		'127.0.0.1',
		listener.port,
	);

	await waitFor(() => transitions.length === 1, 5000, 'open');
	await listener.close();
	await waitFor(() => transitions.length === 2, 5000, 'closed');
	const closedAt = Date.now();
	await waitFor(() => Date.now() - closedAt >= 200, 5000, '200 ms of downtime');
	await listenTcp(t, {port: listener.port});
	await waitFor(() => transitions.length === 3, 5000, 'open again');
	watcher.stop();
	await watcher.done;

	t.deepEqual(
		transitions.map((transition) => [transition.from, transition.to]),
		[
			[undefined, 'open'],
			['open', 'closed'],
			['closed', 'open'],
		],
	);
	const [, down, up] = transitions;
	t.is(up!.downMs, up!.at - down!.at);
	t.true(up!.downMs! >= 200);
	t.is(up!.result.state, 'open');
	for (const [index, next] of snapshots.entries()) {
		// A setTimeout chain: each sweep starts after the one before it finished.
		t.true(index === 0 || next.startedAt >= snapshots[index - 1]!.finishedAt);
	}
});

test('watch identifies a port once when it turns open, and carries the answer on', async (t) => {
	const {port, requests} = await httpServer(t, 'test-server');
	const answered: Array<string | undefined> = [];
	const watcher = watch({
		host: '127.0.0.1',
		pairs: [{port, protocol: 'tcp'}],
		intervalMs: 10,
		expect: () => catalogueEntry('http', port),
		onSnapshot(next) {
			answered.push(next.results[0]?.answered);
		},
	});
	t.teardown(watcher.stop);
	await waitFor(() => answered.length >= 5, 10_000, 'five snapshots');
	watcher.stop();
	await watcher.done;
	t.deepEqual(requests, ['HEAD / HTTP/1.0']);
	t.true(answered.every((value) => value === 'HTTP test-server'));
});

test.serial(
	'stop aborts the sweep in flight: done settles, no snapshot, no socket left',
	async (t) => {
		const port = await fullAcceptQueue(t);
		const before = openFdCount();
		let snapshots = 0;
		const watcher = watch({
			host: '127.0.0.1',
			pairs: Array.from({length: 5}, () => ({port, protocol: 'tcp' as const})),
			timeoutMs: 30_000,
			intervalMs: 10,
			onSnapshot() {
				snapshots++;
			},
		});
		await waitFor(() => openFdCount() >= before + 5, 5000, 'probes in flight');
		watcher.stop();
		await watcher.done;
		t.true(openFdCount() <= before, `fds ${before} -> ${openFdCount()}`);
		t.is(snapshots, 0);
	},
);

test.serial(
	'the chain runs on the global setTimeout (fake timers can drive it)',
	async (t) => {
		const original = globalThis.setTimeout;
		const delays: number[] = [];
		globalThis.setTimeout = ((callback: () => void, ms?: number) => {
			delays.push(ms ?? 0);
			return original(callback, ms);
		}) as typeof setTimeout;
		try {
			let snapshots = 0;
			// An unresolvable host: each sweep ends at once without a socket.
			const watcher = watch({
				host: '',
				pairs: [{port: 1, protocol: 'tcp'}],
				intervalMs: 12_345,
				onSnapshot() {
					snapshots++;
				},
			});
			await waitFor(
				() => delays.includes(12_345),
				2000,
				'the next sweep to be scheduled',
			);
			watcher.stop();
			await watcher.done;
			t.is(snapshots, 1);
		} finally {
			globalThis.setTimeout = original;
		}
	},
);

/** A watch of port 1 every 10 ms whose consumer throws at every snapshot. */
const watchFailing = (onError?: (error: Error) => void) =>
	watch({
		host: '127.0.0.1',
		pairs: [{port: 1, protocol: 'tcp'}],
		intervalMs: 10,
		onSnapshot() {
			throw new Error('consumer failed');
		},
		onError,
	});

test('without onError, a failing sweep ends the loop and rejects done', async (t) => {
	const watcher = watchFailing();
	await t.throwsAsync(watcher.done, {message: 'consumer failed'});
});

test('with onError, the loop goes on after a failure', async (t) => {
	const errors: Error[] = [];
	const watcher = watchFailing((error) => {
		errors.push(error);
	});
	await waitFor(() => errors.length >= 2, 5000, 'two failures');
	watcher.stop();
	await watcher.done;
	t.true(errors.every((error) => error.message === 'consumer failed'));
});

test('a port that turns open is reported before a silent service has been identified', async (t) => {
	const port = await closedPort(t);
	const transitions: Transition[] = [];
	const snapshots: Snapshot[] = [];
	const watcher = watch({
		host: '127.0.0.1',
		pairs: [{port, protocol: 'tcp'}],
		intervalMs: 10,
		// Identification would wait a minute for a greeting that never comes.
		identifyBudgetMs: 60_000,
		expect: () => catalogueEntry('ssh', port),
		onSnapshot(next) {
			snapshots.push(next);
		},
		onTransition(transition) {
			transitions.push(transition);
		},
	});
	t.teardown(watcher.stop);
	await waitFor(() => snapshots.length > 0, 5000, 'the first snapshot');
	// Accepts and says nothing, and keeps the connection open.
	await listenTcp(t, {port, onConnection: () => undefined});
	await waitFor(
		() => transitions.some((transition) => transition.to === 'open'),
		10_000,
		'the transition to open',
	);
	const opened = transitions.find((transition) => transition.to === 'open')!;
	t.is(opened.from, 'closed');
	t.is(opened.result.answered, undefined);
	watcher.stop();
	await watcher.done;
});

/** Waits for `count` more snapshots than `snapshots` has now. */
const sweepsLater = async (snapshots: readonly Snapshot[], count: number) => {
	const target = snapshots.length + count;
	await waitFor(() => snapshots.length >= target, 10_000, `${count} sweeps`);
};

test.serial(
	'a watch of this machine connects to identify once per open period, not every sweep',
	async (t) => {
		const count = async (readSocketTables?: false) => {
			let accepted = 0;
			const listener = await listenTcp(t, {
				onConnection(socket) {
					accepted++;
					socket.end('SSH-2.0-counting\r\n');
				},
			});
			const snapshots: Snapshot[] = [];
			const transitions: Transition[] = [];
			const watcher = watch({
				host: '127.0.0.1',
				pairs: [{port: listener.port, protocol: 'tcp'}],
				intervalMs: 10,
				...(readSocketTables === false && {readSocketTables}),
				onSnapshot(next) {
					snapshots.push(next);
				},
				onTransition(transition) {
					transitions.push(transition);
				},
			});
			t.teardown(watcher.stop);
			await sweepsLater(snapshots, 20);
			const steady = accepted;
			const last = snapshots.at(-1)!.results[0]!;
			// A restart between sweeps: a new listening socket on the same port is a change to confirm.
			await listener.close();
			await waitFor(
				() => transitions.some((change) => change.to === 'closed'),
				5000,
				'closed',
			);
			const reopened = await listenTcp(t, {
				port: listener.port,
				onConnection(socket) {
					accepted++;
					socket.end('SSH-2.0-counting\r\n');
				},
			});
			await waitFor(
				() => transitions.filter((change) => change.to === 'open').length === 2,
				5000,
				'open again',
			);
			await sweepsLater(snapshots, 20);
			watcher.stop();
			await watcher.done;
			await reopened.close();
			return {steady, total: accepted, last, transitions};
		};

		const local = await count();
		// One connection identifies; on a loaded machine an open port whose RTT sample a stall of the
		// event loop polluted is measured again on up to two connections of its own (tcp.ts), once
		// (seen at load 13: 2). What must not happen is a connection per sweep (the case below).
		t.true(
			local.steady >= 1 && local.steady <= 3,
			`${local.steady} connections over 20 sweeps: one to identify (and at most two RTT samples)`,
		);
		const nextPeriod = local.total - local.steady;
		t.true(
			nextPeriod >= 2 && nextPeriod <= 4,
			`${nextPeriod} connections for the next open period: one to confirm the change, one to identify (and at most two RTT samples)`,
		);
		t.like(local.last, {state: 'open', answered: 'SSH-2.0-counting'});
		t.deepEqual(
			local.transitions.map((change) => [change.from, change.to]),
			[
				[undefined, 'open'],
				['open', 'closed'],
				['closed', 'open'],
			],
		);
		// Without the socket tables every sweep connects: the count above is not a given.
		const connecting = await count(false);
		t.true(connecting.steady >= 20, `${connecting.steady} connections`);
	},
);

(hasLoopbackIpv6() ? test.serial : test.skip)(
	'one family of localhost going down is a transition naming it; the port stays open',
	async (t) => {
		const v4 = await listenTcp(t, {host: '127.0.0.1'});
		const v6 = await listenTcp(t, {host: '::1', port: v4.port});

		const {watcher, transitions, snapshots} = recordWatch(
			t,
			'localhost',
			v4.port,
		);
		await sweepsLater(snapshots, 2);
		await v6.close();
		await waitFor(() => transitions.length === 2, 5000, '::1 closed');
		const restored = await listenTcp(t, {host: '::1', port: v4.port});
		await waitFor(() => transitions.length === 3, 5000, '::1 open again');
		watcher.stop();
		await watcher.done;
		await restored.close();
		t.like(transitions[1], {
			from: 'open',
			to: 'closed',
			address: '::1',
			family: 6,
			result: {state: 'open', address: '127.0.0.1'},
		});
		t.like(transitions[2], {from: 'closed', to: 'open', address: '::1'});
		t.true(transitions[1]!.previousAt! < transitions[1]!.at);
	},
);

test.serial(
	'streaming: each pair goes out as it is answered, and TCP does not wait for a slow UDP sweep',
	async (t) => {
		const tcp = await listenTcp(t);
		// A bound UDP socket that never answers: each probe waits for its whole timeout.
		const silent = createSocket('udp4');
		await new Promise<void>((resolve) => {
			silent.bind(0, '127.0.0.1', resolve);
		});
		t.teardown(() => {
			silent.close();
		});
		const udpPort = silent.address().port;
		const firstSeen = new Map<string, number>();
		const cadences: Array<[string, number]> = [];
		const startedAt = Date.now();
		const watcher = watch({
			host: '127.0.0.1',
			pairs: [
				{port: udpPort, protocol: 'udp'},
				{port: tcp.port, protocol: 'tcp'},
			],
			intervalMs: 50,
			timeoutMs: 400,
			identify: () => false,
			isStreaming: true,
			onSnapshot(snapshot) {
				for (const result of snapshot.results) {
					const key = `${result.port}/${result.protocol}`;
					if (!firstSeen.has(key)) {
						firstSeen.set(key, Date.now() - startedAt);
					}
				}
			},
			onCadence(lane, ms) {
				cadences.push([lane, ms]);
			},
		});
		t.teardown(watcher.stop);
		await waitFor(
			() => cadences.some(([lane]) => lane === 'udp'),
			15_000,
			'two UDP sweeps',
		);
		watcher.stop();
		await watcher.done;
		const tcpAt = firstSeen.get(`${tcp.port}/tcp`)!;
		const udpAt = firstSeen.get(`${udpPort}/udp`)!;
		t.true(tcpAt < udpAt, `TCP at ${tcpAt} ms, UDP at ${udpAt} ms`);
		const tcpSweeps = cadences.filter(([lane]) => lane === 'tcp');
		const udpSweeps = cadences.filter(([lane]) => lane === 'udp');
		t.true(
			tcpSweeps.length > udpSweeps.length * 2,
			`tcp ${tcpSweeps.length} sweeps, udp ${udpSweeps.length}`,
		);
		t.true(
			udpSweeps[0]![1] >= 400,
			'the UDP lane goes at the pace of its silence',
		);
	},
);
