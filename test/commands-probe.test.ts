import test from 'ava';
import {sweep, type PortPair} from '../source/probe/index.js';
import {
	assertUsageError,
	ensureBuilt,
	hasNetworkNamespace,
	isolated,
	runCli,
	startCli,
} from './helpers/cli.js';
import {closedPort, listenTcp} from './helpers/probe-servers.js';
import {
	freeUdpPort,
	startSilentResponder,
	startUdpResponder,
} from './helpers/udp-responders.js';

test.before(async () => {
	await ensureBuilt();
});

type JsonResult = {
	port: number;
	protocol: string;
	state: string;
	reason: string;
	rttMs: number | undefined;
	answered: string | undefined;
	family: number;
	address: string;
	service: string | undefined;
	addresses: Array<{address: string; state: string}>;
};

test('probe --json gives the states the probe service gives', async (t) => {
	const open = await listenTcp(t);
	const echo = await startUdpResponder({answer: (request) => request});
	const silent = await startSilentResponder();
	t.teardown(async () => {
		await echo.close();
		await silent.close();
	});
	const pairs: PortPair[] = [
		{port: open.port, protocol: 'tcp'},
		{port: await closedPort(t), protocol: 'tcp'},
		{port: echo.port, protocol: 'udp'},
		{port: silent.port, protocol: 'udp'},
		{port: await freeUdpPort(), protocol: 'udp'},
	];
	const spec = pairs.map((pair) => `${pair.port}/${pair.protocol}`).join(',');

	const [cli, direct] = await Promise.all([
		runCli(['probe', '127.0.0.1', spec, '--json', '--timeout', '500ms']),
		sweep({host: '127.0.0.1', pairs, timeoutMs: 500}),
	]);
	t.is(cli.exitCode, 0, `stderr: ${cli.stderr}`);
	t.is(cli.stderr, '');
	const output = JSON.parse(cli.stdout) as {
		host: string;
		resolved: boolean;
		addresses: Array<{address: string; family: number}>;
		results: JsonResult[];
	};
	t.is(output.host, '127.0.0.1');
	t.true(output.resolved);
	t.deepEqual(output.addresses, [{address: '127.0.0.1', family: 4}]);

	const summary = (
		list: ReadonlyArray<{
			port: number;
			protocol: string;
			state: string;
			reason: string;
		}>,
	) =>
		list.map(({port, protocol, state, reason}) => ({
			port,
			protocol,
			state,
			reason,
		}));
	t.deepEqual(summary(output.results), summary(direct.results));
	t.deepEqual(
		output.results.map((result) => result.state),
		['open', 'closed', 'open', 'open|filtered', 'closed'],
	);
	for (const result of output.results) {
		t.is(result.family, 4);
		t.is(result.address, '127.0.0.1');
		t.is(result.addresses.length, 1);
		// Silence has no round trip; an answer has one, or null where no clean sample could be
		// taken (an event-loop stall on a loaded machine): never a figure that is not a measure.
		t.true(
			result.state === 'open|filtered'
				? result.rttMs === null
				: result.rttMs === null ||
						(typeof result.rttMs === 'number' && result.rttMs >= 0),
		);
	}

	t.is(
		output.results[2]!.answered,
		`reply (${echo.received[0]!.length} bytes)`,
	);
});

test('probe answers for both families of localhost and says which answered', async (t) => {
	const server = await listenTcp(t, {host: '::1'});
	const cli = await runCli([
		'probe',
		'localhost',
		String(server.port),
		'--json',
	]);
	t.is(cli.exitCode, 0, `stderr: ${cli.stderr}`);
	const [result] = (JSON.parse(cli.stdout) as {results: JsonResult[]}).results;
	t.is(result!.state, 'open');
	t.is(result!.family, 6);
	t.is(result!.address, '::1');
	t.deepEqual(
		result!.addresses
			.map(({address, state}) => `${address} ${state}`)
			.toSorted(),
		['127.0.0.1 closed', '::1 open'],
	);
});

test('probe prints a plain table when stdout is not a terminal, banners sanitised', async (t) => {
	const hostile = await listenTcp(t, {
		onConnection(socket) {
			socket.end('SSH-2.0-evil\u001B]0;owned\u0007\u001B[2J\r\n');
		},
	});
	const refusing = await closedPort(t);
	const cli = await runCli([
		'probe',
		'127.0.0.1',
		`${hostile.port},${refusing}`,
	]);
	t.is(cli.exitCode, 0, `stderr: ${cli.stderr}`);
	const lines = cli.stdout.trimEnd().split('\n');
	t.regex(
		lines[0]!,
		/^\s*PORT\s+PROTO\s+SERVICE\s+STATE\s+REASON\s+RTT\s+ANSWERED\s+FAMILY$/v,
	);
	t.regex(
		lines[1]!,
		new RegExp(
			String.raw`^\s*${hostile.port}\s+tcp\s+.*open\s+connected\s.*SSH-2\.0-evil.*IPv4$`,
			'v',
		),
	);
	t.regex(
		lines[2]!,
		new RegExp(
			String.raw`^\s*${refusing}\s+tcp\s+.*closed\s+refused\s.*IPv4$`,
			'v',
		),
	);
	t.false(
		cli.stdout.includes('\u001B'),
		'no escape sequence reaches the terminal',
	);
	t.false(cli.stdout.includes('\u0007'));
});

test('a service name and --proto choose the pairs', async (t) => {
	const cli = await runCli([
		'probe',
		'127.0.0.1',
		'domain',
		'--proto',
		'udp',
		'--json',
		'--timeout',
		'200ms',
	]);
	t.is(cli.exitCode, 0, `stderr: ${cli.stderr}`);
	const {results} = JSON.parse(cli.stdout) as {results: JsonResult[]};
	t.deepEqual(
		results.map(
			({port, protocol, service}) => `${port}/${protocol} ${service}`,
		),
		['53/udp domain'],
	);
});

(hasNetworkNamespace ? test : test.skip)(
	'a host that does not resolve: exit 1, one line naming it',
	async (t) => {
		const result = await runCli(
			['probe', 'db.portui-test.invalid', '22', '--json'],
			{wrapper: isolated},
		);
		t.is(result.exitCode, 1, `stderr: ${result.stderr}`);
		t.regex(
			result.stderr,
			/^portui: "db\.portui-test\.invalid" did not resolve: .+\n$/v,
		);
		const output = JSON.parse(result.stdout) as {
			resolved: boolean;
			error: string;
			results: unknown[];
		};
		t.false(output.resolved);
		t.deepEqual(output.results, []);
		t.true(output.error.length > 0);
	},
);

test('a reader that goes away is not an error', async (t) => {
	// Six hundred results are several pipe buffers of JSON: most of it is written after the
	// reader has gone.
	const run = startCli([
		'probe',
		'127.0.0.1',
		'1-600',
		'--json',
		'--timeout',
		'300ms',
	]);
	t.teardown(() => run.child.kill('SIGKILL'));
	await run.waitForLine(() => true, 60_000);
	run.child.stdout.destroy();
	const result = await run.result;
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	t.is(result.stderr, '');
});

const badInputs: ReadonlyArray<readonly [string[], string]> = [
	[['probe', 'localhost', '0'], '"0"'],
	[['probe', 'localhost', '65536'], '"65536"'],
	[['probe', 'localhost', '-1'], '"-1"'],
	[['probe', 'localhost', '22-'], '"22-"'],
	[['probe', 'localhost', '90-80'], '"90-80"'],
	[['probe', 'localhost', 'abc'], '"abc"'],
	[['probe', 'localhost', '22,-80'], '"-80"'],
	[['probe', 'localhost', 'nosuchservice'], 'unknown service name'],
	[['probe', 'localhost', '22', '--timeout', '5x'], '"5x"'],
	[['probe', 'localhost', '22', '--timeout', '-5s'], '"-5s"'],
	[['probe', 'localhost', '22', '--timeout'], '--timeout needs a value'],
	[['probe', 'localhost', '22', '--proto', 'sctp'], '"sctp"'],
	[['probe', 'localhost', '--nope'], '--nope'],
	[['probe', '', '22'], 'empty host'],
	[['probe'], 'missing HOST'],
	[['probe', 'localhost:22'], '"localhost:22"'],
];

for (const [args, named] of badInputs) {
	test(`bad input: ${JSON.stringify(args.slice(1))}`, async (t) => {
		const cli = await runCli(args);
		assertUsageError(t, cli, named);
		t.regex(cli.stderr, /accepted|usage/v);
	});
}

test('--help with examples, --version', async (t) => {
	const help = await runCli(['probe', '--help']);
	t.is(help.exitCode, 0);
	t.regex(help.stdout, /portui probe HOST \[PORTS\]/v);
	t.regex(help.stdout, /Examples/v);
	t.regex(help.stdout, /Exit status/v);
	const version = await runCli(['probe', '--version']);
	t.is(version.exitCode, 0);
	t.regex(version.stdout, /^\d+\.\d+\.\d+\n$/v);
});
