/**
 * When the last sweep of a host finished. A tiny store rather than React state: the time changes
 * on every sweep, but the screen only where the age it shows changes.
 */
export type SweepClock = {
	readonly get: () => {readonly host: string; readonly at: number} | undefined;
	readonly set: (host: string, at: number) => void;
	readonly subscribe: (listener: () => void) => () => void;
};

export function createSweepClock(): SweepClock {
	let last: {host: string; at: number} | undefined;
	const listeners = new Set<() => void>();
	return {
		get: () => last,
		set(host, at) {
			last = {host, at};
			for (const listener of listeners) {
				listener();
			}
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => {
				listeners.delete(listener);
			};
		},
	};
}
