import process from 'node:process';
import {
	parseArguments,
	parseHost,
	parseRemoteArgument,
	UsageError,
} from '../args.js';
import {type Catalogue, loadCatalogue} from '../catalogue/load.js';
import {
	exposureOfSocket,
	type ExposureOptions,
	type SocketExposure,
} from '../probe/exposure.js';
import {listLocalSockets, type LocalSocketList} from '../probe/listeners.js';
import {sweep} from '../probe/sweep.js';
import type {LocalSocket, PortPair} from '../probe/types.js';
import type {SshDestination} from '../remote/destination.js';
import {insideOf} from '../remote/inside.js';
import {openRemoteHost, sshHostName} from '../remote/remote-host.js';
import {formatPlainTable, type ColumnSpec} from '../text/fit.js';
import {holderText, holderToJson} from '../text/owner.js';

const usage =
	'portui audit [ssh://[USER@]HOST[:PORT]] [--json] [--sudo] [--ssh-config FILE] [--catalogue PATH]';

const help = `
	Usage
	  $ ${usage}

	One pass over this machine's listening sockets: each with its owner (process,
	user, systemd unit, container), its bind scope, the catalogue's verdict of its
	port and the exposure verdict beside it.

	Scope
	  loopback   127.0.0.0/8 or ::1: reachable from this machine only
	  all        0.0.0.0 or :: (every interface); a :: socket says whether it takes
	             IPv4 too (dual-stack) or not (ipv6-only), as the kernel answered a
	             connect (TCP) or a bind (UDP) on 127.0.0.1; unknown when it could not
	  specific   one address, with the interface that holds it

	Exposure
	  alarm          an insecure or obsolete service bound beyond loopback
	  flagged        a caution service bound to all interfaces
	  loopback-only  bound to loopback
	  ok             the rest

	ssh://[USER@]HOST[:PORT]: the host's listeners, read over ssh (its config; nothing
	is installed there), and a REACH column: each TCP port probed from here once,
	beside what the host listens on (\`reachable from here\`, \`listening on 0.0.0.0,
	not reachable from here (firewalled)\`, \`listening on loopback only\`). The
	interface of a specific bind and the dual-stack answer of a :: bind are this
	machine's questions: for a remote host they are left unknown (null).

	Options
	  --json        one JSON object: {"alarms":N,"listeners":[{...,"owner":{pid,user,
	                comm,cmdline,unit,container},"scope","exposure",...}]}; over
	                ssh:// also "ssh", "host" and each listener's "reach"
	  --sudo        ssh://: read the sockets through \`sudo -n\` (names other users'
	                processes)
	  --ssh-config  ssh://: an ssh config file (ssh -F) instead of ~/.ssh/config
	  --catalogue   a user catalogue file (default $XDG_CONFIG_HOME/portui/catalogue.json)

	Exit status
	  0    no alarm case
	  1    at least one alarm case, or the listeners could not be read
	  2    bad arguments

	Examples
	  $ portui audit
	  $ portui audit --json | jq '.listeners[] | select(.exposure == "alarm")'
`;

type Audited = {
	readonly socket: LocalSocket;
	readonly exposure: SocketExposure;
	readonly service?: string;
	readonly verdict?: string;
	/** ssh://: what the host listens on against what answered from here (TCP). */
	readonly reach?: string;
};

/** Every listener with its exposure, in the order of the socket list (this machine's unless `options` say otherwise). */
export async function auditListeners(
	sockets: readonly LocalSocket[],
	catalogue: Pick<Catalogue, 'byPair'>,
	options: ExposureOptions = {},
): Promise<Audited[]> {
	return Promise.all(
		sockets.map(async (socket) => {
			const entry = catalogue.byPair(socket.port, socket.protocol);
			const exposure = await exposureOfSocket(
				socket,
				sockets,
				entry?.verdict,
				options,
			);
			return {
				socket,
				exposure,
				...(entry && {service: entry.service}),
				...(entry?.verdict && {verdict: entry.verdict}),
			};
		}),
	);
}

const scopeText = ({exposure}: Audited) =>
	exposure.scope === 'specific'
		? `specific${exposure.interface ? ` (${exposure.interface})` : ''}`
		: exposure.dualStack === undefined
			? exposure.scope
			: `all (${exposure.dualStack})`;

const ownerText = (socket: LocalSocket) => {
	const [first, ...rest] = socket.owners ?? [];
	if (!first) {
		return socket.ownerHidden ?? '-';
	}

	return `${first.user ?? '?'} ${holderText(first)}${rest.length > 0 ? ` +${rest.length}` : ''}`;
};

type Column =
	| 'exposure'
	| 'protocol'
	| 'address'
	| 'port'
	| 'scope'
	| 'service'
	| 'verdict'
	| 'owner'
	| 'reach';

const columns: ReadonlyArray<ColumnSpec<Column>> = [
	{key: 'exposure', title: 'EXPOSURE', minWidth: 8},
	{key: 'protocol', title: 'PROTO', minWidth: 5},
	{key: 'address', title: 'ADDRESS', minWidth: 7},
	{key: 'port', title: 'PORT', minWidth: 4, align: 'right'},
	{key: 'scope', title: 'SCOPE', minWidth: 5},
	{key: 'service', title: 'SERVICE', minWidth: 7},
	{key: 'verdict', title: 'VERDICT', minWidth: 7},
	{key: 'owner', title: 'OWNER', minWidth: 5},
];

const remoteColumns: ReadonlyArray<ColumnSpec<Column>> = [
	...columns,
	{key: 'reach', title: 'REACH', minWidth: 5},
];

const toRow = (item: Audited): Record<Column, string> => ({
	exposure: item.exposure.exposure,
	protocol: item.socket.protocol,
	address: item.socket.address,
	port: String(item.socket.port),
	scope: scopeText(item),
	service: item.service ?? '-',
	verdict: item.verdict ?? '-',
	owner: ownerText(item.socket),
	reach: item.reach ?? '-',
});

const toJson = (item: Audited) => ({
	protocol: item.socket.protocol,
	address: item.socket.address,
	family: item.socket.family,
	port: item.socket.port,
	scope: item.exposure.scope,
	interface: item.exposure.interface ?? null,
	dualStack: item.exposure.dualStack ?? null,
	service: item.service ?? null,
	verdict: item.verdict ?? null,
	exposure: item.exposure.exposure,
	owner: holderToJson(item.socket.owners?.[0]),
	owners: (item.socket.owners ?? []).map((holder) => holderToJson(holder)),
	ownerHidden: item.socket.ownerHidden ?? null,
	...(item.reach !== undefined && {reach: item.reach}),
});

/**
A host's listeners over ssh, each TCP port probed once from here: the reach column is the verdict
of inside beside outside that the dashboard and probe give. UDP gives no answer to judge by.
*/
async function auditRemote(
	destination: SshDestination,
	catalogue: Catalogue,
	options: {readonly isSudo: boolean; readonly configFile?: string},
): Promise<{list: LocalSocketList; items: Audited[]; host?: string}> {
	const remote = openRemoteHost(destination, {...options, isRetrying: false});
	let list: LocalSocketList;
	try {
		list = await remote.scanner.list();
	} finally {
		remote.close();
	}

	if (!list.isAvailable) {
		return {list, items: []};
	}

	// The interfaces and the dual-stack answer would be this machine's: unknown there.
	const items = await auditListeners(list.sockets, catalogue, {
		isCheckingDualStack: false,
		interfaces: {},
	});
	const host = parseHost(await sshHostName(destination, options));
	const pairs: PortPair[] = [
		...new Set(
			list.sockets
				.filter((socket) => socket.protocol === 'tcp')
				.map((socket) => socket.port),
		),
	].map((port) => ({port, protocol: 'tcp'}));
	const snapshot = await sweep({host, pairs, identify: () => false});
	return {
		list,
		host,
		items: items.map((item) => {
			const result = snapshot.results.find(
				(candidate) =>
					candidate.port === item.socket.port &&
					candidate.protocol === item.socket.protocol,
			);
			const reach =
				result && insideOf(result, list.sockets, snapshot.target).verdict;
			return reach === undefined ? item : {...item, reach};
		}),
	};
}

async function auditLocal(catalogue: Catalogue) {
	const list = await listLocalSockets({refreshOwners: true});
	return {
		list,
		items: list.isAvailable
			? await auditListeners(list.sockets, catalogue)
			: [],
		host: undefined,
	};
}

export async function audit(argv: readonly string[]): Promise<number> {
	const cli = parseArguments(argv, {
		help,
		flags: {
			json: {type: 'boolean', default: false},
			catalogue: {type: 'string'},
			sudo: {type: 'boolean', default: false},
			sshConfig: {type: 'string'},
		},
	});
	const remote = parseRemoteArgument(cli.input);
	const extra = remote ? cli.input[1] : cli.input[0];
	if (extra !== undefined) {
		throw new UsageError(
			`audit takes no arguments, got ${JSON.stringify(extra)} (only ssh://HOST may come first); usage: ${usage}`,
		);
	}

	const catalogue = await loadCatalogue({
		userFile: cli.flags.catalogue,
		registry: false,
	});
	const {list, items, host} = remote
		? await auditRemote(remote.destination, catalogue, {
				isSudo: cli.flags.sudo,
				configFile: cli.flags.sshConfig,
			})
		: await auditLocal(catalogue);
	if (!list.isAvailable) {
		process.stderr.write(
			`portui: cannot audit${remote ? ` ${remote.destination.text}` : ''}: ${list.reason ?? 'no listeners'}\n`,
		);
		return 1;
	}

	const alarms = items.filter((item) => item.exposure.exposure === 'alarm');
	if (cli.flags.json) {
		process.stdout.write(
			JSON.stringify(
				{
					time: new Date().toISOString(),
					...(remote && {ssh: remote.destination.text, host}),
					alarms: alarms.length,
					listeners: items.map((item) => toJson(item)),
				},
				undefined,
				'\t',
			) + '\n',
		);
	} else {
		process.stdout.write(
			formatPlainTable(
				remote ? remoteColumns : columns,
				items.map((item) => toRow(item)),
			),
		);
		process.stdout.write(
			alarms.length === 0
				? `${items.length} listeners, no alarm case\n`
				: `${items.length} listeners, ${alarms.length} alarm ${alarms.length === 1 ? 'case' : 'cases'}: ${alarms.map((item) => `${item.socket.port}/${item.socket.protocol}${item.service ? ` ${item.service}` : ''} on ${item.socket.address}`).join(', ')}\n`,
		);
	}

	return alarms.length > 0 ? 1 : 0;
}
