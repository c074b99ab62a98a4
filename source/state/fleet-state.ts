import {
	initialLiveState,
	liveReducer,
	maxEvents,
	type LiveAction,
	type LiveEvent,
	type LiveState,
} from './live-state.js';

/**
 * The live state of every host the dashboard watches at once: each host's rows, highlights and
 * error as the one-host reducer keeps them, and one event log for all, in time order, so a
 * rolling restart reads as it went. A host's rows are never shown for another host.
 */
export type FleetState = {
	/** Each watched host's state; its `events` are always empty (they live in `events`). */
	readonly byHost: ReadonlyMap<string, LiveState>;
	/** Every host's events, oldest first, at most `maxEvents`. */
	readonly events: readonly LiveEvent[];
	/** Every host watched this session, in order: events name their host once there are two. */
	readonly hosts: readonly string[];
	readonly nextEventId: number;
};

export type FleetAction =
	/** An action about one host's watch. */
	| {readonly type: 'host'; readonly host: string; readonly action: LiveAction}
	/** An action for every host: `acknowledge`, `expire`. */
	| {readonly type: 'every'; readonly action: LiveAction}
	/** The hosts watched now: the state of any other host goes (its events stay). */
	| {readonly type: 'hosts'; readonly hosts: readonly string[]}
	| {readonly type: 'batch'; readonly actions: readonly FleetAction[]};

export const initialFleetState = (hosts: readonly string[]): FleetState => ({
	byHost: new Map(),
	events: [],
	hosts,
	nextEventId: 1,
});

const emptyEvents: readonly LiveEvent[] = [];

/** One host's state before an action: its own, or a fresh one; ids continue the fleet's. */
function hostState(state: FleetState, host: string): LiveState {
	const current = state.byHost.get(host) ?? initialLiveState(host);
	return {...current, events: emptyEvents, nextEventId: state.nextEventId};
}

function mergeEvents(
	events: readonly LiveEvent[],
	added: readonly LiveEvent[],
): readonly LiveEvent[] {
	if (added.length === 0) {
		return events;
	}

	const merged = [...events];
	for (const event of added) {
		let index = merged.length;
		while (index > 0 && merged[index - 1]!.at > event.at) {
			index--;
		}

		merged.splice(index, 0, event);
	}

	return merged.length > maxEvents
		? merged.slice(merged.length - maxEvents)
		: merged;
}

/** Applies `actions` (one batch) to `host`'s state: one copy of its rows for the whole batch. */
function applyToHost(
	state: FleetState,
	host: string,
	actions: readonly LiveAction[],
): FleetState {
	const before = hostState(state, host);
	const after = liveReducer(before, {type: 'batch', actions});
	if (after === before && state.byHost.has(host)) {
		return state;
	}

	const byHost = new Map(state.byHost);
	byHost.set(host, {...after, events: emptyEvents});
	return {
		byHost,
		events: mergeEvents(state.events, after.events),
		hosts: state.hosts.includes(host) ? state.hosts : [...state.hosts, host],
		nextEventId: after.nextEventId,
	};
}

/** The batch's actions by host, in order; `every` goes to each host in state. */
function groupByHost(
	state: FleetState,
	actions: readonly FleetAction[],
	groups: Map<string, LiveAction[]>,
): void {
	for (const action of actions) {
		switch (action.type) {
			case 'batch': {
				groupByHost(state, action.actions, groups);

				break;
			}

			case 'host': {
				const group = groups.get(action.host) ?? [];
				group.push(action.action);
				groups.set(action.host, group);

				break;
			}

			case 'every': {
				for (const host of new Set([
					...state.byHost.keys(),
					...groups.keys(),
				])) {
					const group = groups.get(host) ?? [];
					group.push(action.action);
					groups.set(host, group);
				}

				break;
			}

			case 'hosts': {
				// Not in a batch: the reducer applies it alone.
				break;
			}
		}
	}
}

function keepHosts(state: FleetState, hosts: readonly string[]): FleetState {
	const kept = new Set(hosts);
	if ([...state.byHost.keys()].every((host) => kept.has(host))) {
		return state;
	}

	return {
		...state,
		byHost: new Map([...state.byHost].filter(([host]) => kept.has(host))),
	};
}

export function fleetReducer(
	state: FleetState,
	action: FleetAction,
): FleetState {
	if (action.type === 'hosts') {
		return keepHosts(state, action.hosts);
	}

	const groups = new Map<string, LiveAction[]>();
	groupByHost(state, [action], groups);
	let next = state;
	for (const [host, actions] of groups) {
		next = applyToHost(next, host, actions);
	}

	return next;
}

/** One host's state as the one-host panes read it: its rows, and every host's events. */
export function hostView(state: FleetState, host: string): LiveState {
	const own = state.byHost.get(host) ?? initialLiveState(host);
	return {
		...own,
		events: state.events,
		hosts: state.hosts,
		nextEventId: state.nextEventId,
	};
}
