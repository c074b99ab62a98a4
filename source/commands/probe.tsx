import process from 'node:process';
import {parseArguments, parseRemoteArgument} from '../args.js';
import {insideOf, listeningText, type Inside} from '../remote/inside.js';
import type {SshDestination} from '../remote/destination.js';
import type {RemoteHost} from '../remote/remote-host.js';
import type {RemoteSocketList} from '../remote/remote-listeners.js';
import type {Catalogue} from '../catalogue/load.js';
import {
	isLocalTarget,
	listLocalSockets,
	sweep,
	sanitize,
	warmUpTcp,
	type LocalSocketList,
	type PortPair,
	type ProbeResult,
	type Snapshot,
} from '../probe/index.js';
import {isLocalAddress} from '../probe/local-address.js';
import {withOwner} from '../probe/local.js';
import type {ColumnSpec} from '../text/fit.js';
import {
	familyLabel,
	formatRtt,
	loadHostAndPorts,
	parseProbeTimeout,
	resultToJson,
	stateColor,
	targetToJson,
} from './results.js';

const usage =
	'portui probe HOST [PORTS] [--proto tcp|udp|all] [--timeout 1s] [--no-identify] [--json] [--sudo] [--ssh-config FILE]   (HOST: a name, an address, or ssh://[USER@]HOST[:PORT])';

const help = `
	Usage
	  $ ${usage}

	Probes the ports of HOST once and prints, for each, its state, why, the
	round-trip time, what answered and the address family that answered.

	PORTS (comma- or space-separated, mixed): 22,80,443  8000-8100  ssh,domain  53/udp
	Without PORTS: every port of the curated catalogue.

	States
	  open           connected (TCP), or a reply (UDP)
	  closed         refused: TCP reset, or ICMP port unreachable (UDP)
	  filtered       no answer within the timeout (TCP)
	  unreachable    host or network unreachable, or not permitted
	  open|filtered  UDP silence: listening and quiet, or dropped on the way

	Options
	  --proto       tcp, udp or all: the protocol of ports without /tcp or /udp
	                (default: tcp for numbers, the catalogue's protocols for names)
	  --timeout     how long the probe of a port may take, 10ms to 1m (default 1s):
	                the connect or UDP reply, and on an open TCP port what answers
	                (which gets at most 1s, and what the connect left of --timeout)
	  --no-identify state only: do not find out what answers on open TCP ports
	  --json        one JSON object: the target and a result per port
	  --catalogue   a user catalogue file (default $XDG_CONFIG_HOME/portui/catalogue.json)

	ssh://[USER@]HOST[:PORT]: the ports are probed from here as for HOST, and the
	host's own socket tables are read over SSH (the system's ssh client and its
	config; nothing is installed there): two more columns, LISTENING (who holds the
	port, on which address) and INSIDE/OUTSIDE, e.g. \`listening on 0.0.0.0, not
	reachable from here (firewalled)\`.
	  --sudo        read them through \`sudo -n\`, to name other users' processes
	  --ssh-config  an ssh config file (ssh -F) instead of ~/.ssh/config

	Exit status
	  0    the sweep ran (whatever the ports' states; a host that does not answer
	       at all reads unreachable or filtered)
	  1    HOST did not resolve; ssh:// whose sockets could not be read (the sweep
	       from here still prints, and ssh's reason is one line on stderr: a one-shot
	       probe tries once); or an unexpected error
	  2    bad arguments

	Examples
	  $ portui probe localhost
	  $ portui probe 127.0.0.1 22,80,8000-8100
	  $ portui probe ::1 domain,ntp --proto udp
	  $ portui probe db.example 5432 --json | jq -r '.results[0].state'
	  $ portui probe ssh://admin@db.example 5432,22 --sudo
`;

type Column =
	| 'port'
	| 'protocol'
	| 'service'
	| 'state'
	| 'reason'
	| 'rtt'
	| 'answered'
	| 'family'
	| 'listening'
	| 'verdict';

const columns: ReadonlyArray<ColumnSpec<Column>> = [
	{key: 'port', title: 'PORT', minWidth: 4, align: 'right'},
	{key: 'protocol', title: 'PROTO', minWidth: 3},
	{key: 'service', title: 'SERVICE', minWidth: 6, maxWidth: 16, grow: 1},
	{key: 'state', title: 'STATE', minWidth: 13},
	{key: 'reason', title: 'REASON', minWidth: 7, maxWidth: 16, grow: 1},
	{key: 'rtt', title: 'RTT', minWidth: 6, align: 'right'},
	{key: 'answered', title: 'ANSWERED', minWidth: 8, grow: 4},
	{key: 'family', title: 'FAMILY', minWidth: 6},
];

const remoteColumns: ReadonlyArray<ColumnSpec<Column>> = [
	...columns.filter((column) => column.key !== 'family'),
	{key: 'listening', title: 'LISTENING', minWidth: 9, grow: 2},
	{key: 'verdict', title: 'INSIDE/OUTSIDE', minWidth: 14, grow: 3},
];

function toRow(
	result: ProbeResult,
	catalogue: Catalogue,
	inside?: Inside,
): Record<Column, string> {
	const answered = [result.answered, result.mismatch]
		.filter((text) => text !== undefined)
		.map((text) => sanitize(text))
		.join('; ');
	return {
		port: String(result.port),
		protocol: result.protocol,
		service: catalogue.byPair(result.port, result.protocol)?.service ?? '-',
		state: result.state,
		reason: result.reason,
		rtt: formatRtt(result.rttMs),
		answered: answered || '-',
		family: familyLabel(result.family),
		listening: inside ? listeningText(inside) : '',
		verdict: inside?.verdict ?? '-',
	};
}

async function printSnapshotTable(
	snapshot: Snapshot,
	catalogue: Catalogue,
	remote?: RemoteSocketList,
) {
	const sockets = remote?.isAvailable ? remote.sockets : undefined;
	// Loaded for a table only: its text fitting (string widths, ANSI slicing) is some 3 ms of a
	// start-up that `--json` does without.
	const {printTable} = await import('./print-table.js');
	await printTable({
		columns: sockets ? remoteColumns : columns,
		rows: snapshot.results.map((result) =>
			toRow(
				result,
				catalogue,
				sockets ? insideOf(result, sockets, snapshot.target) : undefined,
			),
		),
		colorOf: (key, value) => (key === 'state' ? stateColor(value) : undefined),
	});
}

export function snapshotToJson(
	snapshot: Snapshot,
	catalogue: Catalogue,
	remote?: RemoteSocketList & {readonly ssh: string},
) {
	const sockets = remote?.isAvailable ? remote.sockets : undefined;
	return {
		...targetToJson(snapshot.target),
		host: snapshot.host,
		...(remote
			? {
					remote: {
						ssh: remote.ssh,
						isAvailable: remote.isAvailable,
						...(remote.reason === undefined ? {} : {reason: remote.reason}),
						...(remote.cost ? {refresh: remote.cost} : {}),
					},
				}
			: {}),
		startedAt: new Date(snapshot.startedAt).toISOString(),
		finishedAt: new Date(snapshot.finishedAt).toISOString(),
		results: snapshot.results.map((result) => ({
			...resultToJson(result, catalogue),
			...(sockets ? {inside: insideOf(result, sockets, snapshot.target)} : {}),
		})),
	};
}

export async function probe(argv: readonly string[]): Promise<number> {
	const cli = parseArguments(argv, {
		help,
		flags: {
			proto: {type: 'string'},
			timeout: {type: 'string'},
			json: {type: 'boolean', default: false},
			catalogue: {type: 'string'},
			identify: {type: 'boolean', default: true},
			sudo: {type: 'boolean', default: false},
			sshConfig: {type: 'string'},
		},
	});
	const timeoutMs = parseProbeTimeout(cli.flags.timeout);
	const isIdentifying = cli.flags.identify;
	const remoteArgument = parseRemoteArgument(cli.input);
	warmUpTcp();
	const loaded = await loadHostAndPorts(
		remoteArgument ? {...cli, input: remoteArgument.input} : cli,
		usage,
	);
	const {catalogue, pairs} = loaded;
	let {host} = loaded;
	// Inside and outside at the same time: the socket tables are read while the probes run.
	const {
		remote,
		inside,
		host: remoteName,
	} = await openRemoteTarget(remoteArgument?.destination, cli.flags);
	if (remoteName !== undefined) {
		host = remoteName;
	}

	// Ctrl-C aborts the probes in flight; the sockets are closed before the process ends.
	const controller = new AbortController();
	const abort = () => {
		controller.abort();
	};

	process.once('SIGINT', abort);
	process.once('SIGTERM', abort);
	const owners = cli.flags.json ? localOwnerLookup(pairs) : undefined;
	let snapshot: Snapshot;
	try {
		snapshot = await sweep({
			host,
			pairs,
			timeoutMs,
			signal: controller.signal,
			expect: (pair) => catalogue.byPair(pair.port, pair.protocol),
			identify: (pair) => isIdentifying && pair.protocol === 'tcp',
			onResult: owners?.onResult,
			onOpen: owners?.onOpen,
		});
	} catch (error) {
		if (controller.signal.aborted) {
			return 130;
		}

		throw error;
	} finally {
		process.off('SIGINT', abort);
		process.off('SIGTERM', abort);
	}

	const remoteList = await inside;
	remote?.close();
	if (remoteList && !remoteList.isAvailable && !cli.flags.json) {
		process.stderr.write(
			`portui: ${remoteArgument?.destination.text ?? ''}: ${remoteList.reason ?? 'unavailable'}\n`,
		);
	}

	if (owners) {
		snapshot = await owners.named(snapshot);
	}

	return report(snapshot, {
		catalogue,
		host,
		isJson: cli.flags.json,
		remote:
			remoteList && remoteArgument
				? {...remoteList, ssh: remoteArgument.destination.text}
				: undefined,
	});
}

/** The snapshot as JSON or a table, and the exit status it makes. */
async function report(
	snapshot: Snapshot,
	{
		catalogue,
		host,
		isJson,
		remote,
	}: {
		readonly catalogue: Catalogue;
		readonly host: string;
		readonly isJson: boolean;
		readonly remote?: RemoteSocketList & {readonly ssh: string};
	},
): Promise<number> {
	if (isJson) {
		process.stdout.write(
			JSON.stringify(
				snapshotToJson(snapshot, catalogue, remote),
				undefined,
				'\t',
			) + '\n',
		);
	} else if (snapshot.target.isResolved) {
		await printSnapshotTable(snapshot, catalogue, remote);
	}

	if (remote && !remote.isAvailable) {
		return 1;
	}

	if (!snapshot.target.isResolved) {
		process.stderr.write(
			`portui: ${JSON.stringify(sanitize(host, 80))} did not resolve: ${sanitize(snapshot.target.error)}\n`,
		);
		return 1;
	}

	return 0;
}

/**
 * On this machine, the holder of each open port, from its socket tables. The read starts once
 * every TCP port has answered its connect, at least one of them open here: it then runs while the
 * slowest services are still being identified (sshd greets some 25 ms after the connect), rather
 * than after them, and it does not hold up connects still in flight (its /proc reads compete
 * with the kernel's own work on them). It covers the probed ports only, and nothing of /proc is
 * read when no port is open.
 */
function localOwnerLookup(pairs: readonly PortPair[]) {
	const ports = new Set(pairs.map(({port}) => port));
	const unanswered = new Set(
		pairs.filter(({protocol}) => protocol === 'tcp').map(({port}) => port),
	);
	let isOpenHere = false;
	let list: Promise<LocalSocketList> | undefined;
	const start = async () => {
		if (!list) {
			list = listLocalSockets({ports});
			// Awaited in `named`; a sweep that fails first must not leave it unhandled.
			list.catch(() => undefined);
		}

		return list;
	};

	const answered = (pair: PortPair, isOpen: boolean) => {
		if (pair.protocol === 'tcp') {
			unanswered.delete(pair.port);
		}

		isOpenHere ||= isOpen;
		if (isOpenHere && unanswered.size === 0) {
			void start();
		}
	};

	return {
		onOpen(pair: PortPair, address: string) {
			answered(pair, isLocalAddress(address));
		},
		onResult(result: ProbeResult) {
			answered(
				result,
				result.state === 'open' &&
					result.addresses.every(({address}) => isLocalAddress(address)),
			);
		},
		async named(snapshot: Snapshot): Promise<Snapshot> {
			if (
				!isLocalTarget(snapshot.target) ||
				!snapshot.results.some((result) => result.state === 'open')
			) {
				return snapshot;
			}

			const {isAvailable, sockets} = await start();
			return isAvailable
				? {
						...snapshot,
						results: snapshot.results.map((result) =>
							withOwner(result, sockets),
						),
					}
				: snapshot;
		},
	};
}

/**
 * The ssh:// host's session, its socket tables (being read) and the name ssh resolves it to.
 * Loaded for an ssh:// target only: it brings node:child_process, a few ms of every start.
 */
async function openRemoteTarget(
	destination: SshDestination | undefined,
	flags: {readonly sshConfig?: string; readonly sudo: boolean},
): Promise<{
	remote?: RemoteHost;
	inside?: Promise<RemoteSocketList>;
	host?: string;
}> {
	if (!destination) {
		return {};
	}

	const {openRemoteHost, sshHostName} =
		await import('../remote/remote-host.js');
	const remote = openRemoteHost(destination, {
		configFile: flags.sshConfig,
		isSudo: flags.sudo,
		// One sweep, one attempt: nothing here would retry in 5s.
		isRetrying: false,
	});
	const host = await sshHostName(remote.destination, {
		configFile: flags.sshConfig,
	});
	return {remote, inside: remote.scanner.list(), host};
}
