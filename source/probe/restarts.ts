import {pairKey} from './transitions.js';
import type {
	PortState,
	ProbeResult,
	SocketHolder,
	Transition,
} from './types.js';

/*
What a restart did to each watched port, gathered from one watch's observations and its tracker's
transitions (transitions.ts decides what a change is; this only keeps the account): the state and
holder at the first and the last observation, every outage the watch saw with its downtime and the
holders around it, and every change of holder while the port stayed open.
*/

export type Outage = {
	/** The observation that first found the port not open. */
	readonly leftAt: number;
	/** The observation before it, which still read open. */
	readonly previousAt?: number;
	/** The observation that found it open again; absent while it is still down. */
	readonly backAt?: number;
	readonly downMs?: number;
	readonly ownerBefore?: SocketHolder;
	readonly ownerAfter?: SocketHolder;
	/** The state it was in while down (the last one seen). */
	readonly downState: PortState;
};

export type OwnerChange = {
	readonly at: number;
	readonly ownerBefore: SocketHolder;
	readonly ownerAfter: SocketHolder;
};

export type PortRestart = {
	readonly host: string;
	readonly port: number;
	readonly protocol: ProbeResult['protocol'];
	readonly before: PortState;
	readonly beforeOwner?: SocketHolder;
	readonly after: PortState;
	readonly afterOwner?: SocketHolder;
	readonly outages: readonly Outage[];
	readonly ownerChanges: readonly OwnerChange[];
};

type Entry = {
	-readonly [K in keyof PortRestart]: PortRestart[K];
} & {outages: Outage[]; ownerChanges: OwnerChange[]};

export type RestartLog = {
	/** Every result as the watch delivered it (after the tracker). */
	readonly result: (result: ProbeResult) => void;
	readonly transition: (transition: Transition) => void;
	readonly ports: () => readonly PortRestart[];
	readonly port: (
		host: string,
		pair: ProbeResult | Transition,
	) => PortRestart | undefined;
};

const entryKey = (host: string, pair: {port: number; protocol: string}) =>
	`${host} ${pairKey(pair as ProbeResult)}`;

export function createRestartLog(): RestartLog {
	const entries = new Map<string, Entry>();
	return {
		result(result) {
			const key = entryKey(result.host, result);
			const entry = entries.get(key);
			if (entry) {
				entry.after = result.state;
				entry.afterOwner = result.owner;
				return;
			}

			entries.set(key, {
				host: result.host,
				port: result.port,
				protocol: result.protocol,
				before: result.state,
				after: result.state,
				...(result.owner && {
					beforeOwner: result.owner,
					afterOwner: result.owner,
				}),
				outages: [],
				ownerChanges: [],
			});
		},
		transition(transition) {
			const entry = entries.get(entryKey(transition.host, transition));
			// A first sight is the baseline (the result gives it); a family's change is not the port's.
			if (
				!entry ||
				transition.from === undefined ||
				transition.address !== undefined
			) {
				return;
			}

			if (transition.isOwnerChange) {
				entry.ownerChanges.push({
					at: transition.at,
					ownerBefore: transition.ownerBefore!,
					ownerAfter: transition.ownerAfter!,
				});
				return;
			}

			const last = entry.outages.at(-1);
			const isDown = last !== undefined && last.backAt === undefined;
			if (transition.to === 'open' && isDown) {
				entry.outages[entry.outages.length - 1] = {
					...last,
					backAt: transition.at,
					...(transition.downMs !== undefined && {downMs: transition.downMs}),
					...(transition.ownerAfter && {ownerAfter: transition.ownerAfter}),
				};
			} else if (transition.from === 'open' && transition.to !== 'open') {
				entry.outages.push({
					leftAt: transition.at,
					...(transition.previousAt !== undefined && {
						previousAt: transition.previousAt,
					}),
					...(transition.ownerBefore && {ownerBefore: transition.ownerBefore}),
					downState: transition.to,
				});
			} else if (isDown && transition.to !== 'open') {
				entry.outages[entry.outages.length - 1] = {
					...last,
					downState: transition.to,
				};
			}
		},
		ports: () => [...entries.values()],
		port: (host, pair) => entries.get(entryKey(host, pair)),
	};
}

/** Whether the port went down and came back, or changed holder, since the log began. */
export const hasRestarted = (port: PortRestart) =>
	port.outages.some((outage) => outage.backAt !== undefined) ||
	port.ownerChanges.length > 0;

/** Whether anything happened to the port: an outage, a new holder, or a state other than at first. */
export const hasChanged = (port: PortRestart) =>
	port.outages.length > 0 ||
	port.ownerChanges.length > 0 ||
	port.before !== port.after;
