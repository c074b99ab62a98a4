/**
 * When the last sweep of a host finished. A tiny store rather than React state: the time changes
 * on every sweep, but the screen only where the age it shows changes.
 */
export type SweepClock = {
	/** The last sweep of `host` (of any host without one): several hosts are watched at once. */
	readonly get: (
		host?: string,
	) => {readonly host: string; readonly at: number} | undefined;
	readonly set: (host: string, at: number) => void;
	/** A watch of `host` (re)starts: an earlier watch's sweeps say nothing about it. */
	readonly forget: (host: string) => void;
	readonly subscribe: (listener: () => void) => () => void;
};

export function createSweepClock(): SweepClock {
	let last: {host: string; at: number} | undefined;
	const byHost = new Map<string, {host: string; at: number}>();
	const listeners = new Set<() => void>();
	return {
		get: (host) => (host === undefined ? last : byHost.get(host)),
		set(host, at) {
			last = {host, at};
			byHost.set(host, last);
			for (const listener of listeners) {
				listener();
			}
		},
		forget(host) {
			byHost.delete(host);
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => {
				listeners.delete(listener);
			};
		},
	};
}
