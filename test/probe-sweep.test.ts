import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import test from 'ava';
import {bookUdpStart, isLimited, markLimited} from '../source/probe/budget.js';
import {sweepResults} from '../source/probe/stream.js';
import {mergeProbes, sweep} from '../source/probe/sweep.js';
import type {PortPair, ProbeResult} from '../source/probe/types.js';
import {
	catalogueEntry,
	closedPort,
	fullAcceptQueue,
	listenTcp,
	openFdCount,
	waitFor,
} from './helpers/probe-servers.js';
import {runChild} from './helpers/child.js';
import {ensureBuilt} from './helpers/cli.js';

const tcp = (port: number): PortPair => ({port, protocol: 'tcp'});
const udp = (port: number): PortPair => ({port, protocol: 'udp'});

const states = new Set([
	'open',
	'closed',
	'filtered',
	'unreachable',
	'open|filtered',
]);

test('localhost probes both loopbacks and says which family answered', async (t) => {
	const v4 = await listenTcp(t, {host: '127.0.0.1'});
	const v6 = await listenTcp(t, {host: '::1'});
	const snapshot = await sweep({
		host: 'localhost',
		pairs: [tcp(v4.port), tcp(v6.port)],
	});
	t.true(snapshot.target.isResolved);
	const [first, second] = snapshot.results;
	t.like(first, {
		host: 'localhost',
		port: v4.port,
		state: 'open',
		address: '127.0.0.1',
		family: 4,
	});
	t.like(second, {
		host: 'localhost',
		port: v6.port,
		state: 'open',
		address: '::1',
		family: 6,
	});
	t.deepEqual(
		first!.addresses.map((probe) => [probe.address, probe.state]),
		[
			['127.0.0.1', 'open'],
			['::1', v4.port === v6.port ? 'open' : 'closed'],
		],
	);
});

test('ports 1-1000 and one the test opened: every pair answered, in order, the opened one open', async (t) => {
	const listener = await listenTcp(t);
	const pairs = [
		...Array.from({length: 1000}, (_, index) => tcp(index + 1)),
		tcp(listener.port),
	];
	const seen: ProbeResult[] = [];
	const snapshot = await sweep({
		host: '127.0.0.1',
		pairs,
		onResult(result) {
			seen.push(result);
		},
	});
	t.is(snapshot.results.length, 1001);
	t.is(seen.length, 1001);
	t.deepEqual(
		snapshot.results.map((result) => result.port),
		pairs.map((pair) => pair.port),
	);
	t.true(
		snapshot.results.every(
			(result) => states.has(result.state) && result.addresses.length === 1,
		),
	);
	t.like(snapshot.results.at(-1), {state: 'open', reason: 'connected'});
	t.true(snapshot.startedAt <= snapshot.finishedAt);
});

test('identification runs only where asked, and reports a mismatch against the expected entry', async (t) => {
	const ssh = await listenTcp(t, {
		onConnection(socket) {
			socket.write('SSH-2.0-OpenSSH_9.6\r\n');
		},
	});
	const other = await listenTcp(t, {
		onConnection(socket) {
			socket.write('SSH-2.0-OpenSSH_9.6\r\n');
		},
	});
	const expectHttp = catalogueEntry('http', 80);
	const snapshot = await sweep({
		host: 'localhost',
		pairs: [tcp(ssh.port), tcp(other.port)],
		identify: (pair) => pair.port === ssh.port,
		expect: () => expectHttp,
	});
	t.like(snapshot.results[0], {
		state: 'open',
		answered: 'SSH-2.0-OpenSSH_9.6',
		mismatch: 'expected HTTP, answered SSH',
	});
	t.like(snapshot.results[1], {
		state: 'open',
		answered: undefined,
		mismatch: undefined,
	});
});

test('an unresolvable target gives a snapshot without results, not a throw', async (t) => {
	const snapshot = await sweep({host: 'no such host!', pairs: [tcp(1)]});
	t.like(snapshot, {
		host: 'no such host!',
		target: {isResolved: false},
		results: [],
	});
});

test('loopback UDP is not spaced: ten closed ports answer well within the nine seconds spacing would take', async (t) => {
	const ports = await Promise.all(
		Array.from({length: 10}, async () => closedPort(t)),
	);
	const started = performance.now();
	const snapshot = await sweep({
		host: '127.0.0.1',
		pairs: ports.map((port) => udp(port)),
	});
	t.true(performance.now() - started < 5000);
	t.true(snapshot.results.every((result) => result.state === 'closed'));
});

test.serial('concurrency bounds the sockets in flight', async (t) => {
	const port = await fullAcceptQueue(t);
	const before = openFdCount();
	let peak = before;
	const sampler = setInterval(() => {
		peak = Math.max(peak, openFdCount());
	}, 5);
	const started = performance.now();
	try {
		const snapshot = await sweep({
			host: '127.0.0.1',
			pairs: Array.from({length: 12}, () => tcp(port)),
			concurrency: 3,
			timeoutMs: 200,
		});
		t.true(snapshot.results.every((result) => result.state === 'filtered'));
	} finally {
		clearInterval(sampler);
	}

	// Four rounds of three 200 ms timeouts, never all twelve at once.
	t.true(performance.now() - started >= 780);
	t.true(peak - before <= 3, `peak ${peak - before} sockets`);
});

test.serial(
	'abort stops the sweep: it rejects, reports nothing more, and leaves no socket open',
	async (t) => {
		const port = await fullAcceptQueue(t);
		const before = openFdCount();
		const controller = new AbortController();
		let reported = 0;
		const sweeping = sweep({
			host: '127.0.0.1',
			pairs: Array.from({length: 50}, () => tcp(port)),
			timeoutMs: 30_000,
			concurrency: 10,
			signal: controller.signal,
			onResult() {
				reported++;
			},
		});
		await waitFor(
			() => openFdCount() >= before + 10,
			5000,
			'ten probes in flight',
		);
		controller.abort();
		await t.throwsAsync(sweeping, {name: 'AbortError'});
		t.true(openFdCount() <= before, `fds ${before} -> ${openFdCount()}`);
		t.is(reported, 0);
	},
);

test('bad pairs and options are programming errors', async (t) => {
	await t.throwsAsync(sweep({host: '127.0.0.1', pairs: [tcp(0)]}), {
		instanceOf: TypeError,
	});
	await t.throwsAsync(sweep({host: '127.0.0.1', pairs: [tcp(70_000)]}), {
		instanceOf: TypeError,
	});
	await t.throwsAsync(
		sweep({host: '127.0.0.1', pairs: [tcp(1)], concurrency: 0}),
		{instanceOf: TypeError},
	);
	await t.throwsAsync(
		sweep({host: '127.0.0.1', pairs: [tcp(1)], timeoutMs: -1}),
		{instanceOf: TypeError},
	);
});

test('merging addresses: open beats open|filtered beats closed beats filtered beats unreachable', (t) => {
	const probe = (address: string, state: ProbeResult['state']) => ({
		probe: {address, family: 4 as const, state, reason: state},
	});
	const merge = (...outcomes: Array<ReturnType<typeof probe>>) =>
		mergeProbes('h', tcp(1), outcomes, 0).address;
	t.is(merge(probe('a', 'closed'), probe('b', 'open')), 'b');
	t.is(merge(probe('a', 'closed'), probe('b', 'open|filtered')), 'b');
	t.is(merge(probe('a', 'filtered'), probe('b', 'closed')), 'b');
	t.is(merge(probe('a', 'unreachable'), probe('b', 'filtered')), 'b');
	t.is(merge(probe('a', 'open'), probe('b', 'open')), 'a');
	t.is(
		mergeProbes(
			'h',
			tcp(1),
			[
				probe('a', 'open'),
				{...probe('b', 'open'), identification: {kind: 'SSH', bytes: 1}},
			],
			0,
		).address,
		'b',
	);
});

test.serial(
	'a callback that throws fails the sweep with its error and closes everything',
	async (t) => {
		const before = openFdCount();
		await t.throwsAsync(
			sweep({
				host: '127.0.0.1',
				pairs: Array.from({length: 300}, (_, index) => tcp(index + 1)),
				onResult() {
					throw new Error('consumer failed');
				},
			}),
			{message: 'consumer failed'},
		);
		t.true(openFdCount() <= before, `fds ${before} -> ${openFdCount()}`);
	},
);

test('with few descriptors (ulimit -n 64) every port gets a state, none is EMFILE (issue 12 item 9)', async (t) => {
	await ensureBuilt();
	const {status, stdout, stderr} = await runChild('sh', [
		'-c',
		`ulimit -n 64 && exec "${process.execPath}" bin/portui.js probe 127.0.0.1 1-3000 --json`,
	]);
	t.is(status, 0, `stderr: ${stderr}`);
	const {results} = JSON.parse(stdout) as {
		results: Array<{state: string; reason: string}>;
	};
	t.is(results.length, 3000);
	const local = results.filter(
		(result) => result.reason.startsWith('E') || result.state === 'filtered',
	);
	t.deepEqual(local, [], 'a local shortage is never a port state');
});

test('the UDP budget of a target is shared through files: bookings queue, a limit is seen by all', (t) => {
	const directory = mkdtempSync(path.join(tmpdir(), 'portui-test-budget-'));
	t.teardown(() => {
		rmSync(directory, {recursive: true, force: true});
	});
	const now = 1_000_000;
	// Two bookings at the same moment (two processes) start a spacing apart.
	t.is(bookUdpStart('192.0.2.1', 1000, now, directory), now);
	t.is(bookUdpStart('192.0.2.1', 1000, now, directory), now + 1000);
	t.is(bookUdpStart('192.0.2.2', 1000, now, directory), now);
	t.false(isLimited('192.0.2.1', now, directory));
	markLimited('192.0.2.1', 60_000, now, directory);
	t.true(isLimited('192.0.2.1', now + 59_000, directory));
	t.false(isLimited('192.0.2.1', now + 61_000, directory));
	t.deepEqual(
		readdirSync(directory)
			.map((name) => name.replace(/^udp-\d+-/v, 'udp-'))
			.toSorted(),
		['udp-192.0.2.1', 'udp-192.0.2.2'],
	);
});

test.serial(
	'sweepResults streams each result as it settles: an open port long before a silent one',
	async (t) => {
		const open = await listenTcp(t, {host: '127.0.0.1'});
		const silent = await fullAcceptQueue(t);
		const started = performance.now();
		const seen: Array<{port: number; state: string; atMs: number}> = [];
		const iterator = sweepResults({
			host: '127.0.0.1',
			pairs: [tcp(silent), tcp(open.port)],
			timeoutMs: 300,
		});
		let next = await iterator.next();
		while (!next.done) {
			seen.push({
				port: next.value.port,
				state: next.value.state,
				atMs: performance.now() - started,
			});
			// eslint-disable-next-line no-await-in-loop
			next = await iterator.next();
		}

		t.deepEqual(
			seen.map(({port, state}) => `${port} ${state}`),
			[`${open.port} open`, `${silent} filtered`],
		);
		t.true(seen[0]!.atMs < 250, `the open port came at ${seen[0]!.atMs} ms`);
		t.is(next.value.results.length, 2);
	},
);

test.serial(
	'leaving a sweepResults loop early aborts the sweep and closes its sockets',
	async (t) => {
		const open = await listenTcp(t, {host: '127.0.0.1'});
		const silent = await fullAcceptQueue(t);
		const before = openFdCount();
		const iterator = sweepResults({
			host: '127.0.0.1',
			pairs: [tcp(open.port), ...Array.from({length: 20}, () => tcp(silent))],
			timeoutMs: 30_000,
		});
		const first = await iterator.next();
		t.like(first.value, {state: 'open'});
		// What `break` does in a for await loop.
		await iterator.return(undefined as never);

		t.true(openFdCount() <= before, `fds ${before} -> ${openFdCount()}`);
	},
);
