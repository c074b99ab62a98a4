import {pairKey} from '../probe/transitions.js';
import type {
	LocalSocket,
	PortPair,
	PortState,
	ProbeResult,
	Snapshot,
} from '../probe/types.js';
import type {SshDestination} from './destination.js';
import {insideOf, type Inside} from './inside.js';
import type {RemoteHost} from './remote-host.js';

/** One read of a host's sockets over SSH: what it listens on, or why that is unknown now. */
export type InsideRead =
	| {
			readonly isAvailable: true;
			readonly sockets: readonly LocalSocket[];
			readonly at: number;
	  }
	| {readonly isAvailable: false; readonly reason: string; readonly at: number};

/** Reads the host's sockets once; never rejects: a failure (or `signal`) is a read that says why. */
export async function readInside(
	remote: RemoteHost,
	signal?: AbortSignal,
): Promise<InsideRead> {
	try {
		const list = await remote.scanner.list({signal});
		return list.isAvailable
			? {isAvailable: true, sockets: list.sockets, at: Date.now()}
			: {
					isAvailable: false,
					reason: list.reason ?? 'ssh: unavailable',
					at: Date.now(),
				};
	} catch {
		return {
			isAvailable: false,
			reason: 'ssh: no answer from the host in time',
			at: Date.now(),
		};
	}
}

/** The inside of `result` by this read, or undefined when the read failed (unknown, never a guess). */
export function insideOfResult(
	result: Pick<ProbeResult, 'port' | 'protocol' | 'state'>,
	snapshot: Pick<Snapshot, 'target'>,
	read: InsideRead | undefined,
): Inside | undefined {
	return read?.isAvailable
		? insideOf(result, read.sockets, snapshot.target)
		: undefined;
}

/** `{ssh, isAvailable, reason?}`, as `probe --json` names the remote side. */
export function remoteToJson(destination: SshDestination, read: InsideRead) {
	return {
		ssh: destination.text,
		isAvailable: read.isAvailable,
		...(read.isAvailable ? {} : {reason: read.reason}),
	};
}

/** A port whose inside verdict changed between two consecutive reads of one watch. */
export type InsideChange = PortPair & {
	readonly state: PortState;
	readonly from: string | undefined;
	readonly to: string | undefined;
	readonly inside: Inside;
};

export type InsideUpdate = {
	/** The host's sockets could no longer be read (`lost`), or can again (`back`). */
	readonly availability?: 'lost' | 'back';
	readonly changes: readonly InsideChange[];
};

/**
The verdicts of one watch of a host over SSH, read beside each snapshot: a change is a verdict
that differs from the one the previous read gave while the probe's state stayed (a daemon that
stops listening behind a firewall: filtered from here before and after). A change of state is
the probe's transition, which carries the new verdict itself. A failed read forgets them all:
the next good read is a first sight again, never compared with a stale one.
*/
export function createInsideTracker() {
	let verdicts = new Map<
		string,
		{readonly state: PortState; readonly verdict: string | undefined}
	>();
	let wasAvailable: boolean | undefined;
	return {
		update(snapshot: Snapshot, read: InsideRead): InsideUpdate {
			const availability =
				wasAvailable === undefined || wasAvailable === read.isAvailable
					? undefined
					: read.isAvailable
						? 'back'
						: 'lost';
			wasAvailable = read.isAvailable;
			if (!read.isAvailable) {
				verdicts = new Map();
				return {availability, changes: []};
			}

			const changes: InsideChange[] = [];
			for (const result of snapshot.results) {
				const key = pairKey(result);
				const inside = insideOf(result, read.sockets, snapshot.target);
				const before = verdicts.get(key);
				if (
					before?.state === result.state &&
					before.verdict !== inside.verdict
				) {
					changes.push({
						port: result.port,
						protocol: result.protocol,
						state: result.state,
						from: before.verdict,
						to: inside.verdict,
						inside,
					});
				}

				verdicts.set(key, {state: result.state, verdict: inside.verdict});
			}

			return {...(availability && {availability}), changes};
		},
	};
}
