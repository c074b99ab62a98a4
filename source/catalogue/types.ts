export type Protocol = 'tcp' | 'udp';

/** A plain security verdict, from best to worst. */
export type Verdict = 'secure' | 'caution' | 'insecure' | 'obsolete';

/** How the daemon is usually started on a Unix host today or historically. */
export type Launch =
	'standalone' | 'inetd' | 'rpcbind' | 'socket-activated' | 'kernel';

/** Where an entry came from; later sources in this list override earlier ones. */
export type Source = 'iana' | 'services' | 'curated' | 'user';

export type CatalogueEntry = {
	/** `22/tcp`, or `6000-6063/tcp` for a range. */
	readonly id: string;
	readonly port: number;
	/** Equal to `port` unless the entry is a range. */
	readonly endPort: number;
	readonly protocol: Protocol;
	/** Short service name, as in /etc/services (`ssh`, `domain`). */
	readonly service: string;
	readonly longName: string;
	readonly aliases: readonly string[];
	readonly daemons: readonly string[];
	readonly launch: readonly Launch[];
	readonly verdict?: Verdict;
	readonly remark?: string;
	/** Where the source page is dated or wrong: what it claimed, in one line. */
	readonly pageClaim?: string;
	readonly source: Source;
	/** Derived: every port of the entry lies below 1024. */
	readonly isPrivileged: boolean;
	/** A TLS service (https, imaps): probes expect a TLS handshake, not a greeting. */
	readonly isTls: boolean;
};
