import test from 'ava';
import {bestRtt} from '../source/probe/rtt-clock.js';

test('bestRtt shows the least recent clean sample, and nothing without one', (t) => {
	const key = 'test 192.0.2.1 tcp 1';
	t.is(bestRtt(key, undefined, 0), undefined);
	t.is(bestRtt(key, 5, 1000), 5);
	t.is(bestRtt(key, 3, 2000), 3);
	t.is(bestRtt(key, 4, 3000), 3, 'a larger sample does not hide the smaller');
	t.is(
		bestRtt(key, undefined, 4000),
		3,
		'a polluted sample stands on the clean ones',
	);
});

test('bestRtt forgets samples after a minute and keeps the last five', (t) => {
	const key = 'test 192.0.2.1 tcp 2';
	t.is(bestRtt(key, 1, 0), 1);
	t.is(
		bestRtt(key, undefined, 61_000),
		undefined,
		'a minute-old sample is not shown',
	);
	for (const [index, sample] of [2, 9, 9, 9, 9].entries()) {
		bestRtt(key, sample, 70_000 + index);
	}

	t.is(bestRtt(key, undefined, 70_010), 2);
	t.is(bestRtt(key, 9, 70_020), 9, 'the sixth sample pushed the 2 out');
});
