import test from 'ava';
import {render} from 'ink-testing-library';
import stringWidth from 'string-width';
import {
	Header,
	headerText,
	type HeaderFit,
	type HeaderProps,
} from '../source/components/header.js';
import {createSweepClock} from '../source/state/sweep-clock.js';

// Issue 13: at 80 columns the header hid `open only · by state` (what o and s changed). It has
// to fit at 80x24 and at 60x16, the least useful parts giving way first.

/** A header with everything in it: a host name, a filter, a sort, the counts, two cadences. */
function busyHeader(width: number, props: Partial<HeaderProps> = {}) {
	const clock = createSweepClock();
	clock.set(props.host ?? 'db.example', Date.now());
	const {lastFrame, unmount} = render(
		<Header
			width={width}
			host="db.example"
			targetNote="192.0.2.7"
			protocol="tcp"
			count="12/81  2 alarm"
			arrangement="open only · by state"
			states={{observed: 12, open: 9, down: 1}}
			intervalMs={2000}
			cadence={{udp: '24s'}}
			isIdle={false}
			isBellOn={false}
			clock={clock}
			isColor={false}
			{...props}
		/>,
	);
	const frame = lastFrame() ?? '';
	unmount();
	return frame;
}

/** At 60 columns: a shorter host, no alarm. */
const quieter = {host: 'localhost', targetNote: '127.0.0.1', count: '12/81'};

for (const [width, props] of [
	[80, {}],
	[60, quieter],
] as const) {
	test(`at ${width} columns the filter, the sort, the counts and the age all show`, (t) => {
		const frame = busyHeader(width, props);
		t.is(frame.split('\n').length, 1);
		t.true(stringWidth(frame) <= width, `${frame}`);
		t.false(frame.includes('…'), `nothing cut: ${frame}`);
		t.regex(
			frame,
			/ tcp {2}12\/81(?: {2}2 alarm)? open(?: only)? · by state /v,
		);
		t.regex(frame, / 9 open · 1 down {2}live$/v);
	});
}

test('at 80 columns the words, the address, the interval and the name give way; at 60 open only too', (t) => {
	t.is(
		busyHeader(80),
		'db.example  tcp  12/81  2 alarm open only · by state  9 open · 1 down  live',
	);
	t.is(
		busyHeader(80, quieter),
		'portui  localhost  tcp  12/81 open only · by state  9 open · 1 down  live',
	);
	t.is(
		busyHeader(60, quieter),
		'localhost  tcp  12/81 open · by state  9 open · 1 down  live',
	);
});

test('a header that fits is whole: the words proto and every stay', (t) => {
	t.is(
		busyHeader(140),
		'portui  db.example (192.0.2.7)  proto tcp  12/81  2 alarm open only · by state  every tcp 2s · udp 24s  9 open · 1 down  live',
	);
});

function fit(width: number, fields: Partial<HeaderFit> = {}) {
	const {isBranded, text} = headerText({
		host: '127.0.0.1',
		targetNote: '127.0.0.1',
		protocol: 'all',
		count: '81/81',
		arrangement: 'open only',
		every: '2s',
		rightWidth: 'live'.length,
		width,
		...fields,
	});
	return `${isBranded ? 'portui  ' : ''}127.0.0.1${text}live`;
}

test('what gives way, in order: words, an address that repeats the host, proto all, the address, the interval, the name, open only', (t) => {
	const widths = new Map<number, string>();
	for (let width = 80; width >= 20; width--) {
		const line = fit(width);
		if (!widths.has(line.length) && stringWidth(line) <= width) {
			widths.set(line.length, line);
		}
	}

	t.deepEqual(
		[...widths.values()],
		[
			'portui  127.0.0.1 (127.0.0.1)  proto all  81/81 open only  every 2s  live',
			'portui  127.0.0.1 (127.0.0.1)  all  81/81 open only  2s  live',
			'portui  127.0.0.1  all  81/81 open only  2s  live',
			'portui  127.0.0.1  81/81 open only  2s  live',
			'portui  127.0.0.1  81/81 open only  live',
			'127.0.0.1  81/81 open only  live',
			'127.0.0.1  81/81 open  live',
		],
	);
	t.is(
		fit(45, {targetNote: '10.0.0.1', protocol: 'udp'}),
		'portui  127.0.0.1  udp  81/81 open only  live',
		'an address of its own goes before a protocol that filters',
	);
	t.is(
		fit(80, {every: undefined}),
		'portui  127.0.0.1 (127.0.0.1)  proto all  81/81 open only  live',
		'idle: no interval',
	);
});

test('too narrow for even the last form: cut at the margin, the counts and the age kept', (t) => {
	const frame = busyHeader(40);
	t.true(stringWidth(frame) <= 40, `${frame}`);
	t.regex(frame, /9 open · 1 down {2}live$/v);
});
