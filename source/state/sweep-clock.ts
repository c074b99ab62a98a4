import {createValueStore} from './value-store.js';

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
	const last = createValueStore<ReturnType<SweepClock['get']>>(undefined);
	return {
		get: last.get,
		set(host, at) {
			last.set({host, at});
		},
		subscribe: last.subscribe,
	};
}
