import type {
	Family,
	PortState,
	ProbeResult,
	Protocol,
	Snapshot,
	Transition,
} from '../probe/types.js';

/** What the live pane shows for one port/protocol: only what is drawn, so an equal sweep changes nothing. */
export type LiveRow = {
	readonly state: PortState;
	readonly reason: string;
	/** The round-trip time on screen; it follows the probe only when the change shows. */
	readonly rttMs?: number;
	/** Epoch ms of the last change of state (or of the first answer). */
	readonly since: number;
	readonly answered?: string;
	readonly mismatch?: string;
	/** Every address probed, in a few words: `127.0.0.1 open, ::1 refused`. */
	readonly addresses: string;
};

export type LiveEvent = {
	readonly id: number;
	readonly at: number;
	readonly port: number;
	readonly protocol: Protocol;
	readonly from: PortState;
	readonly to: PortState;
	readonly downMs?: number;
};

export type LiveState = {
	/** The host these results are about; results of another host start afresh. */
	readonly host: string;
	/** Keyed `22/tcp`. */
	readonly rows: ReadonlyMap<string, LiveRow>;
	/** Oldest first, at most `maxEvents`. */
	readonly events: readonly LiveEvent[];
	/** Keys changed a moment ago, with the epoch ms when their highlight ends. */
	readonly highlights: ReadonlyMap<string, number>;
	/** The address families that answered in the last sweep: `IPv4`, `IPv6`, `IPv4+IPv6`, or ''. */
	readonly answering: string;
	readonly error?: string;
	readonly nextEventId: number;
};

export type LiveAction =
	| {readonly type: 'snapshot'; readonly snapshot: Snapshot}
	| {
			readonly type: 'transition';
			readonly transition: Transition;
			readonly highlightMs: number;
	  }
	| {readonly type: 'expire'; readonly now: number}
	| {readonly type: 'batch'; readonly actions: readonly LiveAction[]}
	| {readonly type: 'error'; readonly host: string; readonly message: string};

export const maxEvents = 200;

export const liveKey = (port: number, protocol: Protocol) =>
	`${port}/${protocol}`;

export const initialLiveState = (host: string): LiveState => ({
	host,
	rows: new Map(),
	events: [],
	highlights: new Map(),
	answering: '',
	nextEventId: 1,
});

const describeAddresses = (result: ProbeResult) =>
	result.addresses
		.map(
			(address) =>
				`${address.address} ${address.state === 'open' ? 'open' : address.reason}`,
		)
		.join(', ');

/** The precision the pane shows: under 1 ms, whole ms, tenths of a second. */
const rttStep = (ms: number) =>
	ms < 1 ? -1 : ms < 1000 ? Math.round(ms) : 1000 + Math.round(ms / 100);

/**
 * Keeps the rtt on screen unless the new one reads differently and at least doubled or halved,
 * by 10 ms or more: loopback jitter on a busy host (<1 ms to 7 ms) redrew the pane every sweep,
 * which is bytes over SSH and half the idle CPU; a real change of path still shows.
 */
function shownRtt(
	previous: number | undefined,
	next: number | undefined,
): number | undefined {
	if (previous === undefined || next === undefined) {
		return next;
	}

	if (rttStep(previous) === rttStep(next)) {
		return previous;
	}

	return Math.abs(next - previous) >= Math.max(10, Math.min(next, previous))
		? next
		: previous;
}

/** Whether two rows read the same on screen. */
const sameRow = (a: LiveRow, b: LiveRow) =>
	a.state === b.state &&
	a.reason === b.reason &&
	a.rttMs === b.rttMs &&
	a.since === b.since &&
	a.answered === b.answered &&
	a.mismatch === b.mismatch &&
	a.addresses === b.addresses;

function rowFrom(
	result: ProbeResult,
	previous: LiveRow | undefined,
	since: number,
): LiveRow {
	const next: LiveRow = {
		state: result.state,
		reason: result.reason,
		rttMs: shownRtt(previous?.rttMs, result.rttMs),
		since,
		answered: result.answered,
		mismatch: result.mismatch,
		addresses: describeAddresses(result),
	};
	return previous && sameRow(previous, next) ? previous : next;
}

const familyLabel = (families: ReadonlySet<Family>) =>
	[families.has(4) ? 'IPv4' : '', families.has(6) ? 'IPv6' : '']
		.filter(Boolean)
		.join('+');

function forHost(state: LiveState, host: string): LiveState {
	return state.host === host ? state : initialLiveState(host);
}

function addEvent(
	state: LiveState,
	event: Omit<LiveEvent, 'id'>,
	highlightUntil: number | undefined,
): LiveState {
	const events = [...state.events, {...event, id: state.nextEventId}];
	if (events.length > maxEvents) {
		events.splice(0, events.length - maxEvents);
	}

	const highlights = new Map(state.highlights);
	if (highlightUntil !== undefined) {
		highlights.set(liveKey(event.port, event.protocol), highlightUntil);
	}

	return {...state, events, highlights, nextEventId: state.nextEventId + 1};
}

/**
 * A change of state comes from the watch's transitions. Where the watch restarted (the set of
 * ports changed) it reports a port it has not seen before with `from: undefined`; the state shown
 * until then is the real `from`, so the change is not lost at the seam.
 */
function applyTransition(
	state: LiveState,
	transition: Transition,
	highlightMs: number,
): LiveState {
	const key = liveKey(transition.port, transition.protocol);
	const previous = state.rows.get(key);
	const from = transition.from ?? previous?.state;
	const rows = new Map(state.rows);
	if (from === undefined || from === transition.to) {
		// A first answer, or the seam of a restart with nothing changed: no event, `since` stays.
		const since =
			previous?.state === transition.to ? previous.since : transition.at;
		rows.set(key, rowFrom(transition.result, previous, since));
		return {...state, rows};
	}

	rows.set(key, rowFrom(transition.result, previous, transition.at));
	let {downMs} = transition;
	if (
		downMs === undefined &&
		transition.from === undefined &&
		transition.to === 'open' &&
		previous
	) {
		downMs = transition.at - previous.since;
	}

	return addEvent(
		{...state, rows},
		{
			at: transition.at,
			port: transition.port,
			protocol: transition.protocol,
			from,
			to: transition.to,
			downMs,
		},
		transition.at + highlightMs,
	);
}

function applySnapshot(state: LiveState, snapshot: Snapshot): LiveState {
	let rows: Map<string, LiveRow> | undefined;
	const families = new Set<Family>();
	for (const result of snapshot.results) {
		if (result.state === 'open') {
			families.add(result.family);
		}

		const key = liveKey(result.port, result.protocol);
		const previous = state.rows.get(key);
		// A state the transitions did not announce is left to them; the rest of the row follows the sweep.
		const since = previous?.since ?? result.at;
		const next =
			previous && previous.state !== result.state
				? previous
				: rowFrom(result, previous, since);
		if (next !== previous) {
			rows ??= new Map(state.rows);
			rows.set(key, next);
		}
	}

	const answering = familyLabel(families);
	if (!rows && answering === state.answering && state.error === undefined) {
		return state;
	}

	return {...state, rows: rows ?? state.rows, answering, error: undefined};
}

export function liveReducer(state: LiveState, action: LiveAction): LiveState {
	switch (action.type) {
		case 'snapshot': {
			return applySnapshot(
				forHost(state, action.snapshot.host),
				action.snapshot,
			);
		}

		case 'transition': {
			return applyTransition(
				forHost(state, action.transition.host),
				action.transition,
				action.highlightMs,
			);
		}

		case 'batch': {
			let next = state;
			for (const item of action.actions) {
				next = liveReducer(next, item);
			}

			return next;
		}

		case 'expire': {
			const highlights = new Map(
				[...state.highlights].filter(([, until]) => until > action.now),
			);
			return highlights.size === state.highlights.size
				? state
				: {...state, highlights};
		}

		case 'error': {
			const next = forHost(state, action.host);
			return next.error === action.message
				? next
				: {...next, error: action.message};
		}
	}
}
