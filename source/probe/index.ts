// The probe service's public API: commands and hooks import from here, not from the parts.
export type {
	AddressProbe,
	Family,
	LocalSocket,
	PortPair,
	PortState,
	ProbeResult,
	Protocol,
	ResolvedTarget,
	Snapshot,
	Transition,
} from './types.js';
export {sanitize} from './sanitize.js';
export {resolveTarget} from './targets.js';
export {
	AbortError,
	connectTcp,
	defaultTcpTimeoutMs,
	probeTcp,
	warmUpTcp,
	type TcpConnection,
	type TcpProbeOptions,
} from './tcp.js';
export {
	classifyAnswer,
	defaultIdentifyBudgetMs,
	defaultIdentifyMaxBytes,
	expectedKind,
	identifyTcp,
	type Identification,
	type IdentifyOptions,
	type ServiceKind,
} from './identify.js';
export {
	defaultUdpTimeoutMs,
	icmpRateLimitMs,
	probeUdp,
	udpSpacingMs,
	type UdpProbe,
	type UdpProbeOptions,
} from './udp.js';
export {
	defaultConcurrency,
	mergeProbes,
	stateOrder,
	sweep,
	type SweepOptions,
} from './sweep.js';
export {sweepResults} from './stream.js';
export {
	createTransitionTracker,
	diffResults,
	isNoisyChange,
	openAddresses,
	pairKey,
	retainPairs,
	type PairHistory,
	type TrackerState,
	type TransitionTracker,
} from './transitions.js';
export {watch, type WatchOptions, type Watcher} from './watch.js';
export {coversAddress, coveringSockets, isLocalTarget} from './local.js';
export {
	createListenerScanner,
	listLocalSockets,
	matchesDaemon,
	type ListenerScanner,
	type ListLocalSocketsOptions,
	type LocalSocketList,
} from './listeners.js';
