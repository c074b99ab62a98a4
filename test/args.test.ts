import test, {type ExecutionContext} from 'ava';
import {
	parseArguments,
	parseCount,
	parseDuration,
	parseHost,
	parsePortSpec,
	parseWaitTarget,
	UsageError,
} from '../source/args.js';
import {smallCatalogue} from './helpers/catalogue.js';

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

test('tokens that look like negative numbers reach the validators', (t) => {
	const flags = {timeout: {type: 'string'}, json: {type: 'boolean'}} as const;
	const help = 'help';
	const cli = parseArguments(['host', '-22,80', '--json'], {help, flags});
	t.deepEqual(cli.input, ['host', '-22,80']);
	t.true(cli.flags.json);
	t.is(
		parseArguments(['--timeout', '-5s'], {help, flags}).flags.timeout,
		'-5s',
	);
	t.deepEqual(parseArguments(['host', '-1'], {help, flags}).input, [
		'host',
		'-1',
	]);
	t.throws(() => parseArguments(['--nope'], {help, flags}), {
		instanceOf: UsageError,
		message: /unknown option "--nope"; accepted: --timeout, --json/v,
	});
});

test('counts', (t) => {
	t.is(parseCount('3', '--count'), 3);
	t.is(parseCount(' 12 ', '--count'), 12);
	for (const text of ['0', '-1', 'x', '1.5', '99999999999', '']) {
		const message = usageMessage(t, () => parseCount(text, '--count'));
		t.true(message.includes('--count'), `got: ${message}`);
		t.true(message.includes('accepted: a whole number'), `got: ${message}`);
	}
});
