import {
	useCallback,
	useEffect,
	useMemo,
	useReducer,
	useRef,
	useState,
} from 'react';
import {formatCadence} from '../text/cadence.js';
import type {Snapshot, Transition} from '../probe/types.js';
import type {LiveAction, LiveState} from '../state/live-state.js';
import {
	type FleetAction,
	type FleetState,
	fleetReducer,
	hostView,
	initialFleetState,
} from '../state/fleet-state.js';
import {
	ownerLabel,
	socketId,
	type ListenerChange,
} from '../state/listener-items.js';
import {createSweepClock, type SweepClock} from '../state/sweep-clock.js';

export type UseLiveOptions = {
	/** The host shown: `state` is its. */
	readonly host: string;
	/** Every host watched now (the shown one among them); the state of others goes. */
	readonly hosts?: readonly string[];
	/** The interval asked for: a lane's cadence shows only where it differs. */
	readonly intervalMs: number;
	/** How long a changed row stays marked unless a key acknowledges it first. */
	readonly highlightMs?: number;
	/** Called for every change of state (not for a first answer), e.g. to ring the bell. */
	readonly onChange?: (transition: Transition) => void;
};

export type Live = {
	/** The shown host's rows, with every host's events. */
	readonly state: LiveState;
	/** Every watched host's state. */
	readonly fleet: FleetState;
	readonly clock: SweepClock;
	/** A key was pressed: the user has seen the marked changes. */
	readonly acknowledge: () => void;
	readonly onWatching: (
		host: string,
		keys: readonly string[],
		isRestart: boolean,
	) => void;
	readonly onSnapshot: (snapshot: Snapshot) => void;
	readonly onTransition: (transition: Transition) => void;
	/** An error of `host`'s watch; the shown host's without one. */
	readonly onError: (error: unknown, host?: string) => void;
	/**
	 * The cadence of each protocol's sweeps where it is not the interval (a UDP sweep of a remote
	 * host goes at the pace its ICMP rate limit allows): `{udp: '24s'}`.
	 */
	readonly cadence: Readonly<Partial<Record<'tcp' | 'udp', string>>>;
	readonly onCadence: (
		lane: 'tcp' | 'udp' | 'all',
		ms: number,
		host?: string,
	) => void;
	/** Listening sockets of this machine that appeared or went away. */
	readonly onListeners: (changes: readonly ListenerChange[]) => void;
};

const noHosts: readonly string[] = [];
type Cadence = Readonly<Partial<Record<'tcp' | 'udp', string>>>;
const noCadence: Cadence = {};

/**
 * The live results of the watches (one a host) as the panes draw them. The time of the last
 * sweep changes on every sweep, so it lives in a clock outside React state: only the header's
 * age subscribes.
 */
export function useLive({
	host,
	hosts = noHosts,
	intervalMs,
	highlightMs = 30_000,
	onChange,
}: UseLiveOptions): Live {
	const [cadences, setCadences] = useState<ReadonlyMap<string, Cadence>>(
		() => new Map(),
	);
	const onCadence = useCallback(
		(lane: 'tcp' | 'udp' | 'all', ms: number, of = host) => {
			if (lane === 'all') {
				return;
			}

			const text = formatCadence(ms);
			const shown = text === formatCadence(intervalMs) ? undefined : text;
			setCadences((previous) => {
				const cadence = previous.get(of) ?? noCadence;
				return cadence[lane] === shown
					? previous
					: new Map(previous).set(of, {...cadence, [lane]: shown});
			});
		},
		[intervalMs, host],
	);
	const cadence = cadences.get(host) ?? noCadence;
	const [fleet, dispatch] = useReducer(
		fleetReducer,
		hosts.length > 0 ? hosts : [host],
		initialFleetState,
	);
	const hostsKey = hosts.join(' ');
	useEffect(() => {
		if (hostsKey !== '') {
			dispatch({type: 'hosts', hosts: hostsKey.split(' ')});
		}
	}, [hostsKey]);
	const state = useMemo(() => hostView(fleet, host), [fleet, host]);
	const clock = useMemo(() => createSweepClock(), []);
	const queue = useRef<FleetAction[]>([]);

	// The watch reports a sweep as a snapshot and then its transitions, each a call of its own:
	// one dispatch for all of them draws one frame per sweep, not one per call.
	const enqueue = useCallback((host: string, action: LiveAction) => {
		queue.current.push({type: 'host', host, action});
		if (queue.current.length === 1) {
			queueMicrotask(() => {
				const actions = queue.current;
				queue.current = [];
				dispatch({type: 'batch', actions});
			});
		}
	}, []);

	const onWatching = useCallback(
		(host: string, keys: readonly string[], isRestart: boolean) => {
			if (isRestart) {
				clock.forget(host);
			}

			enqueue(host, {type: 'watching', host, keys, isRestart});
		},
		[clock, enqueue],
	);

	const onSnapshot = useCallback(
		(snapshot: Snapshot) => {
			clock.set(snapshot.host, snapshot.finishedAt);
			enqueue(snapshot.host, {type: 'snapshot', snapshot});
		},
		[clock, enqueue],
	);

	const onTransition = useCallback(
		(transition: Transition) => {
			enqueue(transition.host, {type: 'transition', transition, highlightMs});
			if (transition.from !== undefined && transition.from !== transition.to) {
				onChange?.(transition);
			}
		},
		[highlightMs, onChange, enqueue],
	);

	const onError = useCallback(
		(error: unknown, of = host) => {
			enqueue(of, {
				type: 'error',
				host: of,
				message: error instanceof Error ? error.message : String(error),
			});
		},
		[host, enqueue],
	);

	const onListeners = useCallback(
		(changes: readonly ListenerChange[]) => {
			enqueue(host, {
				type: 'listeners',
				at: Date.now(),
				changes: changes.map(({socket, hasAppeared}) => ({
					port: socket.port,
					protocol: socket.protocol,
					socket: socketId(socket),
					owner: ownerLabel(socket),
					hasAppeared,
				})),
			});
		},
		[host, enqueue],
	);

	const {highlights} = state;
	useEffect(() => {
		if (highlights.size === 0) {
			return;
		}

		const until = Math.min(...highlights.values());
		const timer = setTimeout(
			() => {
				dispatch({type: 'every', action: {type: 'expire', now: Date.now()}});
			},
			Math.max(0, until - Date.now()),
		);
		return () => {
			clearTimeout(timer);
		};
	}, [highlights]);

	const acknowledge = useCallback(() => {
		dispatch({type: 'every', action: {type: 'acknowledge'}});
	}, []);

	return {
		state,
		fleet,
		clock,
		acknowledge,
		onWatching,
		onSnapshot,
		onTransition,
		onError,
		onListeners,
		cadence,
		onCadence,
	};
}
