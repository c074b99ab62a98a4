import test from 'ava';
import {
	parseDuration,
	parseHost,
	parsePortSpec,
	type PortCatalogue,
	UsageError,
} from '../source/args.js';
import {resolveTarget} from '../source/probe/targets.js';
import {smallCatalogue} from './helpers/catalogue.js';
import {assertUsageError, runCli} from './helpers/cli.js';
import {hasUnsafeCharacter} from './helpers/probe-servers.js';

// The red-team corpus of issue 12 for arguments: it only grows. Whatever an argument holds, the
// message that echoes it is one short line with nothing a terminal could act on.
const esc = '\u001B';
const bel = '\u0007';
const title = `${esc}]0;PWNED${bel}`;
const long = 'a'.repeat(100_000);

const echoed: ReadonlyArray<readonly string[]> = [
	['list', title],
	['list', `${long}${title}`],
	['list', 'ssh', '--proto', title],
	['list', 'ssh', '--catalogue', `/nonexistent/${title}`],
	['list', 'ssh', '--catalogue', `/nonexistent/${long}`],
	['list', `--${title}`],
	['list', `--${long}`],
	['probe', title, '22'],
	['probe', `${long}.example`, '22'],
	['probe', '127.0.0.1', title],
	['probe', '127.0.0.1', `22/${title}`],
	['probe', '127.0.0.1', `22,${long}`],
	['probe', '127.0.0.1', '22', '--timeout', title],
	['probe', '127.0.0.1', '22', '--catalogue', `/nonexistent/${title}`],
	['watch', '127.0.0.1', '22', '--interval', title],
	['watch', '127.0.0.1', '22', '--count', title],
	['wait', `${title}:22`],
	['wait', `127.0.0.1:${title}`],
	['wait', `127.0.0.1:22/${title}`],
	['wait', '127.0.0.1:22', '--probe-timeout', `\u009B2J${long}`],
	[title],
	['127.0.0.1', '--interval', `\u202E${title}`],
];

for (const args of echoed) {
	const name = JSON.stringify(args.map((arg) => arg.slice(0, 30)));
	test(`echoed escaped and capped: ${name}`, async (t) => {
		const result = await runCli(args);
		t.true(
			result.exitCode === 2 || result.exitCode === 1,
			`exit ${result.exitCode}`,
		);
		t.is(result.stdout, '');
		t.regex(result.stderr, /^portui: [^\n]+\n$/v, 'one line');
		t.false(
			hasUnsafeCharacter(result.stderr.slice(0, -1)),
			`${JSON.stringify(result.stderr.slice(0, 300))}`,
		);
		t.true(result.stderr.length < 500, `${result.stderr.length} bytes`);
	});
}

// Item 14: domainToASCII keeps what precedes / ? # \ and reads hex and octal as IPv4 numbers.
const notHosts = [
	'127.1/8',
	'0x7f.1/',
	'0x7f.1',
	'0177.0.0.1',
	'2130706433/',
	'127.0.0.1/8',
	'localhost/x',
	'localhost?x',
	'localhost#x',
	String.raw`localhost\x`,
	'local%68ost',
	'user@localhost',
	'a.0x7f',
	`local${esc}host`,
	'local\u202Ehost',
	'localhost\u0000',
	title,
];

for (const host of notHosts) {
	test(`not a host: ${JSON.stringify(host)}`, async (t) => {
		t.throws(() => parseHost(host), {instanceOf: UsageError});
		const target = await resolveTarget(host);
		t.false(target.isResolved);
		const error = target.isResolved ? '' : target.error;
		t.false(hasUnsafeCharacter(error), `${JSON.stringify(error)}`);
	});
}

test('a host with a slash is refused before any probe', async (t) => {
	const result = await runCli(['probe', '127.1/8', '22', '--json']);
	assertUsageError(t, result, 'bad host "127.1/8"');
});

// Item 13: the whole spec is checked before any of it is expanded or looked up.
function countingCatalogue(catalogue: PortCatalogue) {
	const counter = {lookups: 0};
	const counting: PortCatalogue = {
		curated: catalogue.curated,
		byName(name) {
			counter.lookups++;
			return catalogue.byName(name);
		},
	};
	return {counting, counter};
}

test('a bad item anywhere fails before any name is looked up', async (t) => {
	const {counting, counter} = countingCatalogue(await smallCatalogue());
	const error = t.throws(
		() => parsePortSpec(`ssh,${'1-65535,'.repeat(1000)}x!`, counting),
		{instanceOf: UsageError},
	);
	t.regex(
		error.message,
		/^bad port "x!" in "ssh,1-65535,.{45}\.\.\.": not a port/v,
	);
	t.is(counter.lookups, 0);
});

test('a thousand copies of 1-65535 are 65,535 ports, once each', (t) => {
	const pairs = parsePortSpec(
		Array.from({length: 1000}, () => '1-65535').join(','),
		undefined,
	);
	t.is(pairs.length, 65_535);
	t.deepEqual(pairs[0], {port: 1, protocol: 'tcp'});
	t.deepEqual(pairs.at(-1), {port: 65_535, protocol: 'tcp'});
	t.is(
		parsePortSpec('1-65535,1-65535/udp,22', undefined, {protocol: 'all'})
			.length,
		131_070,
	);
});

test('the order given is kept, without duplicates', async (t) => {
	const catalogue = await smallCatalogue();
	t.deepEqual(
		parsePortSpec('80,ssh,22,79-81,dns', catalogue).map(
			({port, protocol}) => `${port}/${protocol}`,
		),
		['80/tcp', '22/tcp', '79/tcp', '81/tcp', '53/tcp', '53/udp'],
	);
});

// Item 17: repeated flags, short flags, the flag a message names, the unit the help promises.
const repeated: ReadonlyArray<readonly string[]> = [
	['probe', '127.0.0.1', '22', '--timeout', '1s', '--timeout', '2s'],
	['probe', '127.0.0.1', '22', '--proto', 'tcp', '--proto', 'udp'],
	['list', 'ssh', '--proto', 'tcp', '--proto', 'udp'],
	['list', 'ssh', '--catalogue', 'a', '--catalogue', 'b'],
	['watch', '127.0.0.1', '22', '--interval', '1s', '--interval', '2s'],
	['watch', '127.0.0.1', '22', '--count', '1', '--count', '2'],
	['wait', '127.0.0.1:22', '--timeout', '1s', '--timeout', '2s'],
	['wait', '127.0.0.1:22', '--probe-timeout', '1s', '--probe-timeout', '2s'],
	['--interval', '1s', '--interval', '2s'],
];

for (const args of repeated) {
	test(`a repeated flag is bad input: ${args.join(' ')}`, async (t) => {
		const flag = args.find((arg) => arg.startsWith('--'))!;
		const result = await runCli(args);
		assertUsageError(t, result, `${flag} is given more than once`);
	});
}

for (const [short, long] of [
	['-h', 'Usage'],
	['-v', '0.1.0'],
] as const) {
	test(`${short} is what it looks like, and swallows nothing`, async (t) => {
		for (const command of [['list'], ['probe'], []]) {
			// eslint-disable-next-line no-await-in-loop -- three runs
			const result = await runCli([...command, short, 'ssh']);
			t.is(result.exitCode, 0);
			t.true(result.stdout.includes(long), `${result.stdout}`);
		}
	});
}

test('wait --probe-timeout names itself', async (t) => {
	const result = await runCli([
		'wait',
		'127.0.0.1:1',
		'--probe-timeout',
		'5ms',
	]);
	assertUsageError(t, result, 'bad --probe-timeout "5ms": out of range');
});

test('days, as wait --help promises "up to 24d"', (t) => {
	t.is(parseDuration('24d', '--timeout', {minMs: 0}), 24 * 86_400_000);
	t.is(parseDuration('1.5d', '--timeout', {minMs: 0}), 129_600_000);
	t.throws(() => parseDuration('25d', '--timeout', {minMs: 0}), {
		message: /from 0s to 24\.8d/v,
	});
});

test('a port spec with a shell command says what is wrong with it', async (t) => {
	const catalogue = await smallCatalogue();
	t.throws(() => parsePortSpec('ssh;rm -rf /', catalogue), {
		message: /^bad port "ssh;rm -rf \/": not a port, range or service name;/v,
	});
});
