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
import {
	initialLiveState,
	liveReducer,
	type LiveAction,
	type LiveState,
} from '../state/live-state.js';
import {
	ownerLabel,
	socketId,
	type ListenerChange,
} from '../state/listener-items.js';
import {createSweepClock, type SweepClock} from '../state/sweep-clock.js';

export type UseLiveOptions = {
	readonly host: string;
	/** The interval asked for: a lane's cadence shows only where it differs. */
	readonly intervalMs: number;
	/** How long a changed row stays marked unless a key acknowledges it first. */
	readonly highlightMs?: number;
	/** Called for every change of state (not for a first answer), e.g. to ring the bell. */
	readonly onChange?: (transition: Transition) => void;
};

export type Live = {
	readonly state: LiveState;
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
	readonly onError: (error: unknown) => void;
	/**
	 * The cadence of each protocol's sweeps where it is not the interval (a UDP sweep of a remote
	 * host goes at the pace its ICMP rate limit allows): `{udp: '24s'}`.
	 */
	readonly cadence: Readonly<Partial<Record<'tcp' | 'udp', string>>>;
	readonly onCadence: (lane: 'tcp' | 'udp' | 'all', ms: number) => void;
	/** Listening sockets of this machine that appeared or went away. */
	readonly onListeners: (changes: readonly ListenerChange[]) => void;
};

/**
 * The live results of the watch as the panes draw them. The time of the last sweep changes on
 * every sweep, so it lives in a clock outside React state: only the header's age subscribes.
 */
export function useLive({
	host,
	intervalMs,
	highlightMs = 30_000,
	onChange,
}: UseLiveOptions): Live {
	const [cadence, setCadence] = useState<
		Readonly<Partial<Record<'tcp' | 'udp', string>>>
	>({});
	const onCadence = useCallback(
		(lane: 'tcp' | 'udp' | 'all', ms: number) => {
			if (lane === 'all') {
				return;
			}

			const text = formatCadence(ms);
			const shown = text === formatCadence(intervalMs) ? undefined : text;
			setCadence((previous) =>
				previous[lane] === shown ? previous : {...previous, [lane]: shown},
			);
		},
		[intervalMs],
	);
	const [state, dispatch] = useReducer(liveReducer, host, initialLiveState);
	const clock = useMemo(() => createSweepClock(), []);
	const queue = useRef<LiveAction[]>([]);

	// The watch reports a sweep as a snapshot and then its transitions, each a call of its own:
	// one dispatch for all of them draws one frame per sweep, not one per call.
	const enqueue = useCallback((action: LiveAction) => {
		queue.current.push(action);
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
			enqueue({type: 'watching', host, keys, isRestart});
		},
		[enqueue],
	);

	const onSnapshot = useCallback(
		(snapshot: Snapshot) => {
			clock.set(snapshot.host, snapshot.finishedAt);
			enqueue({type: 'snapshot', snapshot});
		},
		[clock, enqueue],
	);

	const onTransition = useCallback(
		(transition: Transition) => {
			enqueue({type: 'transition', transition, highlightMs});
			if (transition.from !== undefined && transition.from !== transition.to) {
				onChange?.(transition);
			}
		},
		[highlightMs, onChange, enqueue],
	);

	const onError = useCallback(
		(error: unknown) => {
			enqueue({
				type: 'error',
				host,
				message: error instanceof Error ? error.message : String(error),
			});
		},
		[host, enqueue],
	);

	const onListeners = useCallback(
		(changes: readonly ListenerChange[]) => {
			enqueue({
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
		[enqueue],
	);

	const {highlights} = state;
	useEffect(() => {
		if (highlights.size === 0) {
			return;
		}

		const until = Math.min(...highlights.values());
		const timer = setTimeout(
			() => {
				dispatch({type: 'expire', now: Date.now()});
			},
			Math.max(0, until - Date.now()),
		);
		return () => {
			clearTimeout(timer);
		};
	}, [highlights]);

	const acknowledge = useCallback(() => {
		dispatch({type: 'acknowledge'});
	}, []);

	return {
		state,
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
