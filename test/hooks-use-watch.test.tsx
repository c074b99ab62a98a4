/* @jsxRuntime automatic */
import test from 'ava';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {
	pairsKey,
	useWatch,
	type UseWatchOptions,
} from '../source/hooks/use-watch.js';
import type {PortPair, Snapshot} from '../source/probe/types.js';
import {createFakeProbe, type FakeProbe} from './helpers/dashboard.js';
import {flush} from './helpers/ink.js';

function Probe({watch, ...options}: UseWatchOptions) {
	useWatch({watch, ...options});
	return <Text>watching</Text>;
}

const ssh: PortPair = {port: 22, protocol: 'tcp'};
const dns: PortPair = {port: 53, protocol: 'udp'};

/** A Probe on the fake's watch: localhost, ssh, every 2 s, unless `props` say otherwise. */
const probeOn = (fake: FakeProbe, props: Partial<UseWatchOptions> = {}) => (
	<Probe
		watch={fake.service.watch}
		host="localhost"
		pairs={[ssh]}
		intervalMs={2000}
		{...props}
	/>
);

test('starts one watch on mount with the host, the pairs and the interval', async (t) => {
	const fake = createFakeProbe();
	const instance = render(probeOn(fake, {pairs: [ssh, dns]}));
	t.teardown(instance.unmount);
	await flush();
	t.is(fake.watches.length, 1);
	const [watch] = fake.watches;
	t.is(watch!.request.host, 'localhost');
	t.is(watch!.request.intervalMs, 2000);
	t.deepEqual(watch!.request.pairs, [ssh, dns]);
});

test('restarts when the host or the interval changes, and only then; new pairs go to the running watch', async (t) => {
	const fake = createFakeProbe();
	const onSnapshot = () => undefined;
	const instance = render(probeOn(fake, {onSnapshot}));
	t.teardown(instance.unmount);
	await flush();

	// A new array with the same pairs and new callbacks: a re-render, not a restart.
	instance.rerender(
		probeOn(fake, {pairs: [{...ssh}], onSnapshot: () => undefined}),
	);
	await flush();
	t.is(fake.watches.length, 1);

	instance.rerender(probeOn(fake, {host: '::1'}));
	await flush();
	t.is(fake.watches.length, 2);
	t.true(fake.watches[0]!.isStopped, 'the watch of the old host is stopped');
	t.is(fake.watches[1]!.request.host, '::1');

	// A scroll: the same watch goes on, told the new set, so the rows that stay keep their history.
	instance.rerender(probeOn(fake, {host: '::1', pairs: [ssh, dns]}));
	await flush();
	t.is(fake.watches.length, 2);
	t.false(fake.watches[1]!.isStopped);
	t.deepEqual(fake.watches[1]!.pairSets.at(-1), [ssh, dns]);

	instance.rerender(
		probeOn(fake, {host: '::1', pairs: [ssh, dns], intervalMs: 500}),
	);
	await flush();
	t.is(fake.watches.length, 3);
	t.is(fake.watches[2]!.request.intervalMs, 500);
	t.deepEqual(fake.watches[2]!.request.pairs, [ssh, dns]);
	t.is(fake.active().length, 1, 'never two watches at once');
});

test('the latest callback gets the results; a stopped watch reports nothing more', async (t) => {
	const fake = createFakeProbe();
	const seen: string[] = [];
	const instance = render(
		probeOn(fake, {
			onSnapshot() {
				seen.push('first');
			},
		}),
	);
	await flush();
	instance.rerender(
		probeOn(fake, {
			onSnapshot(snapshot: Snapshot) {
				seen.push(`second ${snapshot.results.length}`);
			},
		}),
	);
	await flush();
	fake.sweep([{...ssh, state: 'open'}]);
	t.deepEqual(seen, ['second 1']);

	const [watch] = fake.watches;
	instance.unmount();
	t.true(watch!.isStopped, 'unmount stops the watch');
	// A sweep that was under way when the watch stopped must not reach the unmounted dashboard.
	watch!.request.onSnapshot?.({
		host: 'localhost',
		target: {host: 'localhost', isResolved: false, error: ''},
		startedAt: 0,
		finishedAt: 0,
		results: [],
	});
	t.deepEqual(seen, ['second 1']);
});

test('no pairs, or isActive false: no watch', async (t) => {
	const fake = createFakeProbe();
	const instance = render(probeOn(fake, {pairs: []}));
	t.teardown(instance.unmount);
	await flush();
	instance.rerender(probeOn(fake, {isActive: false}));
	await flush();
	t.is(fake.watches.length, 0);
	instance.rerender(probeOn(fake));
	await flush();
	t.is(fake.watches.length, 1);
});

test('pairsKey names the set in order', (t) => {
	t.is(pairsKey([ssh, dns]), '22/tcp,53/udp');
	t.is(pairsKey([]), '');
});
