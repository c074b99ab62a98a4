import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {
	assertUsageError,
	ensureBuilt,
	hasNetworkNamespace,
	isolated,
	runCli,
	stackLine,
	startCli,
} from './helpers/cli.js';
import {hasLoopbackIpv6, listenTcp} from './helpers/probe-servers.js';

test.before(async () => {
	await ensureBuilt();
});

type Line = Record<string, unknown> & {type: string};

const parseLines = (stdout: string): Line[] =>
	stdout
		.split('\n')
		.filter((line) => line !== '')
		.map((line) => JSON.parse(line) as Line);

const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/v;

(hasLoopbackIpv6() ? test : test.skip)(
	'localhost: ::1 going down while 127.0.0.1 stays open is a family transition, in --json and in text',
	async (t) => {
		const v4 = await listenTcp(t, {host: '127.0.0.1'});
		const v6 = await listenTcp(t, {host: '::1', port: v4.port});
		const json = startCli([
			'watch',
			'localhost',
			String(v4.port),
			'--json',
			'--interval',
			'100ms',
		]);
		const text = startCli([
			'watch',
			'localhost',
			String(v4.port),
			'--interval',
			'100ms',
		]);
		t.teardown(() => {
			json.child.kill('SIGKILL');
			text.child.kill('SIGKILL');
		});
		await json.waitForLine((line) => line.includes('"snapshot"'));
		await text.waitForLine((line) => line.includes(`${v4.port}/tcp`));
		await v6.close();
		const family = JSON.parse(
			await json.waitForLine((line) => line.includes('"transition"')),
		) as Line;
		t.like(family, {
			type: 'transition',
			scope: 'family',
			port: v4.port,
			address: '::1',
			family: 6,
			from: 'open',
			to: 'closed',
			stillOpen: ['127.0.0.1'],
		});
		t.regex(family.previousTime as string, isoTime);
		t.like(
			(family.addresses as Line[]).find((item) => item.address === '127.0.0.1'),
			{
				state: 'open',
			},
		);
		const line = await text.waitForLine((line) => line.includes('->'));
		t.regex(line, /::1 open -> closed \(127\.0\.0\.1 still open\)/v);
	},
);

test('--json: a snapshot, then a line per transition, with the downtime on return', async (t) => {
	const server = await listenTcp(t);
	const {port} = server;
	const run = startCli([
		'watch',
		'127.0.0.1',
		String(port),
		'--json',
		'--interval',
		'100ms',
		'--timeout',
		'500ms',
		'--count',
		'2',
	]);
	t.teardown(() => run.child.kill('SIGKILL'));

	const first = JSON.parse(await run.waitForLine(() => true)) as Line;
	t.is(first.type, 'snapshot');
	t.regex(first.time as string, isoTime);
	t.is(first.host, '127.0.0.1');
	t.true(first.resolved);
	t.like((first.results as Line[])[0], {
		port,
		protocol: 'tcp',
		state: 'open',
		reason: 'connected',
		family: 4,
	});

	await server.close();
	const isTransition = (to: string) => (line: string) =>
		line.includes('"transition"') && line.includes(`"to":"${to}"`);
	const down = JSON.parse(
		await run.waitForLine(isTransition('closed')),
	) as Line;
	t.like(down, {
		type: 'transition',
		host: '127.0.0.1',
		port,
		protocol: 'tcp',
		from: 'open',
		to: 'closed',
		downMs: null,
		reason: 'refused',
	});
	t.regex(down.time as string, isoTime);

	await listenTcp(t, {port});
	const back = JSON.parse(await run.waitForLine(isTransition('open'))) as Line;
	t.like(back, {type: 'transition', port, from: 'closed', to: 'open'});
	t.true((back.downMs as number) > 0, 'downtime of a return to open');
	t.true(Date.parse(back.time as string) >= Date.parse(down.time as string));

	const result = await run.result;
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	t.is(result.stderr, '');
	t.true(result.stdout.endsWith('\n'));
	t.deepEqual(
		parseLines(result.stdout).map((line) => line.type),
		['snapshot', 'transition', 'transition'],
		'valid NDJSON, one object a line',
	);
});

/** `watch --json` of a port that is open, once its snapshot is out. */
async function watchListener(t: ExecutionContext) {
	const server = await listenTcp(t);
	const run = startCli([
		'watch',
		'127.0.0.1',
		String(server.port),
		'--json',
		'--interval',
		'100ms',
	]);
	t.teardown(() => run.child.kill('SIGKILL'));
	await run.waitForLine((line) => line.includes('"snapshot"'));
	return {server, run};
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	test(`${signal} ends the watch with status 0 after the output is out`, async (t) => {
		const {run} = await watchListener(t);
		run.child.kill(signal);
		const result = await run.result;
		t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
		t.is(result.signal, undefined);
		t.true(result.stdout.endsWith('\n'));
		t.is(parseLines(result.stdout)[0]!.type, 'snapshot');
	});
}

test('a reader that goes away ends the watch quietly', async (t) => {
	const {server, run} = await watchListener(t);
	run.child.stdout.destroy();
	// The next line written is the one that finds the pipe closed.
	await server.close();
	const result = await run.result;
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	t.notRegex(result.stderr, stackLine);
});

test('without --json: sanitised lines for people', async (t) => {
	const server = await listenTcp(t, {
		onConnection(socket) {
			socket.end('SSH-2.0-evil\u001B]0;owned\u0007\u001B[2J\r\n');
		},
	});
	const {port} = server;
	const run = startCli([
		'watch',
		'127.0.0.1',
		String(port),
		'--interval',
		'100ms',
		'--count',
		'2',
	]);
	t.teardown(() => run.child.kill('SIGKILL'));
	await run.waitForLine((line) => line.includes(`${port}/tcp`));
	await server.close();
	await run.waitForLine((line) => line.includes('open -> closed'));
	await listenTcp(t, {port});
	const result = await run.result;
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	const lines = result.stdout.trimEnd().split('\n');
	t.regex(lines[0]!, /Z {2}127\.0\.0\.1: 1 ports$/v);
	t.regex(
		lines[1]!,
		new RegExp(
			String.raw`^  ${port}/tcp  open \(connected, .* ms, .*SSH-2\.0-evil.*\)$`,
			'v',
		),
	);
	t.regex(
		lines[2]!,
		new RegExp(
			String.raw`Z  127\.0\.0\.1  ${port}/tcp  open -> closed \(refused, `,
			'v',
		),
	);
	t.regex(
		lines[3]!,
		// The listener came back in this test's own process: the same pid, said so.
		new RegExp(
			String.raw`closed -> open \(connected, .*\) after \d+(?:\.\d)?s down · node ${process.pid}, same pid \(re-bound without restarting\)$`,
			'v',
		),
	);
	t.false(result.stdout.includes('\u001B'));
	t.false(result.stdout.includes('\u0007'));
});

(hasNetworkNamespace ? test : test.skip)(
	'a host that does not resolve: a snapshot that says so, and the watch goes on',
	async (t) => {
		const run = startCli(
			[
				'watch',
				'db.portui-test.invalid',
				'22',
				'--json',
				'--interval',
				'100ms',
			],
			{wrapper: isolated},
		);
		t.teardown(() => run.child.kill('SIGKILL'));
		const first = JSON.parse(await run.waitForLine(() => true)) as Line;
		t.like(first, {
			type: 'snapshot',
			host: 'db.portui-test.invalid',
			resolved: false,
			addresses: [],
			results: [],
		});
		t.true(typeof first.error === 'string' && first.error !== '');
		t.is(run.child.exitCode, null, 'still watching');
		run.child.kill('SIGTERM');
		const result = await run.result;
		t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	},
);

const badInputs: ReadonlyArray<readonly [string[], string]> = [
	[['watch'], 'missing HOST'],
	[['watch', 'localhost', '22', '--count', '0'], '"0"'],
	[['watch', 'localhost', '22', '--count', 'many'], '"many"'],
	[['watch', 'localhost', '22', '--interval', '10ms'], '"10ms"'],
	[['watch', 'localhost', '70000'], '"70000"'],
	[['watch', 'localhost', '22', '--jsno'], '--jsno'],
];

for (const [args, named] of badInputs) {
	test(`bad input: ${JSON.stringify(args.slice(1))}`, async (t) => {
		assertUsageError(t, await runCli(args), named);
	});
}

test('--help', async (t) => {
	const help = await runCli(['watch', '--help']);
	t.is(help.exitCode, 0);
	t.regex(help.stdout, /--count/v);
	t.regex(help.stdout, /Examples/v);
});
