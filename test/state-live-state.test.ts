import test from 'ava';
import {
	createTransitionTracker,
	type TransitionTracker,
} from '../source/probe/transitions.js';
import type {
	AddressProbe,
	PortState,
	ProbeResult,
	Protocol,
	Snapshot,
	SocketHolder,
} from '../source/probe/types.js';
import {
	initialLiveState,
	liveReducer,
	maxEvents,
	type LiveAction,
	type LiveState,
} from '../source/state/live-state.js';
import {changeText} from '../source/text/change.js';

/*
The live state fed the way the dashboard feeds it: raw sweep results through the real transition
tracker (as the watch does), then the snapshot and its transitions into the reducer.
*/

const reasonOf = (state: PortState) =>
	state === 'open' ? 'connected' : state === 'closed' ? 'refused' : 'timeout';

type Answer = {
	readonly port: number;
	readonly state: PortState;
	readonly protocol?: Protocol;
	readonly v6?: PortState;
	readonly rttMs?: number;
	/** The holder on this machine, as a watch with `readOwners` gives it. */
	readonly owner?: SocketHolder;
};

function result(answer: Answer, at: number, host = 'localhost'): ProbeResult {
	const {port, state, protocol = 'tcp', v6, rttMs = 0.2, owner} = answer;
	const addresses: AddressProbe[] = [
		{address: '127.0.0.1', family: 4, state, reason: reasonOf(state), rttMs},
	];
	if (v6) {
		addresses.push({
			address: '::1',
			family: 6,
			state: v6,
			reason: reasonOf(v6),
			rttMs,
		});
	}

	const best =
		addresses.find((probe) => probe.state === 'open') ?? addresses[0]!;
	return {
		port,
		protocol,
		host,
		...best,
		addresses,
		at,
		...(owner && {owner}),
	};
}

const snapshot = (results: ProbeResult[], host = 'localhost'): Snapshot => ({
	host,
	target: {
		host,
		isResolved: true,
		addresses: [{address: '127.0.0.1', family: 4}],
	},
	startedAt: results[0]?.at ?? 0,
	finishedAt: results[0]?.at ?? 0,
	results,
});

const portEvents = (state: LiveState) =>
	state.events.filter((event) => event.kind === 'port');

/** A dashboard session: one tracker per watch, as the real watch keeps one. */
function session(host = 'localhost') {
	let state = initialLiveState(host);
	let tracker: TransitionTracker = createTransitionTracker();
	let watchedHost = host;
	const dispatch = (action: LiveAction) => {
		state = liveReducer(state, action);
	};

	return {
		get state() {
			return state;
		},
		/** A watch (re)started on `keys`. */
		start(keys: string[], nextHost = watchedHost) {
			tracker = createTransitionTracker();
			watchedHost = nextHost;
			dispatch({type: 'watching', host: nextHost, keys, isRestart: true});
		},
		/** The pairs in view changed: the watch keeps the ones that stay. */
		setKeys(keys: string[]) {
			tracker.retain(
				keys.map((key) => ({
					port: Number(key.split('/')[0]),
					protocol: key.endsWith('udp') ? 'udp' : 'tcp',
				})),
			);
			dispatch({type: 'watching', host: watchedHost, keys, isRestart: false});
		},
		sweep(at: number, ...answers: Answer[]) {
			const update = tracker.update(
				snapshot(
					answers.map((answer) => result(answer, at, watchedHost)),
					watchedHost,
				),
			);
			dispatch({
				type: 'batch',
				actions: [
					{type: 'snapshot', snapshot: update.snapshot},
					...update.transitions.map(
						(transition) =>
							({type: 'transition', transition, highlightMs: 2000}) as const,
					),
				],
			});
			return update.transitions;
		},
	};
}

test('a first answer is a row, not an event; a change is an event and a highlight', (t) => {
	const live = session();
	live.start(['22/tcp']);
	live.sweep(1000, {port: 22, state: 'open'});
	t.like(live.state.rows.get('22/tcp'), {
		state: 'open',
		since: 1000,
		isSinceObserved: false,
	});
	t.deepEqual(live.state.events, []);
	live.sweep(3000, {port: 22, state: 'closed'});
	t.like(live.state.rows.get('22/tcp'), {
		state: 'closed',
		since: 3000,
		isSinceObserved: true,
	});
	t.like(live.state.events[0], {
		port: 22,
		from: 'open',
		to: 'closed',
		at: 3000,
		previousAt: 1000,
	});
	t.is(live.state.highlights.get('22/tcp'), 5000);
});

test('an equal sweep returns the same state: nothing re-renders', (t) => {
	const live = session();
	live.start(['22/tcp']);
	live.sweep(1000, {port: 22, state: 'open'});
	const first = live.state;
	live.sweep(3000, {port: 22, state: 'open', rttMs: 0.3});
	t.is(
		live.state,
		first,
		'a jitter under a millisecond changes nothing on screen',
	);
});

test('loopback jitter keeps the rtt shown; a doubling of 10 ms or more shows', (t) => {
	const live = session();
	live.start(['22/tcp']);
	live.sweep(1000, {port: 22, state: 'open', rttMs: 0.4});
	live.sweep(2000, {port: 22, state: 'open', rttMs: 7});
	t.is(live.state.rows.get('22/tcp')?.rttMs, 0.4);
	live.sweep(3000, {port: 22, state: 'open', rttMs: 40});
	t.is(live.state.rows.get('22/tcp')?.rttMs, 40);
});

test('a row that leaves the watch is pending when it returns, and its first answer after the gap is no change', (t) => {
	const live = session();
	live.start(['22/tcp', '40080/tcp']);
	live.sweep(1000, {port: 22, state: 'open'}, {port: 40_080, state: 'closed'});
	// Scrolled out of view: the watch stops observing 40080; it opens meanwhile.
	live.setKeys(['22/tcp']);
	t.false(
		live.state.rows.has('40080/tcp'),
		'not watched: no row, not its old state',
	);
	live.sweep(3000, {port: 22, state: 'open'});
	live.setKeys(['22/tcp', '40080/tcp']);
	t.false(
		live.state.rows.has('40080/tcp'),
		'back in view, not probed yet: pending',
	);
	const changes = live.sweep(
		27_000,
		{port: 22, state: 'open'},
		{port: 40_080, state: 'open'},
	);
	t.like(live.state.rows.get('40080/tcp'), {
		state: 'open',
		since: 27_000,
		isSinceObserved: false,
	});
	t.deepEqual(live.state.events, [], 'nothing was seen changing: no event');
	t.is(changes.find((change) => change.port === 40_080)?.from, undefined);
});

test('a port closed while out of view and reopened: no downtime that was not observed', (t) => {
	const live = session();
	live.start(['80/tcp']);
	live.sweep(1000, {port: 80, state: 'open'});
	live.setKeys([]);
	live.setKeys(['80/tcp']);
	live.sweep(9000, {port: 80, state: 'closed'});
	t.like(live.state.rows.get('80/tcp'), {
		state: 'closed',
		isSinceObserved: false,
	});
	t.deepEqual(live.state.events, []);
	live.sweep(11_000, {port: 80, state: 'open'});
	t.like(live.state.events.at(-1), {from: 'closed', to: 'open', at: 11_000});
	t.is(
		portEvents(live.state).at(-1)?.downMs,
		undefined,
		'it was never seen open before',
	);
});

test('downtime: seen open, then not open, then open again, in one watch', (t) => {
	const live = session();
	live.start(['22/tcp']);
	live.sweep(1000, {port: 22, state: 'open'});
	live.sweep(3000, {port: 22, state: 'closed'});
	live.sweep(5000, {port: 22, state: 'closed'});
	live.sweep(7000, {port: 22, state: 'open'});
	t.like(live.state.events.at(-1), {
		from: 'closed',
		to: 'open',
		at: 7000,
		previousAt: 5000,
		downMs: 4000,
	});
	// A restart of the watch (another interval) starts afresh: the next return has no downtime.
	live.start(['22/tcp']);
	t.is(live.state.rows.size, 0);
	live.sweep(9000, {port: 22, state: 'closed'});
	live.sweep(11_000, {port: 22, state: 'open'});
	t.is(portEvents(live.state).at(-1)?.downMs, undefined);
});

test('UDP: a reply lost once is no change; open|filtered twice is one change, dated when first seen', (t) => {
	const live = session();
	live.start(['53/udp']);
	const udp = (state: PortState) => ({
		port: 53,
		protocol: 'udp' as const,
		state,
	});
	live.sweep(1000, udp('open'));
	live.sweep(3000, udp('open|filtered'));
	t.like(live.state.rows.get('53/udp'), {
		state: 'open',
		unconfirmed: 'open|filtered',
	});
	live.sweep(5000, udp('open'));
	t.deepEqual(live.state.events, [], 'one lost reply is noise');
	t.is(live.state.rows.get('53/udp')?.unconfirmed, undefined);
	live.sweep(7000, udp('open|filtered'));
	live.sweep(9000, udp('open|filtered'));
	t.is(live.state.events.length, 1);
	t.like(live.state.events[0], {
		from: 'open',
		to: 'open|filtered',
		at: 7000,
		previousAt: 5000,
	});
	// A real close is not held.
	live.sweep(11_000, udp('closed'));
	t.like(live.state.events.at(-1), {
		from: 'open|filtered',
		to: 'closed',
		at: 11_000,
	});
});

test('events are listed in time order, however late a change is confirmed', (t) => {
	const live = session();
	live.start(['53/udp', '22/tcp']);
	const udp = (state: PortState) => ({
		port: 53,
		protocol: 'udp' as const,
		state,
	});
	live.sweep(1000, udp('open'), {port: 22, state: 'open'});
	live.sweep(3000, udp('open|filtered'), {port: 22, state: 'open'});
	live.sweep(5000, udp('open|filtered'), {port: 22, state: 'closed'});
	t.deepEqual(
		live.state.events.map((event) => [event.port, event.at]),
		[
			[53, 3000],
			[22, 5000],
		],
	);
	// Confirmed at 5000 but seen at 3000: listed before 22's change, whatever order they came in.
	const late = session();
	late.start(['22/tcp', '53/udp']);
	late.sweep(1000, {port: 22, state: 'open'}, udp('open'));
	late.sweep(3000, {port: 22, state: 'closed'}, udp('open|filtered'));
	late.sweep(5000, {port: 22, state: 'closed'}, udp('open|filtered'));
	t.deepEqual(
		late.state.events.map((event) => event.at),
		[3000, 3000],
	);
});

test('one family going down is an event naming it, while the port stays open', (t) => {
	const live = session();
	live.start(['80/tcp']);
	live.sweep(1000, {port: 80, state: 'open', v6: 'open'});
	t.is(live.state.rows.get('80/tcp')?.families, '46');
	live.sweep(3000, {port: 80, state: 'open', v6: 'closed'});
	t.is(live.state.rows.get('80/tcp')?.families, '4');
	t.like(live.state.events[0], {
		port: 80,
		address: '::1',
		from: 'open',
		to: 'closed',
		at: 3000,
		stillOpen: ['127.0.0.1'],
	});
	live.sweep(5000, {port: 80, state: 'open', v6: 'open'});
	t.like(live.state.events[1], {address: '::1', from: 'closed', to: 'open'});
	t.is(live.state.rows.get('80/tcp')?.families, '46');
});

test('the event log belongs to the session: another host keeps it, and each event names its host', (t) => {
	const live = session('localhost');
	live.start(['22/tcp']);
	live.sweep(1000, {port: 22, state: 'open'});
	live.sweep(3000, {port: 22, state: 'closed'});
	live.start(['22/tcp'], '::1');
	t.is(live.state.host, '::1');
	t.is(live.state.rows.size, 0, 'rows are of one host');
	t.is(live.state.events.length, 1, 'the log stays');
	t.deepEqual(live.state.hosts, ['localhost', '::1']);
	live.sweep(5000, {port: 22, state: 'open'});
	live.sweep(7000, {port: 22, state: 'closed'});
	t.deepEqual(
		live.state.events.map((event) => event.host),
		['localhost', '::1'],
	);
});

test('a batch of many changes applies in one copy and equals them one by one', (t) => {
	const tracker = createTransitionTracker();
	const ports = Array.from({length: 300}, (_, index) => 1000 + index);
	const first = tracker.update(
		snapshot(ports.map((port) => result({port, state: 'open'}, 1000))),
	);
	const second = tracker.update(
		snapshot(ports.map((port) => result({port, state: 'closed'}, 2000))),
	);
	const actions: LiveAction[] = [first, second].flatMap((update) => [
		{type: 'snapshot', snapshot: update.snapshot} as const,
		...update.transitions.map(
			(transition) =>
				({type: 'transition', transition, highlightMs: 0}) as const,
		),
	]);
	const batched = liveReducer(initialLiveState('localhost'), {
		type: 'batch',
		actions,
	});
	let stepped: LiveState = initialLiveState('localhost');
	for (const action of actions) {
		stepped = liveReducer(stepped, action);
	}

	t.is(batched.events.length, 200, 'at most maxEvents');
	t.deepEqual(batched.rows, stepped.rows);
	t.deepEqual(
		batched.events.map((event) => event.port),
		stepped.events.map((event) => event.port),
	);
});

test('the event log keeps the latest events only', (t) => {
	const live = session();
	live.start(['22/tcp']);
	for (let index = 0; index <= maxEvents + 10; index++) {
		live.sweep(1000 * index, {
			port: 22,
			state: index % 2 === 0 ? 'open' : 'closed',
		});
	}

	t.is(live.state.events.length, maxEvents);
	t.is(live.state.events.at(-1)?.at, 1000 * (maxEvents + 10));
});

test('a family coming back names no others; one going down names those still open', (t) => {
	const live = session();
	live.start(['80/tcp']);
	live.sweep(1000, {port: 80, state: 'open', v6: 'open'});
	live.sweep(2000, {port: 80, state: 'open', v6: 'closed'});
	live.sweep(3000, {port: 80, state: 'open', v6: 'open'});
	t.deepEqual(
		live.state.events.map((event) => event.kind === 'port' && event.stillOpen),
		[['127.0.0.1'], ['127.0.0.1']],
	);
	t.deepEqual(
		live.state.events.map((event) =>
			event.kind === 'port' ? changeText(event) : '',
		),
		['::1 open -> closed (127.0.0.1 still open)', '::1 closed -> open'],
	);
});

test('on this machine a restart names the holders, and a new holder without an outage is an event of its own (issue 14)', (t) => {
	const live = session();
	live.start(['22/tcp']);
	const before = {pid: 812, process: 'sshd'};
	const after = {pid: 1190, process: 'sshd'};
	const reloaded = {pid: 1500, process: 'sshd'};
	live.sweep(1000, {port: 22, state: 'open', owner: before});
	live.sweep(2000, {port: 22, state: 'closed'});
	live.sweep(3000, {port: 22, state: 'open', owner: after});
	live.sweep(4000, {port: 22, state: 'open', owner: reloaded});
	const events = portEvents(live.state);
	t.like(events[0], {from: 'open', to: 'closed', owners: 'was sshd 812'});
	t.like(events[1], {
		from: 'closed',
		to: 'open',
		downMs: 1000,
		owners: 'sshd 812 → 1190',
	});
	t.like(events[2], {isOwnerChange: true, owners: 'sshd 1190 → 1500'});
	t.is(events.length, 3);
});
