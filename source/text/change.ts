import type {PortState} from '../probe/types.js';

/** A change of state as the event log and `watch` write it. */
export type ChangeLike = {
	readonly from: PortState;
	readonly to: PortState;
	/** A change of one address family only. */
	readonly address?: string;
	/** The addresses still open after a change of one family. */
	readonly stillOpen?: readonly string[];
};

/**
 * Its parts around the new state, so a terminal can colour that state: `::1 open -> ` before it,
 * ` (127.0.0.1 still open)` after it; a change of the whole port is just `open -> `.
 */
export function changeParts(change: ChangeLike): {
	readonly before: string;
	readonly after: string;
} {
	const who = change.address === undefined ? '' : `${change.address} `;
	// Only a family that stopped answering needs the others named: the port is still open.
	const others = (change.stillOpen ?? []).filter(
		(address) => address !== change.address,
	);
	const still =
		change.address !== undefined && change.to !== 'open' && others.length > 0
			? ` (${others.join(', ')} still open)`
			: '';
	return {before: `${who}${change.from} -> `, after: still};
}

export function changeText(change: ChangeLike): string {
	const {before, after} = changeParts(change);
	return `${before}${change.to}${after}`;
}
