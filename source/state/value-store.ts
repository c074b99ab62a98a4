/**
 * A value held outside React state, with subscribers: for what changes often but shows in one
 * place, so that a change draws that place and not the component tree above it.
 */
export type ValueStore<T> = {
	readonly get: () => T;
	readonly set: (value: T) => void;
	readonly subscribe: (listener: () => void) => () => void;
};

export function createValueStore<T>(initial: T): ValueStore<T> {
	let value = initial;
	const listeners = new Set<() => void>();
	return {
		get: () => value,
		set(next) {
			if (Object.is(next, value)) {
				return;
			}

			value = next;
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
