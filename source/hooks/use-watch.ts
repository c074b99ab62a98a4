import {useEffect, useRef} from 'react';
import type {CatalogueEntry} from '../catalogue/types.js';
import type {PortPair, Snapshot, Transition} from '../probe/types.js';
import type {ProbeService, WatchHandle} from './probe-service.js';

export type UseWatchOptions = {
	readonly watch: ProbeService['watch'];
	readonly host: string;
	readonly pairs: readonly PortPair[];
	readonly intervalMs: number;
	readonly timeoutMs?: number;
	/** False pauses the watch without unmounting. */
	readonly isActive?: boolean;
	readonly expect?: (pair: PortPair) => CatalogueEntry | undefined;
	/**
	 * The pairs the running watch observes, keyed `22/tcp`: on a (re)start (`isRestart`, nothing
	 * observed yet) and whenever the set changes.
	 */
	readonly onWatching?: (
		host: string,
		keys: readonly string[],
		isRestart: boolean,
	) => void;
	readonly onSnapshot?: (snapshot: Snapshot) => void;
	readonly onTransition?: (transition: Transition) => void;
	/** An error of the watch of `host`. */
	readonly onError?: (error: unknown, host: string) => void;
	readonly onCadence?: (
		lane: 'tcp' | 'udp' | 'all',
		ms: number,
		host: string,
	) => void;
	/** This machine's sockets with holders, read once a sweep of a local target: changes name them. */
	readonly listLocalSockets?: ProbeService['listLocalSockets'];
};

/** `22/tcp,53/udp`: one string, so the effect restarts when the set changes, not the array. */
export const pairsKey = (pairs: readonly PortPair[]) =>
	pairs.map((pair) => `${pair.port}/${pair.protocol}`).join(',');

/** `22/tcp` (a key made by liveKey) as a pair. */
export function parsePair(key: string): PortPair {
	const [port, protocol] = key.split('/');
	return {port: Number(port), protocol: protocol === 'udp' ? 'udp' : 'tcp'};
}

export const parsePairs = (key: string): PortPair[] =>
	key === '' ? [] : key.split(',').map((item) => parsePair(item));

/**
 * Watches `pairs` on `host` through the probe service: started on mount, restarted when the host
 * or the interval changes, stopped on unmount. A change of the pairs (a scroll, a search) does not
 * restart it: the watch is told the new set, keeps the history of the pairs that stay and sweeps
 * the new ones at once, so a row that stayed in view keeps one continuous watch. The service's own
 * setTimeout chain keeps sweeps from overlapping; this hook adds that a stopped watch reports
 * nothing more, and that new callbacks (a re-render) do not restart it.
 */
export function useWatch(options: UseWatchOptions): void {
	const {watch, host, intervalMs, timeoutMs, isActive = true} = options;
	const key = pairsKey(options.pairs);
	const hasPairs = key !== '';
	const callbacks = useRef(options);
	const keyRef = useRef(key);
	const handleRef = useRef<WatchHandle | undefined>(undefined);

	useEffect(() => {
		callbacks.current = options;
		keyRef.current = key;
	});

	useEffect(() => {
		if (!isActive || !hasPairs) {
			return;
		}

		let isStopped = false;
		const pairs = parsePairs(keyRef.current);
		callbacks.current.onWatching?.(host, keyRef.current.split(','), true);
		const handle = watch({
			host,
			pairs,
			intervalMs,
			timeoutMs,
			expect: (pair) => callbacks.current.expect?.(pair),
			isStreaming: true,
			...(callbacks.current.listLocalSockets && {
				async readOwners(signal: AbortSignal) {
					const list = await callbacks.current.listLocalSockets?.({signal});
					return list?.isAvailable ? list.sockets : undefined;
				},
			}),
			onCadence(lane, ms) {
				if (!isStopped) {
					callbacks.current.onCadence?.(lane, ms, host);
				}
			},
			onSnapshot(snapshot) {
				if (!isStopped) {
					callbacks.current.onSnapshot?.(snapshot);
				}
			},
			onTransition(transition) {
				if (!isStopped) {
					callbacks.current.onTransition?.(transition);
				}
			},
			onError(error) {
				if (!isStopped) {
					callbacks.current.onError?.(error, host);
				}
			},
		});
		handleRef.current = handle;

		handle.done.catch((error: unknown) => {
			if (!isStopped) {
				callbacks.current.onError?.(error, host);
			}
		});

		return () => {
			isStopped = true;
			handleRef.current = undefined;
			handle.stop();
		};
	}, [watch, host, intervalMs, timeoutMs, isActive, hasPairs]);

	useEffect(() => {
		const handle = handleRef.current;
		if (handle && key !== '') {
			callbacks.current.onWatching?.(host, key.split(','), false);
			handle.setPairs(parsePairs(key));
		}
	}, [host, key]);
}
