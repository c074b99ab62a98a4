import {useEffect, useRef} from 'react';
import type {CatalogueEntry} from '../catalogue/types.js';
import type {PortPair, Snapshot, Transition} from '../probe/types.js';
import type {ProbeService} from './probe-service.js';

export type UseWatchOptions = {
	readonly watch: ProbeService['watch'];
	readonly host: string;
	readonly pairs: readonly PortPair[];
	readonly intervalMs: number;
	readonly timeoutMs?: number;
	/** False pauses the watch without unmounting. */
	readonly isActive?: boolean;
	readonly expect?: (pair: PortPair) => CatalogueEntry | undefined;
	readonly onSnapshot?: (snapshot: Snapshot) => void;
	readonly onTransition?: (transition: Transition) => void;
	readonly onError?: (error: unknown) => void;
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
 * Watches `pairs` on `host` through the probe service: started on mount, restarted when the host,
 * the set of pairs or the interval changes, stopped on unmount. The service's own setTimeout chain
 * keeps sweeps from overlapping; this hook adds that a stopped watch reports nothing more, and
 * that new callbacks (a re-render) do not restart it.
 */
export function useWatch(options: UseWatchOptions): void {
	const {watch, host, intervalMs, timeoutMs, isActive = true} = options;
	const key = pairsKey(options.pairs);
	const callbacks = useRef(options);

	useEffect(() => {
		callbacks.current = options;
	});

	useEffect(() => {
		const pairs = parsePairs(key);
		if (!isActive || pairs.length === 0) {
			return;
		}

		let isStopped = false;
		const handle = watch({
			host,
			pairs,
			intervalMs,
			timeoutMs,
			expect: (pair) => callbacks.current.expect?.(pair),
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
					callbacks.current.onError?.(error);
				}
			},
		});

		handle.done.catch((error: unknown) => {
			if (!isStopped) {
				callbacks.current.onError?.(error);
			}
		});

		return () => {
			isStopped = true;
			handle.stop();
		};
	}, [watch, host, key, intervalMs, timeoutMs, isActive]);
}
