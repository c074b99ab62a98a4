import {createValueStore} from './value-store.js';

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
	const last = createValueStore<ReturnType<SweepClock['get']>>(undefined);
	const byHost = new Map<string, {host: string; at: number}>();
	return {
		get: (host) => (host === undefined ? last.get() : byHost.get(host)),
		set(host, at) {
			const sweep = {host, at};
			byHost.set(host, sweep);
			last.set(sweep);
		},
		forget(host) {
			byHost.delete(host);
		},
		subscribe: last.subscribe,
	};
}
