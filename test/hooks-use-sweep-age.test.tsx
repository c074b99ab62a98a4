/* @jsxRuntime automatic */
import {mock} from 'node:test';
import test from 'ava';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {
	createSweepClock,
	type SweepClock,
} from '../source/state/sweep-clock.js';
import {
	describeSweepAge,
	staleAfterMs,
	useSweepAge,
} from '../source/hooks/use-sweep-age.js';
import {flush} from './helpers/ink.js';

function Age({
	clock,
	onRender,
}: {
	readonly clock: SweepClock;
	readonly onRender: () => void;
}) {
	const {label} = useSweepAge({clock, host: 'localhost', intervalMs: 2000});
	onRender();
	return <Text>{label}</Text>;
}

test('the label: probing, live while on time, then the age of a late sweep in whole units', (t) => {
	t.like(
		describeSweepAge(undefined, {host: 'localhost', intervalMs: 2000, now: 0}),
		{label: 'probing'},
	);
	t.like(
		describeSweepAge(
			{host: 'localhost', at: 0},
			{host: 'localhost', intervalMs: 2000, now: 60_000, isIdle: true},
		),
		{label: 'nothing to probe', isStale: false},
		'nothing watched: nothing is late',
	);
	t.like(
		describeSweepAge(
			{host: 'other', at: 0},
			{host: 'localhost', intervalMs: 2000, now: 0},
		),
		{
			label: 'probing',
		},
	);
	t.like(
		describeSweepAge(
			{host: 'localhost', at: 0},
			{host: 'localhost', intervalMs: 2000, now: 6999},
		),
		{label: 'live', nextChangeInMs: 1},
	);
	t.like(
		describeSweepAge(
			{host: 'localhost', at: 0},
			{host: 'localhost', intervalMs: 2000, now: 7000},
		),
		{label: 'last sweep 7s ago', isStale: true, nextChangeInMs: 1000},
	);
	t.like(
		describeSweepAge(
			{host: 'localhost', at: 0},
			{host: 'localhost', intervalMs: 2000, now: 7400},
		),
		{label: 'last sweep 7s ago', nextChangeInMs: 600},
	);
	t.like(
		describeSweepAge(
			{host: 'localhost', at: 0},
			{host: 'localhost', intervalMs: 2000, now: 125_000},
		),
		{label: 'last sweep 2m ago', nextChangeInMs: 55_000},
	);
	t.like(
		describeSweepAge(
			{host: 'localhost', at: 0},
			{host: 'localhost', intervalMs: 2000, now: 7_200_000},
		),
		{label: 'last sweep 2h ago'},
	);
	t.is(staleAfterMs(500), 4000);
});

test.serial(
	'sweeps on time re-render nothing; a late one ticks once a second; unmount clears the timer',
	async (t) => {
		mock.timers.enable({apis: ['setTimeout', 'Date'], now: 1_000_000});
		const clock = createSweepClock();
		const counter = {renders: 0};
		const instance = render(
			<Age
				clock={clock}
				onRender={() => {
					counter.renders++;
				}}
			/>,
		);
		/** The text once `ms` more have passed. */
		const textAfter = async (ms: number) => {
			mock.timers.tick(ms);
			await flush();
			return instance.lastFrame();
		};

		try {
			await flush();
			t.is(instance.lastFrame(), 'probing');
			clock.set('localhost', Date.now());
			await flush();
			t.is(instance.lastFrame(), 'live');
			const {renders} = counter;

			// Ten sweeps on time: the text stays `live`, and nothing renders.
			for (let sweep = 0; sweep < 10; sweep++) {
				mock.timers.tick(2000);
				clock.set('localhost', Date.now());
				// eslint-disable-next-line no-await-in-loop
				await flush();
			}

			t.is(counter.renders, renders);

			// The sweeps stop: live until the threshold, then once a second.
			t.is(await textAfter(6999), 'live');
			t.is(await textAfter(1), 'last sweep 7s ago');
			t.is(await textAfter(999), 'last sweep 7s ago');
			t.is(await textAfter(1), 'last sweep 8s ago');
			t.is(counter.renders, renders + 2, 'one render per change of the text');

			clock.set('localhost', Date.now());
			await flush();
			t.is(instance.lastFrame(), 'live');

			instance.unmount();
			const after = counter.renders;
			mock.timers.tick(60_000);
			await flush();
			t.is(counter.renders, after, 'no timer left after unmount');
		} finally {
			instance.unmount();
			mock.timers.reset();
		}
	},
);
