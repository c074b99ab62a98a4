import type {Protocol} from '../catalogue/types.js';
import type {ContainerRef, UnitRef} from './cgroup.js';

export type {Protocol} from '../catalogue/types.js';

/**
 * Open: connected, or a UDP reply. closed: refused (TCP RST, ICMP port unreachable).
 * filtered: no answer in time (TCP). unreachable: host or network unreachable, or not permitted.
 * open|filtered: UDP silence: either listening and quiet, or dropped on the way.
 */
export type PortState =
	'open' | 'closed' | 'filtered' | 'unreachable' | 'open|filtered';

export type Family = 4 | 6;

export type PortPair = {
	readonly port: number;
	readonly protocol: Protocol;
};

/** One port of one IP address, as the TCP and UDP probes take it. */
export type PortProbeOptions = {
	/** An IP literal: names are resolved once per sweep (targets.ts), not once per probe. */
	readonly address: string;
	readonly family: Family;
	readonly port: number;
	/** How long to wait for an answer; default `defaultTcpTimeoutMs` or `defaultUdpTimeoutMs`. */
	readonly timeoutMs?: number;
	readonly signal?: AbortSignal;
	/** Bind this source port (tests use it to reproduce a socket meeting itself). */
	readonly localPort?: number;
};

/** A probe of one address. */
export type AddressProbe = {
	readonly address: string;
	readonly family: Family;
	readonly state: PortState;
	/** Why, in a word: connected, refused, timeout, reply, icmp-unreachable, no-reply, or the OS code (EHOSTUNREACH). */
	readonly reason: string;
	/** The OS error code where one was seen. */
	readonly code?: string;
	/** Round-trip time in ms for every answer (not for a timeout). */
	readonly rttMs?: number;
	/**
	 * UDP silence only: true when the host was proven there by other means (a TCP connect to it
	 * was refused or accepted, see reach.ts). Absent when that was not established.
	 */
	readonly isHostAlive?: boolean;
};

/** The answer for one port/protocol of a target, over all its addresses. */
export type ProbeResult = PortPair &
	AddressProbe & {
		/** The target as given (`localhost`, `::1`, `example.org`). */
		readonly host: string;
		/** Every address probed; the top level repeats the best of them. */
		readonly addresses: readonly AddressProbe[];
		/** What answered, sanitised: `SSH-2.0-OpenSSH_9.6`, `HTTP nginx`, `TLS`, `DNS`, `NTPv4 stratum 2`. */
		readonly answered?: string;
		/** Set when what answered is not what the catalogue expects on this port. */
		readonly mismatch?: string;
		/** Epoch ms when this answer was taken. */
		readonly at: number;
		/**
		 * Set by a watch: epoch ms of the first observation of the current state by this watch,
		 * with `isSinceObserved` true when the watch saw the state begin (the observation before
		 * it read otherwise), false when the state was already so at the watch's first look.
		 */
		readonly since?: number;
		readonly isSinceObserved?: boolean;
		/** With `isSinceObserved`: the observation before `since`, so the state began after it. */
		readonly changedAfter?: number;
		/**
		 * Set by a watch while a UDP answer is unconfirmed: the last probe read this state (a lost
		 * reply reads open|filtered), and `state` keeps the confirmed one until the next probe agrees.
		 */
		readonly unconfirmed?: PortState;
		/**
		 * On this machine, when the watch reads owners: the holder of the listening socket that takes
		 * the first open address, as read with this observation. Never carried from an earlier one.
		 */
		readonly owner?: SocketHolder;
	};

/**
 * A change between two consecutive observations of one pair by one continuous watch. `from` is
 * undefined for the watch's first observation of a pair (a first sight, not a change).
 */
export type Transition = PortPair & {
	readonly host: string;
	readonly from: PortState | undefined;
	readonly to: PortState;
	/** Epoch ms of the observation that saw the change. */
	readonly at: number;
	/** Epoch ms of the observation before it: the change happened after this and by `at`. */
	readonly previousAt?: number;
	/**
	 * On a return to open within one continuous watch that saw the port open, then not open:
	 * from the first observation not open to this one, in ms.
	 */
	readonly downMs?: number;
	/**
	 * Set when one address family changed while the port's state did not (`::1` stopped
	 * answering while 127.0.0.1 still does): `from` and `to` are that address's states.
	 */
	readonly address?: string;
	readonly family?: Family;
	/**
	 * When the watch reads owners: on a return to open after an outage, the holder when the port
	 * was last seen open and the one now; on a change away from open, the holder before it.
	 */
	readonly ownerBefore?: SocketHolder;
	readonly ownerAfter?: SocketHolder;
	/**
	 * The port stayed open and its holder's pid changed (`from` and `to` both `open`): a reload
	 * or binary upgrade that kept the socket, with no downtime the watch could see.
	 */
	readonly isOwnerChange?: boolean;
	readonly result: ProbeResult;
};

export type Snapshot = {
	readonly host: string;
	readonly target: ResolvedTarget;
	readonly startedAt: number;
	readonly finishedAt: number;
	readonly results: readonly ProbeResult[];
};

/** A target that could not be resolved is a state of the target, not an exception. */
export type ResolvedTarget =
	| {
			readonly host: string;
			readonly isResolved: true;
			readonly addresses: ReadonlyArray<{address: string; family: Family}>;
	  }
	| {readonly host: string; readonly isResolved: false; readonly error: string};

/** One process that holds a socket. */
export type SocketHolder = {
	readonly pid: number;
	readonly process: string;
	readonly cmdline?: string;
	/** The user it runs as (effective uid), by name where /etc/passwd has one. */
	readonly user?: string;
	/** The systemd unit its cgroup names; for a socket systemd holds, the .socket unit and its service. */
	readonly unit?: UnitRef;
	/** The container its cgroup names, or that a docker-proxy holder forwards to. */
	readonly container?: ContainerRef;
};

export type LocalSocket = {
	readonly protocol: Protocol;
	readonly address: string;
	readonly family: Family;
	readonly port: number;
	readonly inode: number;
	readonly uid: number;
	readonly pid?: number;
	/** Sanitised process name (comm). */
	readonly process?: string;
	/** Sanitised command line (/proc/PID/cmdline, arguments joined by spaces); absent when empty or unreadable. */
	readonly cmdline?: string;
	/** Every process holding the socket (a forking server shares it), ascending pid; `pid`, `process` and `cmdline` repeat the first. */
	readonly owners?: readonly SocketHolder[];
	/** Set when the owner could not be seen: the reason, never a guess. */
	readonly ownerHidden?: string;
};
