import test from 'ava';
import {
	initialLiveState,
	liveReducer,
	maxEvents,
	type LiveState,
} from '../source/hooks/live-state.js';
import type {
	PortState,
	ProbeResult,
	Snapshot,
	Transition,
} from '../source/probe/types.js';

const result = (
	port: number,
	state: PortState,
	at: number,
	extra: Partial<ProbeResult> = {},
): ProbeResult => ({
	port,
	protocol: 'tcp',
	host: 'localhost',
	address: '127.0.0.1',
	family: 4,
	state,
	reason: state === 'open' ? 'connected' : 'refused',
	rttMs: 0.2,
	addresses: [
		{
			address: '127.0.0.1',
			family: 4,
			state,
			reason: state === 'open' ? 'connected' : 'refused',
		},
	],
	at,
	...extra,
});

const transition = (
	port: number,
	from: PortState | undefined,
	to: PortState,
	at: number,
): Transition => ({
	port,
	protocol: 'tcp',
	host: 'localhost',
	from,
	to,
	at,
	result: result(port, to, at),
});

/** The watch reports `change`; a change flashes for 2 s. */
const reported = (change: Transition) =>
	({type: 'transition', transition: change, highlightMs: 2000}) as const;

const snapshot = (results: ProbeResult[], host = 'localhost'): Snapshot => ({
	host,
	target: {
		host,
		isResolved: true,
		addresses: [{address: '127.0.0.1', family: 4}],
	},
	startedAt: 0,
	finishedAt: results[0]?.at ?? 0,
	results,
});

function apply(
	state: LiveState,
	...actions: Array<Parameters<typeof liveReducer>[1]>
): LiveState {
	let next = state;
	for (const action of actions) {
		next = liveReducer(next, action);
	}

	return next;
}

test('a first answer is a row, not an event; a change is an event and a highlight', (t) => {
	let state = apply(
		initialLiveState('localhost'),
		reported(transition(22, undefined, 'open', 1000)),
	);
	t.is(state.rows.get('22/tcp')?.state, 'open');
	t.is(state.rows.get('22/tcp')?.since, 1000);
	t.deepEqual(state.events, []);
	t.is(state.highlights.size, 0);

	state = apply(state, reported(transition(22, 'open', 'closed', 5000)));
	t.is(state.rows.get('22/tcp')?.state, 'closed');
	t.is(state.rows.get('22/tcp')?.since, 5000);
	t.like(state.events[0], {port: 22, from: 'open', to: 'closed', at: 5000});
	t.is(state.highlights.get('22/tcp'), 7000);

	state = apply(
		state,
		reported({...transition(22, 'closed', 'open', 9000), downMs: 4000}),
	);
	t.like(state.events[1], {from: 'closed', to: 'open', downMs: 4000});

	state = apply(state, {type: 'expire', now: 10_999});
	t.is(state.highlights.size, 1);
	state = apply(state, {type: 'expire', now: 11_000});
	t.is(state.highlights.size, 0);
});

test('an equal sweep returns the same state: nothing re-renders', (t) => {
	const first = apply(
		initialLiveState('localhost'),
		reported(transition(22, undefined, 'open', 1000)),
		{
			type: 'snapshot',
			snapshot: snapshot([result(22, 'open', 1000, {rttMs: 0.2})]),
		},
	);
	const second = apply(first, {
		type: 'snapshot',
		snapshot: snapshot([result(22, 'open', 3000, {rttMs: 0.4})]),
	});
	t.is(second, first, 'a jitter under a millisecond changes nothing on screen');
	const third = apply(second, {
		type: 'snapshot',
		snapshot: snapshot([result(22, 'open', 5000, {rttMs: 30})]),
	});
	t.not(third, second);
	t.is(third.rows.get('22/tcp')?.rttMs, 30);
	const fourth = apply(third, {
		type: 'snapshot',
		snapshot: snapshot([result(22, 'open', 7000, {rttMs: 34})]),
	});
	t.is(fourth, third, 'a wobble of a few ms keeps the rtt shown');
	t.is(fourth.rows.get('22/tcp')?.since, 1000, 'since stays at the change');
});

test('loopback jitter on a busy host keeps the rtt shown; a doubling of 10 ms or more shows', (t) => {
	const first = apply(
		initialLiveState('localhost'),
		reported(transition(22, undefined, 'open', 1000)),
		{
			type: 'snapshot',
			snapshot: snapshot([result(22, 'open', 1000, {rttMs: 0.3})]),
		},
	);
	const spike = apply(first, {
		type: 'snapshot',
		snapshot: snapshot([result(22, 'open', 2000, {rttMs: 7})]),
	});
	t.is(spike, first, 'a 7 ms spike from under 1 ms draws nothing');
	const slower = apply(spike, {
		type: 'snapshot',
		snapshot: snapshot([result(22, 'open', 3000, {rttMs: 12})]),
	});
	t.is(slower.rows.get('22/tcp')?.rttMs, 12);
	const wobble = apply(slower, {
		type: 'snapshot',
		snapshot: snapshot([result(22, 'open', 4000, {rttMs: 20})]),
	});
	t.is(wobble, slower, 'from 12 ms to 20 ms is less than double');
	const doubled = apply(wobble, {
		type: 'snapshot',
		snapshot: snapshot([result(22, 'open', 5000, {rttMs: 25})]),
	});
	t.is(doubled.rows.get('22/tcp')?.rttMs, 25);
});

test('where the watch restarted, a port it reports afresh keeps its since, or makes the change it is', (t) => {
	let state = apply(
		initialLiveState('localhost'),
		reported(transition(22, undefined, 'open', 1000)),
		reported(transition(22, 'open', 'closed', 2000)),
	);
	// The set of ports changed: the new watch has not seen 22/tcp before.
	const same = apply(
		state,
		reported(transition(22, undefined, 'closed', 3000)),
	);
	t.is(same.rows.get('22/tcp')?.since, 2000);
	t.is(same.events.length, 1);

	state = apply(state, reported(transition(22, undefined, 'open', 6500)));
	t.like(state.events.at(-1), {from: 'closed', to: 'open', downMs: 4500});
});

test('results of another host start afresh', (t) => {
	const state = apply(
		initialLiveState('localhost'),
		reported(transition(22, undefined, 'open', 1000)),
		reported(transition(22, 'open', 'closed', 2000)),
		{
			type: 'snapshot',
			snapshot: snapshot([result(80, 'open', 3000, {host: '::1'})], '::1'),
		},
	);
	t.is(state.host, '::1');
	t.deepEqual([...state.rows.keys()], ['80/tcp']);
	t.deepEqual(state.events, []);
	t.is(state.answering, 'IPv4');
});

test('the event log keeps the latest events only', (t) => {
	let state = initialLiveState('localhost');
	for (let index = 0; index <= maxEvents + 10; index++) {
		state = liveReducer(state, {
			type: 'transition',
			transition: transition(
				22,
				index % 2 ? 'open' : 'closed',
				index % 2 ? 'closed' : 'open',
				index,
			),
			highlightMs: 0,
		});
	}

	t.is(state.events.length, maxEvents);
	t.is(state.events.at(-1)?.at, maxEvents + 10);
});
