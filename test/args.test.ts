import {readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {
	formatHelp,
	parseArguments,
	parseCount,
	parseDuration,
	parseHost,
	parsePortSpec,
	parseWaitTarget,
	UsageError,
} from '../source/args.js';
import {smallCatalogue} from './helpers/catalogue.js';
import {runChild} from './helpers/child.js';
import {assertUsageError, root, runCli} from './helpers/cli.js';

// The message of the UsageError `run` throws; an empty string (and a failed assertion) otherwise.
function usageMessage(t: ExecutionContext, run: () => unknown): string {
	const error = t.throws(run, {instanceOf: UsageError});
	const message = error?.message ?? '';
	t.false(message.includes('\n'), 'one line');
	return message;
}

const pairs = (list: ReadonlyArray<{port: number; protocol: string}>) =>
	list.map(({port, protocol}) => `${port}/${protocol}`);

test('port lists, ranges and suffixes', async (t) => {
	const catalogue = await smallCatalogue();
	t.deepEqual(pairs(parsePortSpec('22,80,443', catalogue)), [
		'22/tcp',
		'80/tcp',
		'443/tcp',
	]);
	t.deepEqual(pairs(parsePortSpec('8000-8002', catalogue)), [
		'8000/tcp',
		'8001/tcp',
		'8002/tcp',
	]);
	t.deepEqual(pairs(parsePortSpec('53/udp, 53/TCP,53/udp', catalogue)), [
		'53/udp',
		'53/tcp',
	]);
	t.deepEqual(pairs(parsePortSpec('7-8/udp', catalogue)), ['7/udp', '8/udp']);
	t.deepEqual(pairs(parsePortSpec('1,65535', undefined)), [
		'1/tcp',
		'65535/tcp',
	]);
});

test('--proto sets the protocol of items without a suffix', async (t) => {
	const catalogue = await smallCatalogue();
	t.deepEqual(pairs(parsePortSpec('53,22/tcp', catalogue, {protocol: 'udp'})), [
		'53/udp',
		'22/tcp',
	]);
	t.deepEqual(pairs(parsePortSpec('53', catalogue, {protocol: 'all'})), [
		'53/tcp',
		'53/udp',
	]);
});

test('service names come from the catalogue, curated protocols first', async (t) => {
	const catalogue = await smallCatalogue();
	t.deepEqual(pairs(parsePortSpec('ssh', catalogue)), ['22/tcp']);
	t.deepEqual(pairs(parsePortSpec('domain', catalogue)).toSorted(), [
		'53/tcp',
		'53/udp',
	]);
	t.deepEqual(pairs(parsePortSpec('DNS/udp', catalogue)), ['53/udp']);
	t.deepEqual(pairs(parsePortSpec('domain', catalogue, {protocol: 'udp'})), [
		'53/udp',
	]);
	// A registry-only name still works.
	t.deepEqual(pairs(parsePortSpec('redis', catalogue)), ['6379/tcp']);
	// A curated range expands to its ports.
	t.is(parsePortSpec('x11', catalogue).length, 64);
});

const badPorts = [
	['0', '"0"', 'out of range'],
	['65536', '"65536"', 'out of range'],
	['-1', '"-1"', 'negative'],
	['22-', '"22-"', 'both ends'],
	['90-80', '"90-80"', 'backwards'],
	['abc', '"abc"', 'unknown service name'],
	['22,,80', '""', 'empty entry'],
	['22/sctp', '"sctp"', 'unknown protocol'],
	['ssh/udp', '"ssh/udp"', 'no udp port'],
	['1-70000', '"1-70000"', 'out of range'],
	['\u001B[2Jx', String.raw`"\u001b[2Jx"`, 'not a port'],
] as const;

for (const [spec, named, why] of badPorts) {
	test(`bad port spec ${JSON.stringify(spec)}`, async (t) => {
		const catalogue = await smallCatalogue();
		const message = usageMessage(t, () => parsePortSpec(spec, catalogue));
		t.true(message.includes(named), `got: ${message}`);
		t.true(message.includes(why), `got: ${message}`);
		t.true(message.includes('accepted: ports 1-65535'), `got: ${message}`);
		t.false(message.includes('\u001B'), `got: ${message}`);
	});
}

test('durations', (t) => {
	t.is(parseDuration('250ms', '--interval'), 250);
	t.is(parseDuration('1.5s', '--timeout'), 1500);
	t.is(parseDuration('2m', '--timeout'), 120_000);
	t.is(parseDuration('1h', '--timeout'), 3_600_000);
	t.is(parseDuration('.5S', '--timeout'), 500);
	t.is(parseDuration('0', '--timeout', {minMs: 0}), 0);
	for (const [text, why] of [
		['abc', 'accepted: a number and a unit'],
		['30', 'give a unit (30s or 30ms)'],
		['-5s', 'accepted'],
		['0s', 'out of range'],
		['25d', 'accepted'],
		['1e3ms', 'accepted'],
		['30d', 'accepted'],
		['999h', 'out of range'],
	] as const) {
		const message = usageMessage(t, () => parseDuration(text, '--timeout'));
		t.true(message.startsWith(`bad --timeout "${text}"`), `got: ${message}`);
		t.true(message.includes(why), `got: ${message}`);
	}

	t.regex(
		usageMessage(t, () => parseDuration('', '--interval')),
		/^--interval needs a value/v,
	);
	t.regex(
		usageMessage(t, () => parseDuration('5ms', '--interval', {minMs: 10})),
		/from 10ms to/v,
	);
});

test('hosts', (t) => {
	t.is(parseHost('localhost'), 'localhost');
	t.is(parseHost('127.0.0.1'), '127.0.0.1');
	t.is(parseHost('::1'), '::1');
	t.is(parseHost('[::1]'), '::1');
	t.is(parseHost('db-1.example.'), 'db-1.example.');
	t.is(parseHost('bücher.example'), 'bücher.example');
	for (const [text, why] of [
		['', 'empty host'],
		['   ', 'empty host'],
		['localhost:22', 'give the port separately'],
		['999.1.1.1', 'bad host "999.1.1.1"'],
		['[127.0.0.1]', 'bad host'],
		['a b', 'bad host "a b"'],
		['-x', 'bad host'],
		['\u001B]0;title\u0007', String.raw`"\u001b]0;title\u0007"`],
	] as const) {
		const message = usageMessage(t, () => parseHost(text));
		t.true(message.includes(why), `got: ${message}`);
		t.true(message.includes('accepted: a host name'), `got: ${message}`);
	}
});

test('wait targets', async (t) => {
	const catalogue = await smallCatalogue();
	t.like(parseWaitTarget('localhost:5432'), {
		host: 'localhost',
		port: 5432,
		protocol: 'tcp',
	});
	t.like(parseWaitTarget('127.0.0.1:53/udp'), {
		host: '127.0.0.1',
		port: 53,
		protocol: 'udp',
	});
	t.like(parseWaitTarget('[::1]:22'), {host: '::1', port: 22, protocol: 'tcp'});
	t.like(parseWaitTarget('[::1]:123/UDP'), {port: 123, protocol: 'udp'});
	t.like(parseWaitTarget('localhost:ssh', catalogue), {
		port: 22,
		protocol: 'tcp',
	});
	t.like(parseWaitTarget('localhost:dns/udp', catalogue), {
		port: 53,
		protocol: 'udp',
	});

	for (const [text, why] of [
		['localhost', 'no port'],
		['localhost:', 'bad target'],
		[':22', 'empty host'],
		['::1:22', 'brackets'],
		['localhost:0', 'out of range'],
		['localhost:65536', 'out of range'],
		['localhost:22/sctp', 'unknown protocol'],
		['a b:22', 'bad host'],
		['localhost:22-23', 'not a port or a service name'],
	] as const) {
		const message = usageMessage(t, () => parseWaitTarget(text, catalogue));
		t.true(message.includes(JSON.stringify(text)), `got: ${message}`);
		t.true(message.includes(why), `got: ${message}`);
	}

	t.throws(() => parseWaitTarget('localhost:nosuch', catalogue), {
		message: /unknown service name/v,
	});
});

// The options of a command as the commands give them.
const flags = {
	timeout: {type: 'string'},
	sshConfig: {type: 'string'},
	listen: {type: 'string', default: '127.0.0.1:9431'},
	json: {type: 'boolean', default: false},
	identify: {type: 'boolean', default: true},
	quiet: {type: 'boolean'},
} as const;
const help = `
	Usage
	  $ portui x HOST [--timeout 1s] [--ssh-config FILE]
	      [--listen ADDRESS:PORT] [--json] [--no-identify]
	  $ portui y

	Says what x does.
`;
const parse = (argv: readonly string[]) => parseArguments(argv, {help, flags});

test('options: --flag value, --flag=value, camelCase keys, --no-x, defaults', (t) => {
	const cli = parse([
		'host',
		'--timeout',
		'1s',
		'22',
		'--ssh-config=a=b',
		'--no-identify',
		'--json',
	]);
	t.deepEqual(cli.input, ['host', '22']);
	t.deepEqual(cli.flags, {
		timeout: '1s',
		sshConfig: 'a=b',
		identify: false,
		json: true,
		listen: '127.0.0.1:9431',
		quiet: false,
	});
	t.deepEqual(parse([]).flags, {
		timeout: undefined,
		sshConfig: undefined,
		listen: '127.0.0.1:9431',
		json: false,
		identify: true,
		quiet: false,
	});
	t.true(parse(['--identify']).flags.identify);
	t.is(parse(['--listen', '[::1]:9']).flags.listen, '[::1]:9');
	t.is(parse(['--timeout', '-']).flags.timeout, '-');
});

test('arguments stay strings, in order, and -- ends the options', (t) => {
	t.deepEqual(parse(['22', '0x10', '1e3', '-', '007']).input, [
		'22',
		'0x10',
		'1e3',
		'-',
		'007',
	]);
	const cli = parse(['a', '--json', '--', '--timeout', '-h', '--', 'b']);
	t.deepEqual(cli.input, ['a', '--timeout', '-h', '--', 'b']);
	t.true(cli.flags.json);
	t.is(cli.flags.timeout, undefined);
});

test('tokens that look like negative numbers reach the validators', (t) => {
	const cli = parse(['host', '-22,80', '--json']);
	t.deepEqual(cli.input, ['host', '-22,80']);
	t.true(cli.flags.json);
	t.is(parse(['--timeout', '-5s']).flags.timeout, '-5s');
	t.deepEqual(parse(['host', '-1', '-5s']).input, ['host', '-1', '-5s']);
});

test('an option given twice is bad input, whatever its kind', (t) => {
	for (const [argv, flag] of [
		[['--timeout', '1s', '--timeout', '2s'], '--timeout'],
		[['--timeout=1s', 'host', '--timeout=1s'], '--timeout'],
		[['--ssh-config', 'a', '--ssh-config', 'b'], '--ssh-config'],
		[['--json', '--json'], '--json'],
		[['--identify', '--no-identify'], '--identify'],
	] as const) {
		t.is(
			usageMessage(t, () => parse(argv)),
			`${flag} is given more than once; give each option once`,
		);
	}
});

test('an unknown option is named, with the accepted ones', (t) => {
	const accepted =
		'accepted: --timeout, --ssh-config, --listen, --json, --identify, --quiet, --help, --version';
	for (const token of [
		'--nope',
		'--nope=3',
		'-x',
		'-hv',
		'---',
		'--=x',
		'--HELP',
		'--help=x',
		'--no-nope',
		// A value cannot be negated, and only the spelling the help shows is an option.
		'--no-timeout',
		'--sshConfig',
	]) {
		t.is(
			usageMessage(t, () => parse(['host', token, 'x'])),
			`unknown option ${JSON.stringify(token)}; ${accepted}`,
		);
	}

	t.is(
		usageMessage(t, () => parseArguments(['-x'], {help, flags: {}})),
		'unknown option "-x"; accepted: none, --help, --version',
	);
});

test('an option without its value names itself and the usage', (t) => {
	const usage =
		'usage: portui x HOST [--timeout 1s] [--ssh-config FILE] [--listen ADDRESS:PORT] [--json] [--no-identify]';
	for (const argv of [
		['host', '--timeout'],
		['--timeout', '--json'],
		['--timeout', '-x'],
		['--timeout='],
		['--timeout', ''],
		['--timeout', '--', 'cmd'],
	]) {
		t.is(
			usageMessage(t, () => parse(argv)),
			`--timeout needs a value; ${usage}`,
		);
	}

	// Not silently the default, nor silently nothing.
	t.is(
		usageMessage(t, () => parse(['--listen'])),
		`--listen needs a value; ${usage}`,
	);
	t.is(
		usageMessage(t, () => parse(['--ssh-config'])),
		`--ssh-config needs a value; ${usage}`,
	);
	t.is(
		usageMessage(t, () =>
			parseArguments(['--timeout'], {help: 'no usage here', flags}),
		),
		'--timeout needs a value',
	);
});

test('a switch takes no value', (t) => {
	for (const token of ['--json=yes', '--json=false', '--no-json=1']) {
		t.is(
			usageMessage(t, () => parse([token])),
			`bad option ${JSON.stringify(token)}: --json takes no value; accepted: --json, --no-json`,
		);
	}
});

test('help is laid out as meow laid it out', (t) => {
	t.is(
		formatHelp(`${help}\t`, 'Ports, probed'),
		[
			'',
			'  Ports, probed',
			'',
			'  Usage',
			'    $ portui x HOST [--timeout 1s] [--ssh-config FILE]',
			'        [--listen ADDRESS:PORT] [--json] [--no-identify]',
			'    $ portui y',
			'',
			'  Says what x does.',
			'',
			'',
		].join('\n'),
	);
	t.is(formatHelp('\n\n  one line\n'), '\n  one line\n\n');
	t.is(formatHelp('\ta\n\t\tb\n\n\tc'), '\n  a\n  \tb\n\n  c\n\n');
});

const packageJson = JSON.parse(
	readFileSync(path.join(root, 'package.json'), 'utf8'),
) as {description: string; version: string};

test('--help and -h anywhere before --: the description, the help, exit 0', async (t) => {
	const runs = await Promise.all(
		[
			['probe', '--help'],
			['probe', '-h'],
			['probe', '127.0.0.1', '22', '--nope', '--help'],
			['probe', '--timeout', '-h'],
			['probe', '-h', 'ssh', '--', 'x'],
		].map(async (args) => runCli(args)),
	);
	for (const result of runs) {
		t.is(result.exitCode, 0);
		t.is(result.stderr, '');
		t.is(result.stdout, runs[0]!.stdout);
	}

	const {stdout} = runs[0]!;
	t.true(
		stdout.startsWith(
			`\n  ${packageJson.description}\n\n  Usage\n    $ portui probe HOST [PORTS]`,
		),
		`stdout: ${stdout}`,
	);
	t.true(stdout.endsWith('\n\n'));
	t.false(stdout.includes('\t'));
	t.regex(stdout, /\n {2}Examples\n {4}\$ portui probe localhost\n/v);

	const dashboard = await runCli(['-h']);
	t.is(dashboard.exitCode, 0);
	t.true(dashboard.stdout.startsWith(`\n  ${packageJson.description}\n\n`));
	t.regex(dashboard.stdout, /\n {4}\$ portui \[HOST/v);
});

test('--version and -v: the version of package.json, exit 0', async (t) => {
	for (const args of [
		['--version'],
		['-v'],
		['probe', '--version'],
		['list', 'ssh', '-v'],
		['wait', '--timeout', '--version'],
	]) {
		// eslint-disable-next-line no-await-in-loop -- one run at a time
		const result = await runCli(args);
		t.is(result.exitCode, 0);
		t.is(result.stdout, `${packageJson.version}\n`);
		t.is(result.stderr, '');
	}
});

test('--help and --version work from source as well', async (t) => {
	const run = async (args: readonly string[]) =>
		runChild(process.execPath, ['--import=tsx', 'source/cli.tsx', ...args], {
			env: {...process.env, TSX_TSCONFIG_PATH: 'tsconfig.json'},
		});
	const [version, help, built] = await Promise.all([
		run(['probe', '-v']),
		run(['probe', '--help']),
		runCli(['probe', '--help']),
	]);
	t.is(version.stdout, `${packageJson.version}\n`, `stderr: ${version.stderr}`);
	t.is(version.status, 0);
	t.is(help.status, 0);
	t.is(help.stdout, built.stdout);
});

test('after -- a help or an option is an argument', async (t) => {
	const result = await runCli(['probe', '127.0.0.1', '22', '--', '--help']);
	assertUsageError(t, result, 'bad port "--help" in "22,--help"');
});

for (const [args, named] of [
	// These ran, the value ignored or the default used, before.
	[['probe', '127.0.0.1', '22', '--ssh-config'], '--ssh-config needs a value'],
	[['--interval'], '--interval needs a value; usage: portui [HOST'],
	[['probe', '127.0.0.1', '22', '--json=yes'], '--json takes no value'],
	[['probe', '127.0.0.1', '22', '--json', '--json'], '--json is given more'],
	[['probe', '127.0.0.1', '22', '--timeout'], '--timeout needs a value'],
	[['probe', '127.0.0.1', '22', '--timeout', '-5s'], 'bad --timeout "-5s"'],
	[['probe', '127.0.0.1', '-22,80'], 'bad port "-22" in "-22,80"'],
	[['wait', '--timeout', '1s', '--timeout=2s', 'x:1'], 'given more than once'],
	[['during', '--nope', '--', 'true'], 'unknown option "--nope"; accepted:'],
] as const) {
	test(`bad options end in one line and status 2: ${args.join(' ')}`, async (t) => {
		assertUsageError(t, await runCli(args), named);
	});
}

test('counts', (t) => {
	t.is(parseCount('3', '--count'), 3);
	t.is(parseCount(' 12 ', '--count'), 12);
	for (const text of ['0', '-1', 'x', '1.5', '99999999999', '']) {
		const message = usageMessage(t, () => parseCount(text, '--count'));
		t.true(message.includes('--count'), `got: ${message}`);
		t.true(message.includes('accepted: a whole number'), `got: ${message}`);
	}
});
