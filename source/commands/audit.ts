import process from 'node:process';
import {parseArguments, UsageError} from '../args.js';
import {type Catalogue, loadCatalogue} from '../catalogue/load.js';
import {exposureOfSocket, type SocketExposure} from '../probe/exposure.js';
import {listLocalSockets} from '../probe/listeners.js';
import type {LocalSocket} from '../probe/types.js';
import {formatPlainTable, type ColumnSpec} from '../text/fit.js';
import {holderText, holderToJson} from '../text/owner.js';

const usage = 'portui audit [--json] [--catalogue PATH]';

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

	Options
	  --json        one JSON object: {"alarms":N,"listeners":[{...,"owner":{pid,user,
	                comm,cmdline,unit,container},"scope","exposure",...}]}
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
};

/** Every listener of this machine with its exposure, in the order of the socket list. */
export async function auditListeners(
	sockets: readonly LocalSocket[],
	catalogue: Pick<Catalogue, 'byPair'>,
): Promise<Audited[]> {
	return Promise.all(
		sockets.map(async (socket) => {
			const entry = catalogue.byPair(socket.port, socket.protocol);
			const exposure = await exposureOfSocket(socket, sockets, entry?.verdict);
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
	| 'owner';

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

const toRow = (item: Audited): Record<Column, string> => ({
	exposure: item.exposure.exposure,
	protocol: item.socket.protocol,
	address: item.socket.address,
	port: String(item.socket.port),
	scope: scopeText(item),
	service: item.service ?? '-',
	verdict: item.verdict ?? '-',
	owner: ownerText(item.socket),
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
});

export async function audit(argv: readonly string[]): Promise<number> {
	const cli = parseArguments(argv, {
		help,
		flags: {
			json: {type: 'boolean', default: false},
			catalogue: {type: 'string'},
		},
	});
	if (cli.input.length > 0) {
		throw new UsageError(
			`audit takes no arguments, got ${JSON.stringify(cli.input[0])}; usage: ${usage}`,
		);
	}

	const catalogue = await loadCatalogue({
		userFile: cli.flags.catalogue,
		registry: false,
	});
	const list = await listLocalSockets({refreshOwners: true});
	if (!list.isAvailable) {
		process.stderr.write(
			`portui: cannot audit: ${list.reason ?? 'no listeners'}\n`,
		);
		return 1;
	}

	const items = await auditListeners(list.sockets, catalogue);
	const alarms = items.filter((item) => item.exposure.exposure === 'alarm');
	if (cli.flags.json) {
		process.stdout.write(
			JSON.stringify(
				{
					time: new Date().toISOString(),
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
				columns,
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
