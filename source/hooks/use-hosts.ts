import {
	type Dispatch,
	useCallback,
	useLayoutEffect,
	useRef,
	useState,
} from 'react';
import type {DashboardAction} from '../state/dashboard-state.js';
import type {PinStore} from '../state/pins-store.js';

export type UseHostsOptions = {
	/** The hosts of the command line, the shown one first. */
	readonly initialHosts: readonly string[];
	/** The host shown now (the target): one of the hosts, or one `:` put in the shown one's place. */
	readonly host: string;
	/** Ask for another host to be shown (the target resolves it first). */
	readonly change: (host: string) => void;
	readonly pinStore?: PinStore;
	/** Ports of the command line: every host's watch list. */
	readonly initialPins?: readonly string[];
	/** The shown host's pins, as the dashboard state holds them. */
	readonly pinned: readonly string[];
	readonly dispatch: Dispatch<DashboardAction>;
	/** A warning of the pins file, read for a host shown for the first time. */
	readonly onNotice: (text: string) => void;
};

export type Hosts = {
	/** Every host watched at once, in the order given. */
	readonly hosts: readonly string[];
	/** Each host's pins (the shown host's are `pinned`). */
	readonly pinsOf: (host: string) => readonly string[];
	/** The shown host's pins changed: kept for when it is shown again. */
	readonly setPins: (host: string, pins: readonly string[]) => void;
	/** `h` and `H`: show the next or the previous host. */
	readonly step: (by: 1 | -1) => void;
};

const noPins: readonly string[] = [];

/**
 * The hosts of a dashboard that watches several at once. One is shown; `:` puts a new host in
 * its place, and each host keeps its own pins, loaded from the pins file once.
 */
export function useHosts({
	initialHosts,
	host,
	change,
	pinStore,
	initialPins,
	pinned,
	dispatch,
	onNotice,
}: UseHostsOptions): Hosts {
	const [hosts, setHosts] = useState(initialHosts);
	const [pinMap, setPinMap] = useState<ReadonlyMap<string, readonly string[]>>(
		() =>
			new Map(
				initialHosts.map((item) => [
					item,
					initialPins ?? pinStore?.load(item).pins ?? noPins,
				]),
			),
	);
	const shown = useRef(host);
	// In the commit that shows the host: no frame shows it with the pins of the one before.
	useLayoutEffect(() => {
		const previous = shown.current;
		if (previous === host) {
			return;
		}

		shown.current = host;

		setHosts((list) =>
			list.includes(host)
				? list
				: list.map((item) => (item === previous ? host : item)),
		);
		let next = pinMap.get(host);
		if (next === undefined && pinStore) {
			const loaded = pinStore.load(host);
			next = loaded.pins;
			if (loaded.warning) {
				onNotice(loaded.warning);
			}

			setPinMap((map) => new Map(map).set(host, loaded.pins));
		}

		// Without a pins file a new host keeps the pins of the one it replaced, as with one host.
		if (next !== undefined) {
			dispatch({type: 'set-pins', pins: next});
		}
	}, [host, pinMap, pinStore, dispatch, onNotice]);

	const setPins = useCallback((of: string, next: readonly string[]) => {
		setPinMap((map) => new Map(map).set(of, next));
	}, []);
	const pinsOf = useCallback(
		(of: string) => (of === host ? pinned : (pinMap.get(of) ?? noPins)),
		[host, pinned, pinMap],
	);
	const step = useCallback(
		(by: 1 | -1) => {
			if (hosts.length < 2) {
				return;
			}

			const index = Math.max(0, hosts.indexOf(host));
			change(hosts[(index + by + hosts.length) % hosts.length]!);
		},
		[hosts, host, change],
	);
	return {hosts, pinsOf, setPins, step};
}
