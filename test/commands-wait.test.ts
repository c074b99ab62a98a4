import {readFileSync} from 'node:fs';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {hasArrived} from '../source/commands/wait.js';
import {
	assertUsageError,
	ensureBuilt,
	hasNetworkNamespace,
	isolated,
	runCli,
	startCli,
	type CliProcess,
} from './helpers/cli.js';
import {
	closedPort,
	countingListener,
	hasLoopbackIpv6,
	listenTcp,
	type CountingListener,
} from './helpers/probe-servers.js';
import {
	freeUdpPort,
	startSilentResponder,
	startUdpResponder,
	type Answer,
	type UdpResponder,
} from './helpers/udp-responders.js';

test.before(async () => {
	await ensureBuilt();
});

const isRunning = (run: CliProcess) =>
	run.child.exitCode === null && run.child.signalCode === null;

/**
 * The stimulus of these tests is "later": the command must already be polling when the port
 * changes. `counter`, a listener that counts connections and one of the targets, shows that it
 * is: each sweep of the host probes every target, so two connections there mean the others were
 * probed too. Returns once they have been.
 */
async function startPolling(
	t: ExecutionContext,
	counter: CountingListener,
	targets: readonly string[],
) {
	const run = startCli([
		'wait',
		...targets,
		'--timeout',
		'30s',
		'--interval',
		'100ms',
	]);
	t.teardown(() => run.child.kill('SIGKILL'));
	await counter.connections(2);
	return run;
}

test('exits 0 shortly after a TCP listener appears', async (t) => {
	const port = await closedPort(t);
	const counter = await countingListener(t);
	const run = await startPolling(t, counter, [
		`127.0.0.1:${port}`,
		`127.0.0.1:${counter.port}`,
	]);
	t.true(isRunning(run), 'still waiting while the port is closed');
	await listenTcp(t, {port});
	const appearedAt = performance.now();
	const result = await run.result;
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	t.is(result.stdout, '');
	t.is(result.stderr, '', 'no progress when stderr is not a terminal');
	const lagMs = performance.now() - appearedAt;
	t.true(
		lagMs < 3000,
		`exited ${Math.round(lagMs)} ms after the listener appeared`,
	);
});

test('an IPv6 target in brackets', async (t) => {
	const server = await listenTcp(t, {host: '::1'});
	const result = await runCli([
		'wait',
		`[::1]:${server.port}`,
		'--timeout',
		'5s',
	]);
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
});

test('exits 1 at its timeout with a line per target that did not get there', async (t) => {
	const open = await listenTcp(t);
	const refusing = await closedPort(t);
	const result = await runCli([
		'wait',
		`127.0.0.1:${open.port}`,
		`127.0.0.1:${refusing}`,
		'--timeout',
		'800ms',
		'--interval',
		'100ms',
	]);
	t.is(result.exitCode, 1);
	t.true(
		result.elapsedMs >= 800,
		`gave up after ${Math.round(result.elapsedMs)} ms`,
	);
	t.is(result.stdout, '');
	t.is(
		result.stderr,
		// On this machine the socket table says so between connects (a connect confirmed it first).
		`portui: 127.0.0.1:${refusing} not open after 0.8s: closed (no listener)\n`,
	);
});

test('--quiet says nothing, the status says it all', async (t) => {
	const result = await runCli([
		'wait',
		`127.0.0.1:${await closedPort(t)}`,
		'--timeout',
		'300ms',
		'--quiet',
	]);
	t.is(result.exitCode, 1);
	t.is(result.stderr, '');
	t.is(result.stdout, '');
});

test('--closed returns when the listener goes away', async (t) => {
	const counter = await countingListener(t);
	const run = await startPolling(t, counter, [
		'--closed',
		`localhost:${counter.port}`,
	]);
	t.true(isRunning(run), 'still waiting while the port is open');
	await counter.close();
	const goneAt = performance.now();
	const result = await run.result;
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	const lagMs = performance.now() - goneAt;
	t.true(
		lagMs < 3000,
		`exited ${Math.round(lagMs)} ms after the listener went away`,
	);
});

test('UDP: a reply is open', async (t) => {
	const port = await freeUdpPort();
	const counter = await countingListener(t);
	const run = await startPolling(t, counter, [
		`127.0.0.1:${port}/udp`,
		`127.0.0.1:${counter.port}`,
	]);
	t.true(isRunning(run), 'still waiting while the UDP port refuses');
	const echo = await startUdpResponder({port, answer: (message) => message});
	t.teardown(async () => echo.close());
	const result = await run.result;
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
});

test('UDP: on a port without a request of its own, silence from a socket bound on this machine is open and a refusal is not', async (t) => {
	const silent = await startSilentResponder();
	t.teardown(async () => silent.close());
	const open = await runCli([
		'wait',
		`127.0.0.1:${silent.port}/udp`,
		'--timeout',
		'5s',
	]);
	t.is(open.exitCode, 0, `stderr: ${open.stderr}`);
	t.true(silent.received.length > 0, 'the probe reached the socket');

	const refusedPort = await freeUdpPort();
	const refused = await runCli([
		'wait',
		`127.0.0.1:${refusedPort}/udp`,
		'--timeout',
		'500ms',
	]);
	t.is(refused.exitCode, 1);
	t.is(
		refused.stderr,
		`portui: 127.0.0.1:${refusedPort}/udp not open after 0.5s: closed (icmp-unreachable)\n`,
	);

	const closed = await runCli([
		'wait',
		'--closed',
		`127.0.0.1:${refusedPort}/udp`,
		'--timeout',
		'5s',
	]);
	t.is(closed.exitCode, 0, `stderr: ${closed.stderr}`);
});

// The ports whose probes speak the service's protocol (DNS, RPC, NTP, NetBIOS, SNMP).
const payloadPorts = [161, 137, 123, 111, 53];

/** A free well-known UDP port that has a payload, bound by us; undefined without the privilege. */
async function bindPayloadPort(
	answer: Answer,
): Promise<UdpResponder | undefined> {
	for (const port of payloadPorts) {
		try {
			// One port after another: the first that binds is the one.
			// eslint-disable-next-line no-await-in-loop
			return await startUdpResponder({port, answer});
		} catch {
			// Taken: try the next one.
		}
	}

	return undefined;
}

// Binding these ports below 1024 takes root (or a lowered ip_unprivileged_port_start).
const canBindPayloadPorts =
	process.getuid?.() === 0 ||
	Number(
		readFileSync(
			'/proc/sys/net/ipv4/ip_unprivileged_port_start',
			'utf8',
		).trim(),
	) <= 53;

(canBindPayloadPorts ? test : test.skip)(
	'UDP: on a port with a request of its own, only a reply is open',
	async (t) => {
		const silent = await bindPayloadPort(() => undefined);
		if (!silent) {
			t.fail(`none of ${payloadPorts.join(', ')} is free on 127.0.0.1`);
			return;
		}

		let result = await runCli([
			'wait',
			`127.0.0.1:${silent.port}/udp`,
			'--timeout',
			'1500ms',
			'--probe-timeout',
			'300ms',
		]);
		await silent.close();
		t.is(result.exitCode, 1);
		t.is(
			result.stderr,
			`portui: 127.0.0.1:${silent.port}/udp not open after 1.5s: open|filtered (no-reply)\n`,
		);

		const answering = await bindPayloadPort((message) => message);
		t.truthy(answering);
		t.teardown(async () => answering?.close());
		result = await runCli([
			'wait',
			`127.0.0.1:${answering!.port}/udp`,
			'--timeout',
			'5s',
		]);
		t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	},
);

test('the UDP rule, state by state', (t) => {
	const udp = (
		port: number,
		state: Parameters<typeof hasArrived>[0]['state'],
	) => ({port, protocol: 'udp', state}) as const;
	t.true(hasArrived(udp(5000, 'open'), 'open'));
	// Silence alone is never open (issue 16): a dropped or unroutable datagram is silent too.
	t.false(hasArrived(udp(5000, 'open|filtered'), 'open'));
	t.true(
		hasArrived(udp(5000, 'open|filtered'), 'open', {isBoundLocally: true}),
	);
	t.true(
		hasArrived(udp(5000, 'open|filtered'), 'open', {isConfirmedSilence: true}),
	);
	t.false(
		hasArrived(udp(53, 'open|filtered'), 'open', {isConfirmedSilence: true}),
	);
	t.false(hasArrived(udp(53, 'open|filtered'), 'open'));
	t.true(hasArrived(udp(53, 'open'), 'open'));
	t.false(hasArrived(udp(5000, 'closed'), 'open'));
	t.true(hasArrived(udp(5000, 'closed'), 'closed'));
	t.false(hasArrived(udp(5000, 'open|filtered'), 'closed'));
	t.false(hasArrived({port: 80, protocol: 'tcp', state: 'filtered'}, 'closed'));
	t.false(hasArrived({port: 80, protocol: 'tcp', state: 'filtered'}, 'open'));
});

test('a name counts on every address it resolves to; one that cannot be reached at all is left out', (t) => {
	const tcp = (...states: Array<'open' | 'closed' | 'unreachable'>) =>
		({
			port: 80,
			protocol: 'tcp',
			state: states.includes('open') ? 'open' : states[0]!,
			addresses: states.map((state) => ({state})),
		}) as const;
	t.false(hasArrived(tcp('open', 'closed'), 'open'), '::1 not back yet');
	t.true(hasArrived(tcp('open', 'open'), 'open'));
	t.true(hasArrived(tcp('open', 'unreachable'), 'open'), 'no IPv6 here');
	t.false(hasArrived(tcp('unreachable', 'unreachable'), 'open'));
	t.false(hasArrived(tcp('closed', 'open'), 'closed'), 'one family still up');
	t.true(hasArrived(tcp('closed', 'closed'), 'closed'));
});

(hasLoopbackIpv6() ? test : test.skip)(
	'wait localhost:PORT waits for both families, and names each at the timeout',
	async (t) => {
		const v4 = await listenTcp(t, {host: '127.0.0.1'});
		const half = await runCli([
			'wait',
			`localhost:${v4.port}`,
			'--timeout',
			'700ms',
		]);
		t.is(half.exitCode, 1);
		t.regex(
			half.stderr,
			new RegExp(
				String.raw`localhost:${v4.port} not open after 0\.7s: 127\.0\.0\.1 open, ::1 closed`,
				'v',
			),
		);
		await listenTcp(t, {host: '::1', port: v4.port});
		const both = await runCli([
			'wait',
			`localhost:${v4.port}`,
			'--timeout',
			'5s',
		]);
		t.is(both.exitCode, 0, both.stderr);
		const one = await runCli(['wait', `[::1]:${v4.port}`, '--timeout', '5s']);
		t.is(one.exitCode, 0, one.stderr);
	},
);

(hasNetworkNamespace ? test : test.skip)(
	'a host that does not resolve is waited for, and named at the timeout',
	async (t) => {
		const result = await runCli(
			['wait', 'db.portui-test.invalid:5432', '--timeout', '700ms'],
			{wrapper: isolated},
		);
		t.is(result.exitCode, 1);
		t.regex(
			result.stderr,
			/^portui: db\.portui-test\.invalid:5432 not open after 0\.7s: db\.portui-test\.invalid did not resolve \([^\n]+\)\n$/v,
		);
	},
);

test('a service name as the port', async (t) => {
	// The catalogue maps ssh to 22/tcp. Whether something listens there is this machine's business:
	// either answer shows the name was understood (a bad one exits 2).
	const result = await runCli(['wait', '127.0.0.1:ssh', '--timeout', '300ms']);
	t.not(result.exitCode, 2);
	t.regex(
		result.stderr,
		/^(?:|portui: 127\.0\.0\.1:ssh not open after 0\.3s: [^\n]+\n)$/v,
	);
});

const badInputs: ReadonlyArray<readonly [string[], string]> = [
	[['wait'], 'missing TARGET'],
	[['wait', 'localhost'], '"localhost": no port'],
	[['wait', 'localhost:0'], '"localhost:0"'],
	[['wait', 'localhost:65536'], '"localhost:65536"'],
	[['wait', 'localhost:-1'], '"localhost:-1"'],
	[['wait', '::1:22'], 'brackets'],
	[['wait', ':22'], 'empty host'],
	[['wait', 'localhost:22/sctp'], '"sctp"'],
	[['wait', 'localhost:nosuchservice'], '"nosuchservice"'],
	[['wait', 'localhost:22', '--timeout', '30'], '"30"'],
	[['wait', 'localhost:22', '--timeout', 'soon'], '"soon"'],
	[['wait', 'localhost:22', '--interval', '1ms'], '"1ms"'],
	[['wait', 'localhost:22', '--closd'], '--closd'],
];

for (const [args, named] of badInputs) {
	test(`bad input: ${JSON.stringify(args.slice(1))}`, async (t) => {
		assertUsageError(t, await runCli(args), named);
	});
}

test('--help', async (t) => {
	const help = await runCli(['wait', '--help']);
	t.is(help.exitCode, 0);
	t.regex(help.stdout, /open \(UDP\)/v);
	t.regex(help.stdout, /Examples/v);
});
