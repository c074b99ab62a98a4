import test from 'ava';
import {createTransitionTracker} from '../source/probe/transitions.js';
import type {PortState, ProbeResult} from '../source/probe/types.js';
import {
	fleetReducer,
	hostView,
	initialFleetState,
	type FleetAction,
	type FleetState,
} from '../source/state/fleet-state.js';
import {maxEvents} from '../source/state/live-state.js';

/*
Several hosts' watches into one fleet state, each through a real transition tracker of its own
(as each host's watch keeps one), the way use-live routes them.
*/

function host(name: string) {
	const tracker = createTransitionTracker();
	return {
		start: (): FleetAction => ({
			type: 'host',
			host: name,
			action: {type: 'watching', host: name, keys: ['22/tcp'], isRestart: true},
		}),
		sweep(at: number, state: PortState): FleetAction {
			const result: ProbeResult = {
				port: 22,
				protocol: 'tcp',
				host: name,
				address: '127.0.0.1',
				family: 4,
				state,
				reason: state === 'open' ? 'connected' : 'refused',
				addresses: [
					{
						address: '127.0.0.1',
						family: 4,
						state,
						reason: state === 'open' ? 'connected' : 'refused',
					},
				],
				at,
			};
			const update = tracker.update({
				host: name,
				target: {
					host: name,
					isResolved: true,
					addresses: [{address: '127.0.0.1', family: 4}],
				},
				startedAt: at,
				finishedAt: at,
				results: [result],
			});
			return {
				type: 'batch',
				actions: [
					{
						type: 'host',
						host: name,
						action: {type: 'snapshot', snapshot: update.snapshot},
					},
					...update.transitions.map((transition): FleetAction => ({
						type: 'host',
						host: name,
						action: {type: 'transition', transition, highlightMs: 2000},
					})),
				],
			};
		},
	};
}

function apply(state: FleetState, ...actions: FleetAction[]): FleetState {
	let next = state;
	for (const action of actions) {
		next = fleetReducer(next, action);
	}

	return next;
}

/** Db1 and db2, each watch started. */
function twoHosts() {
	const db1 = host('db1');
	const db2 = host('db2');
	const state = apply(
		initialFleetState(['db1', 'db2']),
		db1.start(),
		db2.start(),
	);
	return {db1, db2, state};
}

test('each host its own rows; one event log in time order, ids unique across hosts', (t) => {
	const {db1, db2, state: started} = twoHosts();
	let state = apply(
		started,
		db1.sweep(1000, 'open'),
		db2.sweep(1000, 'closed'),
		// In one batch, as one microtask of use-live gathers them: db2 changes before db1.
		{
			type: 'batch',
			actions: [db1.sweep(3000, 'closed'), db2.sweep(2000, 'open')],
		},
	);
	t.is(hostView(state, 'db1').rows.get('22/tcp')?.state, 'closed');
	t.is(hostView(state, 'db2').rows.get('22/tcp')?.state, 'open');
	t.deepEqual(
		state.events.map((event) => `${event.host} ${event.at}`),
		['db2 2000', 'db1 3000'],
	);
	t.is(new Set(state.events.map((event) => event.id)).size, 2);
	t.deepEqual(hostView(state, 'db1').events, state.events);
	// A host's highlights are its own.
	t.deepEqual([...hostView(state, 'db2').highlights.keys()], ['22/tcp']);
	state = apply(state, {type: 'every', action: {type: 'acknowledge'}});
	t.is(hostView(state, 'db1').highlights.size, 0);
	t.is(hostView(state, 'db2').highlights.size, 0);
});

test('a host no longer watched loses its rows, not its events; an equal sweep changes nothing', (t) => {
	const {db1, db2, state: started} = twoHosts();
	let state = apply(
		started,
		db1.sweep(1000, 'open'),
		db1.sweep(2000, 'closed'),
	);
	const same = apply(state, {type: 'hosts', hosts: ['db1', 'db2']});
	t.is(same, state);
	state = apply(state, {type: 'hosts', hosts: ['db2', 'db3']});
	t.is(hostView(state, 'db1').rows.size, 0, 'never its old rows');
	t.is(state.events.length, 1);
	t.deepEqual(state.hosts, ['db1', 'db2']);
	const db2Open = apply(state, db2.sweep(3000, 'open'));
	const again = apply(db2Open, db2.sweep(4000, 'open'));
	t.is(hostView(again, 'db2').rows, hostView(db2Open, 'db2').rows);
});

test('the log keeps the newest maxEvents of all hosts', (t) => {
	const twins = twoHosts();
	const {db1, db2} = twins;
	let {state} = twins;
	for (let index = 0; index <= maxEvents; index++) {
		const portState: PortState = index % 2 === 0 ? 'open' : 'closed';
		state = apply(
			state,
			db1.sweep(index * 10, portState),
			db2.sweep(index * 10 + 5, portState),
		);
	}

	t.is(state.events.length, maxEvents);
	t.is(state.events.at(-1)?.host, 'db2');
	t.true(
		state.events.every(
			(event, index) => index === 0 || state.events[index - 1]!.at <= event.at,
		),
	);
});
