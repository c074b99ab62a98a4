import {
	buildCatalogue,
	toEntry,
	type Catalogue,
} from '../../source/catalogue/load.js';
import type {RawEntry} from '../../source/catalogue/validate.js';
import type {
	ProbeService,
	SocketList,
	WatchRequest,
} from '../../source/hooks/probe-service.js';
import {
	createTransitionTracker,
	type TransitionTracker,
} from '../../source/probe/transitions.js';
import type {
	AddressProbe,
	LocalSocket,
	PortPair,
	PortState,
	ProbeResult,
	ResolvedTarget,
} from '../../source/probe/types.js';

const curated: RawEntry[] = [
	{
		port: 21,
		protocol: 'tcp',
		service: 'ftp',
		longName: 'File Transfer Protocol',
		daemons: ['vsftpd'],
		launch: ['standalone', 'inetd'],
		verdict: 'obsolete',
	},
	{
		port: 22,
		protocol: 'tcp',
		service: 'ssh',
		longName: 'Secure Shell',
		daemons: ['sshd'],
		launch: ['standalone'],
		verdict: 'secure',
		remark: 'Remote login with keys.',
		pageClaim: 'ssh is a new and rarely used service',
	},
	{
		port: 23,
		protocol: 'tcp',
		service: 'telnet',
		longName: 'Telnet',
		daemons: ['in.telnetd'],
		launch: ['inetd'],
		verdict: 'insecure',
	},
	{
		port: 25,
		protocol: 'tcp',
		service: 'smtp',
		longName: 'Simple Mail Transfer',
		daemons: ['postfix', 'exim'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 53,
		protocol: 'udp',
		service: 'domain',
		longName: 'Domain Name System',
		daemons: ['named', 'unbound'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 53,
		protocol: 'tcp',
		service: 'domain',
		longName: 'Domain Name System (zone transfers)',
		daemons: ['named'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 67,
		protocol: 'udp',
		service: 'bootps',
		longName: 'DHCP server',
		daemons: ['dhcpd'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 69,
		protocol: 'udp',
		service: 'tftp',
		longName: 'Trivial File Transfer',
		daemons: ['in.tftpd'],
		launch: ['inetd'],
		verdict: 'insecure',
	},
	{
		port: 80,
		protocol: 'tcp',
		service: 'http',
		longName: 'World Wide Web',
		daemons: ['nginx', 'httpd'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 110,
		protocol: 'tcp',
		service: 'pop3',
		longName: 'Post Office Protocol 3',
		daemons: ['dovecot'],
		launch: ['standalone'],
		verdict: 'insecure',
	},
	{
		port: 111,
		protocol: 'udp',
		service: 'sunrpc',
		longName: 'ONC RPC portmapper',
		daemons: ['rpcbind'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 123,
		protocol: 'udp',
		service: 'ntp',
		longName: 'Network Time Protocol',
		daemons: ['chronyd', 'ntpd'],
		launch: ['standalone'],
		verdict: 'secure',
	},
	{
		port: 143,
		protocol: 'tcp',
		service: 'imap',
		longName: 'Internet Message Access',
		daemons: ['dovecot'],
		launch: ['standalone'],
		verdict: 'insecure',
	},
	{
		port: 161,
		protocol: 'udp',
		service: 'snmp',
		longName: 'Simple Network Management',
		daemons: ['snmpd'],
		launch: ['standalone'],
		verdict: 'insecure',
	},
	{
		port: 389,
		protocol: 'tcp',
		service: 'ldap',
		longName: 'Lightweight Directory Access',
		daemons: ['slapd'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 443,
		protocol: 'tcp',
		service: 'https',
		longName: 'HTTP over TLS',
		daemons: ['nginx', 'httpd'],
		launch: ['standalone'],
		verdict: 'secure',
		tls: true,
	},
	{
		port: 445,
		protocol: 'tcp',
		service: 'microsoft-ds',
		longName: 'SMB over TCP',
		daemons: ['smbd'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 514,
		protocol: 'udp',
		service: 'syslog',
		longName: 'Remote syslog',
		daemons: ['rsyslogd'],
		launch: ['standalone'],
		verdict: 'insecure',
	},
	{
		port: 587,
		protocol: 'tcp',
		service: 'submission',
		longName: 'Mail submission',
		daemons: ['postfix'],
		launch: ['standalone'],
		verdict: 'secure',
	},
	{
		port: 631,
		protocol: 'tcp',
		service: 'ipp',
		longName: 'Internet Printing Protocol',
		daemons: ['cupsd'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 993,
		protocol: 'tcp',
		service: 'imaps',
		longName: 'IMAP over TLS',
		daemons: ['dovecot'],
		launch: ['standalone'],
		verdict: 'secure',
		tls: true,
	},
	{
		port: 2049,
		protocol: 'tcp',
		service: 'nfs',
		longName: 'Network File System',
		daemons: ['nfsd'],
		launch: ['kernel'],
		verdict: 'caution',
	},
	{
		port: 3306,
		protocol: 'tcp',
		service: 'mysql',
		longName: 'MySQL',
		daemons: ['mysqld', 'mariadbd'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 5353,
		protocol: 'udp',
		service: 'mdns',
		longName: 'Multicast DNS',
		daemons: ['avahi-daemon'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 5432,
		protocol: 'tcp',
		service: 'postgresql',
		longName: 'PostgreSQL',
		daemons: ['postgres'],
		launch: ['standalone'],
		verdict: 'caution',
	},
	{
		port: 6000,
		endPort: 6063,
		protocol: 'tcp',
		service: 'x11',
		longName: 'X Window System',
		daemons: ['Xorg'],
		launch: ['standalone'],
		verdict: 'insecure',
	},
	{
		port: 6379,
		protocol: 'tcp',
		service: 'redis',
		longName: 'Redis',
		daemons: ['redis-server'],
		launch: ['standalone'],
		verdict: 'insecure',
	},
	{
		port: 8080,
		protocol: 'tcp',
		service: 'http-alt',
		longName: 'HTTP alternate',
		daemons: [],
		launch: ['standalone'],
		verdict: 'caution',
	},
];

/** 28 curated entries (TCP and UDP, privileged and not, a range) and a few from the registry. */
export function testCatalogue(): Catalogue {
	return buildCatalogue([
		{
			entries: [
				toEntry(
					{port: 7, protocol: 'udp', service: 'echo', longName: 'Echo'},
					'iana',
				),
				toEntry(
					{
						port: 9999,
						protocol: 'tcp',
						service: 'distinct',
						longName: 'Distinct',
					},
					'iana',
				),
			],
		},
		{entries: curated.map((raw) => toEntry(raw, 'curated')), raw: curated},
	]);
}

/** The same curated entries without the registry: what the launcher hands the dashboard first. */
export function curatedTestCatalogue(): Catalogue {
	return buildCatalogue([
		{entries: curated.map((raw) => toEntry(raw, 'curated')), raw: curated},
	]);
}

/** Sshd on port 22 of every IPv4 address, as listLocalSockets reports it. */
export const sshdSocket: LocalSocket = {
	protocol: 'tcp',
	address: '0.0.0.0',
	family: 4,
	port: 22,
	inode: 1,
	uid: 0,
	pid: 812,
	process: 'sshd',
};

export type FakeWatch = {
	request: WatchRequest;
	isStopped: boolean;
	/** Every set of pairs it was given after it started. */
	readonly pairSets: Array<readonly PortPair[]>;
	readonly tracker: TransitionTracker;
};

export type FakeAnswer = {
	readonly port: number;
	readonly protocol: 'tcp' | 'udp';
	readonly state: PortState;
	readonly answered?: string;
	readonly rttMs?: number;
	/** The state on the target's IPv6 addresses, where it differs from `state`. */
	readonly v6?: PortState;
};

const reasonOf = (state: PortState) =>
	state === 'open' ? 'connected' : state === 'closed' ? 'refused' : 'timeout';

/**
 * A probe service whose answers the test decides. Its watch is the real one but for the sockets:
 * every sweep goes through the real transition tracker, snapshot first and then its transitions;
 * `setPairs` keeps the history of the pairs that stay, as the real watch does.
 */
export function createFakeProbe(
	options: {
		readonly targets?: Readonly<Record<string, ResolvedTarget>>;
		readonly sockets?: SocketList;
	} = {},
) {
	const watches: FakeWatch[] = [];
	const targets: Record<string, ResolvedTarget> = {
		localhost: {
			host: 'localhost',
			isResolved: true,
			addresses: [{address: '127.0.0.1', family: 4}],
		},
		...options.targets,
	};
	let sockets: SocketList = options.sockets ?? {isAvailable: true, sockets: []};
	let socketReads = 0;

	const service: ProbeService = {
		watch(request) {
			const watch: FakeWatch = {
				request,
				isStopped: false,
				pairSets: [],
				tracker: createTransitionTracker(),
			};
			watches.push(watch);
			return {
				stop() {
					watch.isStopped = true;
				},
				done: Promise.resolve(),
				setPairs(pairs) {
					watch.pairSets.push(pairs);
					watch.tracker.retain(pairs);
					watch.request = {...watch.request, pairs};
				},
			};
		},
		async resolveTarget(host) {
			return (
				targets[host] ?? {
					host,
					isResolved: false,
					error: `"${host}": no such host (ENOTFOUND)`,
				}
			);
		},
		async listLocalSockets() {
			socketReads++;
			return sockets;
		},
	};

	const active = () => watches.filter((watch) => !watch.isStopped);

	/**
	 * One sweep of the running watch (of `host`, where several run): the answers given, `closed`
	 * for every other watched port.
	 */
	function sweep(
		answers: readonly FakeAnswer[],
		at = Date.now(),
		onHost?: string,
	) {
		const watch = active().find(
			(item) => onHost === undefined || item.request.host === onHost,
		);
		if (!watch) {
			throw new Error(`no watch is running${onHost ? ` on ${onHost}` : ''}`);
		}

		const {host, pairs} = watch.request;
		const results: ProbeResult[] = pairs.map((pair) => {
			const answer = answers.find(
				(item) => item.port === pair.port && item.protocol === pair.protocol,
			);
			const state = answer?.state ?? 'closed';
			const target = targets[host];
			const probed = target?.isResolved
				? target.addresses
				: [{address: '127.0.0.1', family: 4 as const}];
			// The answer's state on every address; `v6`, where given, on the IPv6 ones.
			const addresses: AddressProbe[] = probed.map(({address, family}) => {
				const addressState = family === 6 && answer?.v6 ? answer.v6 : state;
				return {
					address,
					family,
					state: addressState,
					reason: reasonOf(addressState),
					rttMs: answer?.rttMs ?? 0.3,
				};
			});
			const best =
				addresses.find((probe) => probe.state === 'open') ?? addresses[0]!;
			return {
				...pair,
				host,
				...best,
				...(answer?.answered !== undefined && {answered: answer.answered}),
				addresses,
				at,
			};
		});
		const update = watch.tracker.update({
			host,
			target: targets[host] ?? {host, isResolved: false, error: 'unknown'},
			startedAt: at,
			finishedAt: at,
			results,
		});
		watch.request.onSnapshot?.(update.snapshot);
		for (const transition of update.transitions) {
			watch.request.onTransition?.(transition);
		}
	}

	return {
		service,
		watches,
		active,
		sweep,
		setSockets(next: readonly LocalSocket[]) {
			sockets = {isAvailable: true, sockets: next};
		},
		get socketReads() {
			return socketReads;
		},
	};
}

export type FakeProbe = ReturnType<typeof createFakeProbe>;
