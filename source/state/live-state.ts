import {openAddresses} from '../probe/transitions.js';
import {ownerChangeText} from '../text/owner.js';
import type {
	AddressProbe,
	Family,
	PortState,
	ProbeResult,
	Protocol,
	Snapshot,
	Transition,
} from '../probe/types.js';

/**
 * What the live pane shows for one port/protocol, as the running watch last observed it: only
 * what is drawn, so an equal sweep changes nothing. A pair the running watch has not observed
 * has no row (it reads as pending), never a row from an earlier watch.
 */
export type LiveRow = {
	readonly state: PortState;
	readonly reason: string;
	/** The round-trip time on screen; it follows the probe only when the change shows. */
	readonly rttMs?: number;
	/** Epoch ms of the first observation of this state by the running watch. */
	readonly since: number;
	/** Whether the watch saw the state begin; false: it was already so at the watch's first look. */
	readonly isSinceObserved: boolean;
	/** With `isSinceObserved`: the observation before, so the state began after it. */
	readonly changedAfter?: number;
	readonly answered?: string;
	readonly mismatch?: string;
	/** Every address probed, in a few words: `127.0.0.1 open, ::1 refused`. */
	readonly addresses: string;
	/**
	 * The addresses that answer open (UDP: or stay silent, open|filtered): who holds the port is
	 * shown only for a socket that takes one of them.
	 */
	readonly openAddresses: ReadonlyArray<{
		readonly address: string;
		readonly family: Family;
	}>;
	/**
	 * Where the target has addresses of both families: which families answer open, as ss writes
	 * them (`4`, `6`, `46`); '' otherwise.
	 */
	readonly families: string;
	/** The last probe read this and the next must agree before it counts (a lost UDP reply). */
	readonly unconfirmed?: PortState;
	/** Each address as the running watch last read it, for the describe view. */
	readonly perAddress?: readonly AddressRow[];
};

/** One address of a port: its state, why, the rtt, and since when this watch has seen it so. */
export type AddressRow = {
	readonly address: string;
	readonly family: Family;
	readonly state: PortState;
	readonly reason: string;
	readonly rttMs?: number;
	/** Epoch ms of the first observation of this state of this address. */
	readonly since: number;
	/** False: it was already so when the watch first read this port. */
	readonly isSinceObserved: boolean;
};

export type LiveEvent = PortEvent | ListenerEvent;

/** A listening socket of this machine that appeared or went away, seen in the `l` view. */
export type ListenerEvent = {
	readonly kind: 'listener';
	readonly id: number;
	readonly host: string;
	readonly at: number;
	readonly port: number;
	readonly protocol: Protocol;
	/** `tcp 0.0.0.0:22`. */
	readonly socket: string;
	/** `sshd 812`, or '' where the owner is not known. */
	readonly owner: string;
	readonly hasAppeared: boolean;
};

export type PortEvent = {
	readonly kind: 'port';
	readonly id: number;
	readonly host: string;
	/** Epoch ms of the observation that saw the change. */
	readonly at: number;
	/** Epoch ms of the observation before it: the change happened in between. */
	readonly previousAt?: number;
	readonly port: number;
	readonly protocol: Protocol;
	readonly from: PortState;
	readonly to: PortState;
	/** Why it reads `to`, in a word, as `watch` prints it: refused, timeout, connected. */
	readonly reason: string;
	readonly downMs?: number;
	/** A change of one address family only: that address, and the addresses still open. */
	readonly address?: string;
	readonly stillOpen?: readonly string[];
	/** On this machine, the holders around the change: `sshd 812 → 1190 (ssh.service)`. */
	readonly owners?: string;
	/** The holder changed while the port stayed open (a reload that kept the socket): no downtime. */
	readonly isOwnerChange?: boolean;
};

export type LiveState = {
	/** The host these rows are about; rows of another host are dropped, events stay. */
	readonly host: string;
	/** Keyed `22/tcp`: only pairs the running watch observed. */
	readonly rows: ReadonlyMap<string, LiveRow>;
	/** The session's events, every host's, in time order, at most `maxEvents`. */
	readonly events: readonly LiveEvent[];
	/** Every host watched in this session, in order: events name their host once there are two. */
	readonly hosts: readonly string[];
	/** Keys changed a moment ago, with the epoch ms when their highlight ends. */
	readonly highlights: ReadonlyMap<string, number>;
	readonly error?: string;
	readonly nextEventId: number;
};

export type LiveAction =
	/** A watch (re)started (`isRestart`) or its pairs changed: rows of pairs it does not watch go. */
	| {
			readonly type: 'watching';
			readonly host: string;
			readonly keys: readonly string[];
			readonly isRestart: boolean;
	  }
	| {readonly type: 'snapshot'; readonly snapshot: Snapshot}
	| {
			readonly type: 'transition';
			readonly transition: Transition;
			readonly highlightMs: number;
	  }
	| {
			readonly type: 'listeners';
			readonly at: number;
			readonly changes: ReadonlyArray<
				Omit<ListenerEvent, 'kind' | 'id' | 'host' | 'at'>
			>;
	  }
	| {readonly type: 'expire'; readonly now: number}
	/** The user has seen the changes: their marks go. */
	| {readonly type: 'acknowledge'}
	| {readonly type: 'batch'; readonly actions: readonly LiveAction[]}
	| {readonly type: 'error'; readonly host: string; readonly message: string};

export const maxEvents = 200;

export const liveKey = (port: number, protocol: Protocol) =>
	`${port}/${protocol}`;

export const initialLiveState = (host: string): LiveState => ({
	host,
	rows: new Map(),
	events: [],
	hosts: [host],
	highlights: new Map(),
	nextEventId: 1,
});

function ownersOf(
	transition: Transition,
): Pick<PortEvent, 'owners' | 'isOwnerChange'> {
	const owners = ownerChangeText(transition.ownerBefore, transition.ownerAfter);
	return {
		...(owners !== '' && {owners}),
		...(transition.isOwnerChange && {isOwnerChange: true}),
	};
}

const describeAddresses = (addresses: readonly AddressProbe[]) =>
	addresses
		.map(
			(address) =>
				`${address.address} ${address.state === 'open' ? 'open' : address.reason}`,
		)
		.join(', ');

function familyMark(addresses: readonly AddressProbe[]): string {
	const families = new Set(addresses.map((probe) => probe.family));
	if (families.size < 2) {
		return '';
	}

	const open = new Set(
		addresses
			.filter((probe) => probe.state === 'open')
			.map((probe) => probe.family),
	);
	return `${open.has(4) ? '4' : ''}${open.has(6) ? '6' : ''}`;
}

/** The precision the pane shows: under 1 ms, whole ms, tenths of a second. */
const rttStep = (ms: number) =>
	ms < 1 ? -1 : ms < 1000 ? Math.round(ms) : 1000 + Math.round(ms / 100);

/**
 * Keeps the rtt on screen unless the new one reads differently and at least doubled or halved,
 * by 10 ms or more: loopback jitter on a busy host (<1 ms to 7 ms) redrew the pane every sweep,
 * which is bytes over SSH and half the idle CPU; a real change of path still shows. A result
 * without a measured rtt shows none.
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

/**
 * Each address's row: its since carried over while its state holds, the rtt kept steady as the
 * row's is. An address that changed while the port did not began after the previous read.
 */
function addressRows(
	result: ProbeResult,
	previous: LiveRow | undefined,
	since: number,
	isSinceObserved: boolean,
): AddressRow[] {
	return result.addresses.map((probe) => {
		const before = previous?.perAddress?.find(
			(row) => row.address === probe.address,
		);
		const isSame = before?.state === probe.state;
		return {
			address: probe.address,
			family: probe.family,
			state: probe.state,
			reason: probe.reason,
			rttMs: shownRtt(before?.rttMs, probe.rttMs),
			since: isSame ? before.since : before ? result.at : since,
			isSinceObserved: isSame
				? before.isSinceObserved
				: before
					? true
					: isSinceObserved,
		};
	});
}

function sameAddressRows(
	a: readonly AddressRow[] | undefined,
	b: readonly AddressRow[] | undefined,
): boolean {
	if (a === b) {
		return true;
	}

	return (
		a?.length === b?.length &&
		(a ?? []).every((row, index) => {
			const other = b?.[index];
			return (
				row.state === other?.state &&
				row.reason === other.reason &&
				row.rttMs === other.rttMs &&
				row.since === other.since
			);
		})
	);
}

/** Whether two rows read the same on screen. */
const sameRow = (a: LiveRow, b: LiveRow) =>
	a.state === b.state &&
	a.reason === b.reason &&
	a.rttMs === b.rttMs &&
	a.since === b.since &&
	a.isSinceObserved === b.isSinceObserved &&
	a.changedAfter === b.changedAfter &&
	a.answered === b.answered &&
	a.mismatch === b.mismatch &&
	a.addresses === b.addresses &&
	a.unconfirmed === b.unconfirmed &&
	sameAddressRows(a.perAddress, b.perAddress);

export function rowFrom(
	result: ProbeResult,
	previous: LiveRow | undefined,
): LiveRow {
	const since = result.since ?? result.at;
	const isSinceObserved = result.isSinceObserved ?? false;
	const next: LiveRow = {
		state: result.state,
		reason: result.reason,
		rttMs: shownRtt(previous?.rttMs, result.rttMs),
		since,
		isSinceObserved,
		...(result.changedAfter !== undefined && {
			changedAfter: result.changedAfter,
		}),
		answered: result.answered,
		mismatch: result.mismatch,
		addresses: describeAddresses(result.addresses),
		openAddresses: result.addresses
			.filter(
				(probe) => probe.state === 'open' || probe.state === 'open|filtered',
			)
			.map(({address, family}) => ({address, family})),
		families: familyMark(result.addresses),
		...(result.unconfirmed !== undefined && {unconfirmed: result.unconfirmed}),
		perAddress: addressRows(result, previous, since, isSinceObserved),
	};
	return previous && sameRow(previous, next) ? previous : next;
}

/**
 * The state being built by one batch: every action of a batch writes into one copy of the rows,
 * events and highlights (a batch of 256 transitions copied the rows map 256 times).
 */
type Draft = {
	host: string;
	rows: Map<string, LiveRow> | undefined;
	events: LiveEvent[] | undefined;
	hosts: readonly string[];
	highlights: Map<string, number> | undefined;
	error: string | undefined;
	nextEventId: number;
	readonly base: LiveState;
};

function draftRows(draft: Draft): Map<string, LiveRow> {
	draft.rows ??= new Map(draft.base.rows);
	return draft.rows;
}

function draftHighlights(draft: Draft): Map<string, number> {
	draft.highlights ??= new Map(draft.base.highlights);
	return draft.highlights;
}

/** The draft's highlights, or the base's when they read the same (so nothing re-renders). */
function settledHighlights(draft: Draft): ReadonlyMap<string, number> {
	const {highlights} = draft;
	const base = draft.base.highlights;
	if (!highlights) {
		return base;
	}

	const isSame =
		highlights.size === base.size &&
		[...highlights].every(([key, until]) => base.get(key) === until);
	return isSame ? base : highlights;
}

const currentRows = (draft: Draft): ReadonlyMap<string, LiveRow> =>
	draft.rows ?? draft.base.rows;

function watching(
	draft: Draft,
	action: Extract<LiveAction, {type: 'watching'}>,
): void {
	if (action.host !== draft.host) {
		draft.host = action.host;
		draft.rows = new Map();
		draft.highlights = new Map();
		draft.error = undefined;
		if (!draft.hosts.includes(action.host)) {
			draft.hosts = [...draft.hosts, action.host];
		}

		return;
	}

	const keys = new Set(action.keys);
	for (const key of currentRows(draft).keys()) {
		if (action.isRestart || !keys.has(key)) {
			draftRows(draft).delete(key);
		}
	}
}

function snapshot(draft: Draft, snapshot: Snapshot): void {
	// Results of a watch of another host are late arrivals from a stopped watch.
	if (snapshot.host !== draft.host) {
		return;
	}

	for (const result of snapshot.results) {
		const key = liveKey(result.port, result.protocol);
		const previous = currentRows(draft).get(key);
		const next = rowFrom(result, previous);
		if (next !== previous) {
			draftRows(draft).set(key, next);
		}
	}

	draft.error = undefined;
}

function transition(
	draft: Draft,
	{transition, highlightMs}: Extract<LiveAction, {type: 'transition'}>,
): void {
	// A first sight is no event; a change is logged as the tracker decided it.
	if (transition.host !== draft.host || transition.from === undefined) {
		return;
	}

	const event: LiveEvent = {
		kind: 'port',
		id: draft.nextEventId++,
		host: transition.host,
		at: transition.at,
		port: transition.port,
		protocol: transition.protocol,
		from: transition.from,
		to: transition.to,
		reason: transition.result.reason,
		...(transition.previousAt !== undefined && {
			previousAt: transition.previousAt,
		}),
		...(transition.downMs !== undefined && {downMs: transition.downMs}),
		...(transition.address !== undefined && {
			address: transition.address,
			stillOpen: openAddresses(transition.result.addresses, transition.address),
		}),
		...ownersOf(transition),
	};
	addEvent(draft, event);
	draftHighlights(draft).set(
		liveKey(transition.port, transition.protocol),
		transition.at + highlightMs,
	);
}

/** In time order: a change confirmed a sweep late dates from the sweep that first saw it. */
function addEvent(draft: Draft, event: LiveEvent): void {
	draft.events ??= [...draft.base.events];
	let index = draft.events.length;
	while (index > 0 && draft.events[index - 1]!.at > event.at) {
		index--;
	}

	draft.events.splice(index, 0, event);
}

function apply(draft: Draft, action: LiveAction): void {
	switch (action.type) {
		case 'watching': {
			watching(draft, action);
			break;
		}

		case 'snapshot': {
			snapshot(draft, action.snapshot);
			break;
		}

		case 'transition': {
			transition(draft, action);
			break;
		}

		case 'listeners': {
			for (const change of action.changes) {
				addEvent(draft, {
					kind: 'listener',
					id: draft.nextEventId++,
					host: 'this machine',
					at: action.at,
					...change,
				});
			}

			break;
		}

		case 'batch': {
			for (const item of action.actions) {
				apply(draft, item);
			}

			break;
		}

		case 'expire': {
			for (const [key, until] of draft.highlights ?? draft.base.highlights) {
				if (until <= action.now) {
					draftHighlights(draft).delete(key);
				}
			}

			break;
		}

		case 'acknowledge': {
			draft.highlights = new Map();
			break;
		}

		case 'error': {
			if (action.host === draft.host) {
				draft.error = action.message;
			}

			break;
		}
	}
}

export function liveReducer(state: LiveState, action: LiveAction): LiveState {
	const draft: Draft = {
		host: state.host,
		rows: undefined,
		events: undefined,
		hosts: state.hosts,
		highlights: undefined,
		error: state.error,
		nextEventId: state.nextEventId,
		base: state,
	};
	apply(draft, action);
	if (draft.events !== undefined && draft.events.length > maxEvents) {
		draft.events.splice(0, draft.events.length - maxEvents);
	}

	const highlights = settledHighlights(draft);
	const isSame =
		draft.host === state.host &&
		draft.rows === undefined &&
		draft.events === undefined &&
		draft.hosts === state.hosts &&
		highlights === state.highlights &&
		draft.error === state.error;
	if (isSame) {
		return state;
	}

	return {
		host: draft.host,
		rows: draft.rows ?? state.rows,
		events: draft.events ?? state.events,
		hosts: draft.hosts,
		highlights,
		...(draft.error !== undefined && {error: draft.error}),
		nextEventId: draft.nextEventId,
	};
}
