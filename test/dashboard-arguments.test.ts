import test from 'ava';
import {UsageError} from '../source/cli-error.js';
import {parseDashboardArguments} from '../source/commands/dashboard.js';

const utf8 = {LANG: 'en_US.UTF-8'};
const tty = {isTTY: true};

test('defaults: localhost every 2s, the probe’s own timeout, box drawing in a UTF-8 locale, colour on a terminal', (t) => {
	t.deepEqual(parseDashboardArguments([], utf8, tty), {
		host: 'localhost',
		ports: undefined,
		intervalMs: 2000,
		timeoutMs: undefined,
		userFile: undefined,
		isAscii: false,
		isColor: true,
		theme: 'auto',
	});
});

test('host, interval, timeout, catalogue and --ascii', (t) => {
	const settings = parseDashboardArguments(
		[
			'[::1]',
			'--interval',
			'250ms',
			'--timeout',
			'1.5s',
			'--catalogue',
			'/tmp/mine.json',
			'--ascii',
		],
		utf8,
		tty,
	);
	t.like(settings, {
		host: '::1',
		intervalMs: 250,
		timeoutMs: 1500,
		userFile: '/tmp/mine.json',
		isAscii: true,
	});
});

test('ASCII borders when the locale is not UTF-8; no colour under NO_COLOR', (t) => {
	t.true(parseDashboardArguments([], {LANG: 'C'}, tty).isAscii);
	t.true(parseDashboardArguments([], {}, tty).isAscii);
	t.false(parseDashboardArguments([], {...utf8, NO_COLOR: '1'}, tty).isColor);
});

test('bad input is a UsageError naming the value and what is accepted', (t) => {
	const cases: Array<[string[], RegExp]> = [
		[['--interval', '10ms'], /bad --interval "10ms": out of range/v],
		[['--interval', '5'], /give a unit/v],
		[['--timeout', 'never'], /bad --timeout "never"/v],
		[['host one'], /bad host "host one"/v],
		[
			['a.example', '22', 'b.example'],
			/ports "22" before the host "b\.example": the ports go last/v,
		],
		[['a.example', 'b example', '22'], /bad host "b example"/v],
		[
			['a.example', 'ssh://b.example:99999'],
			/bad host "ssh:\/\/b\.example:99999": the port must be 1-65535/v,
		],
		[
			['--colour'],
			/unknown option "--colour"; accepted: --interval, --timeout, --catalogue, --ascii/v,
		],
	];
	for (const [argv, message] of cases) {
		const error = t.throws(() => parseDashboardArguments(argv, utf8, tty), {
			instanceOf: UsageError,
		});
		t.regex(error.message, message);
	}
});

test('--theme light or dark wins over COLORFGBG; a bad value names itself and what is accepted', (t) => {
	t.is(parseDashboardArguments(['--theme', 'light'], utf8, tty).theme, 'light');
	t.is(
		parseDashboardArguments([], {...utf8, COLORFGBG: '0;15'}, tty).theme,
		'light',
	);
	t.is(
		parseDashboardArguments(
			['--theme', 'dark'],
			{...utf8, COLORFGBG: '0;15'},
			tty,
		).theme,
		'dark',
	);
	t.throws(() => parseDashboardArguments(['--theme', 'blue'], utf8, tty), {
		message: 'bad --theme "blue"; accepted: light, dark',
	});
});

test('several hosts: the last argument is PORTS when it reads as ports', (t) => {
	const isPorts = (word: string) => word === 'ssh';
	t.like(parseDashboardArguments(['db1', 'db2', 'ssh://db3'], utf8, tty), {
		host: 'db1',
		hosts: [{host: 'db1'}, {host: 'db2'}, {host: 'db3'}],
		ports: undefined,
	});
	t.is(
		parseDashboardArguments(['db1', 'ssh://db3'], utf8, tty).hosts?.[1]
			?.destination?.text,
		'ssh://db3',
	);
	for (const ports of ['22', '22,443', '8000-8010', '53/udp', 'ssh']) {
		const settings = parseDashboardArguments(
			['db1', 'db2', ports],
			utf8,
			tty,
			isPorts,
		);
		t.is(settings.ports, ports);
		t.is(settings.hosts?.length, 2);
	}

	// One host and PORTS, as before; a name the catalogue does not know is a host.
	t.like(parseDashboardArguments(['localhost', 'ssh'], utf8, tty, isPorts), {
		host: 'localhost',
		ports: 'ssh',
	});
	t.like(parseDashboardArguments(['db1', '10.0.0.2'], utf8, tty, isPorts), {
		hosts: [{host: 'db1'}, {host: '10.0.0.2'}],
		ports: undefined,
	});
});
