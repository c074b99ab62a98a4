import type {CatalogueEntry} from '../catalogue/types.js';
import type {
	LocalSocket,
	PortPair,
	ResolvedTarget,
	Snapshot,
	Transition,
} from '../probe/types.js';

export type WatchRequest = {
	readonly host: string;
	readonly pairs: readonly PortPair[];
	readonly intervalMs: number;
	readonly timeoutMs?: number;
	/** The catalogue entry expected on a port, so the probe can say when something else answers. */
	readonly expect?: (pair: PortPair) => CatalogueEntry | undefined;
	readonly onSnapshot?: (snapshot: Snapshot) => void;
	readonly onTransition?: (transition: Transition) => void;
	readonly onError?: (error: unknown) => void;
	/** Each pair as soon as it is answered, TCP and UDP on schedules of their own. */
	readonly isStreaming?: boolean;
	/** How long a whole sweep of a lane took, start to start. */
	readonly onCadence?: (lane: 'tcp' | 'udp' | 'all', ms: number) => void;
	/** This machine's sockets with holders, read once a sweep when the target is local. */
	readonly readOwners?: (
		signal: AbortSignal,
	) => Promise<readonly LocalSocket[] | undefined>;
};

export type WatchHandle = {
	readonly stop: () => void;
	readonly done: Promise<void>;
	/** Watch these pairs from now on: the ones that stay keep their history, new ones are swept at once. */
	readonly setPairs: (pairs: readonly PortPair[]) => void;
};

export type SocketList = {
	readonly isAvailable: boolean;
	readonly reason?: string;
	readonly sockets: readonly LocalSocket[];
};

/**
 * What the dashboard needs from the probe service. The real one is `source/probe/index.ts`;
 * component tests hand the dashboard a fake with results they decide.
 */
export type ProbeService = {
	readonly watch: (request: WatchRequest) => WatchHandle;
	readonly resolveTarget: (
		host: string,
		options?: {readonly signal?: AbortSignal},
	) => Promise<ResolvedTarget>;
	readonly listLocalSockets: (options?: {
		readonly signal?: AbortSignal;
	}) => Promise<SocketList>;
};
