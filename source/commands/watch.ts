import process from 'node:process';
import {
	parseArguments,
	parseCount,
	parseDuration,
	parseHost,
	parseRemoteArgument,
} from '../args.js';
import type {SshDestination} from '../remote/destination.js';
import type {Inside} from '../remote/inside.js';
import {
	createInsideTracker,
	insideOfResult,
	readInside,
	remoteToJson,
	type InsideChange,
	type InsideRead,
	type InsideUpdate,
} from '../remote/inside-watch.js';
import {
	openRemoteHost,
	sshHostName,
	type RemoteHost,
} from '../remote/remote-host.js';
import type {Catalogue} from '../catalogue/load.js';
import {changeText} from '../text/change.js';
import {ownerChangeText} from '../text/owner.js';
import {readLocalOwners} from '../probe/listeners.js';
import {
	openAddresses,
	watch as watchTarget,
	sanitize,
	type ProbeResult,
	type Snapshot,
	type Transition,
} from '../probe/index.js';
import type {PortPair, ResolvedTarget} from '../probe/types.js';
import {
	formatDowntime,
	formatRtt,
	loadHostAndPorts,
	parseProbeTimeout,
	resultToJson,
	targetToJson,
	transitionToJson,
} from './results.js';
import {onReaderGone} from './reader-gone.js';

const usage =
	'portui watch HOST[,HOST...] [PORTS] [--json] [--interval 2s] [--count N] [--proto tcp|udp|all] [--timeout 1s] [--no-identify] [--sudo] [--ssh-config FILE]';

const help = `
	Usage
	  $ ${usage}

	Probes the ports of HOST on an interval and prints a first snapshot, then a
	line each time a port changes state, with the time and, when a port comes
	back open, how long it was down. Runs until interrupted (Ctrl-C, SIGTERM) or
	until --count changes have been printed.

	PORTS as for \`portui probe\`: 22,80,443  8000-8100  ssh,domain  53/udp
	Without PORTS: every port of the curated catalogue.

	Several hosts, comma-separated (db1,db2,ssh://admin@db3): one watch each, in
	one stream; every line and JSON object names its host. ssh://HOST is probed
	where ssh would log in (the HostName of its config; --ssh-config for ssh -F),
	and beside each snapshot its own socket tables are read over one SSH
	connection: each port then says what it listens on against what answers from
	here (\`listening on 0.0.0.0, not reachable from here (firewalled)\`,
	\`listening on loopback only\`, \`answers from here but nothing listens
	(forwarded?)\`, \`reachable from here\`), in the snapshot, in each change, and
	in a line of its own when only that verdict changed (JSON: "inside" in results
	and transitions, {"type":"inside",...}; {"type":"remote",...} when the host's
	sockets can no longer be read, or can again).

	Options
	  --json        NDJSON on stdout, one object a line, flushed per line:
	                {"type":"snapshot",...} first, then {"type":"transition",
	                "scope":"port"|"family","time","previousTime","port","protocol",
	                "from","to","downMs",...}; {"type":"target",...} when the host
	                stops or starts resolving. A "family" transition is one address
	                that stopped or started answering ("address":"::1") while the
	                port's state stayed; "owner" a new holder of a port that
	                stayed open (a reload that kept the socket). On this machine
	                results carry "owner":{pid,user,comm,cmdline,unit,container}
	                and transitions "ownerBefore"/"ownerAfter"
	  --interval    time between sweeps, 100ms to 1h (default 2s)
	  --count       stop after N changes
	  --proto       tcp, udp or all: the protocol of ports without /tcp or /udp
	  --timeout     how long the probe of a port may take, 10ms to 1m (default 1s),
	                finding out what answers included (see \`portui probe --help\`)
	  --no-identify state only: do not find out what answers on ports that open
	  --sudo        ssh:// hosts: read their sockets through \`sudo -n\` (names other
	                users' processes)
	  --ssh-config  an ssh config file (ssh -F) instead of ~/.ssh/config
	  --catalogue   a user catalogue file (default $XDG_CONFIG_HOME/portui/catalogue.json)

	Exit status
	  0    interrupted (SIGINT, SIGTERM) or --count reached, after the output is flushed
	  1    an unexpected error
	  2    bad arguments

	Examples
	  $ portui watch localhost 22,80,443
	  $ portui watch db.example 5432 --json --interval 1s >> db-uptime.ndjson
	  $ portui watch localhost 8080 --json --count 1 | jq -r .to
	  $ portui watch db1,db2,db3 5432 --interval 1s
	  $ portui watch ssh://admin@db1 5432,22 --json
`;

/** For a host over SSH: its sockets as read beside the snapshot at hand. */
type RemoteSide = {
	readonly destination: SshDestination;
	readonly read: InsideRead;
	/** The addresses the snapshot probed, which the verdict weighs the listeners against. */
	readonly target: ResolvedTarget;
};

type Printer = {
	snapshot(snapshot: Snapshot, remote?: RemoteSide): string[];
	transition(transition: Transition, remote?: RemoteSide): string;
	target(snapshot: Snapshot): string;
	/** Only the inside verdict of a port changed. */
	inside(snapshot: Snapshot, change: InsideChange): string;
	/** The host's sockets could no longer be read, or can again (with the verdicts of now). */
	availability(snapshot: Snapshot, remote: RemoteSide): string[];
};

const insideOfAt = (result: ProbeResult, remote: RemoteSide | undefined) =>
	remote && insideOfResult(result, remote, remote.read);

/** Results (and transitions) of a host over SSH carry "inside" when it was read, the reason when not. */
const insideJson = (inside: Inside | undefined, remote?: RemoteSide) =>
	inside
		? {inside}
		: remote
			? {remote: remoteToJson(remote.destination, remote.read)}
			: {};

const jsonPrinter = (catalogue: Catalogue): Printer => ({
	snapshot: (snapshot, remote) => [
		JSON.stringify({
			type: 'snapshot',
			time: new Date(snapshot.finishedAt).toISOString(),
			...targetToJson(snapshot.target),
			host: snapshot.host,
			...(remote && {
				remote: remoteToJson(remote.destination, remote.read),
			}),
			results: snapshot.results.map((result) => ({
				...resultToJson(result, catalogue),
				...insideJson(insideOfAt(result, remote)),
			})),
		}),
	],
	transition: (transition, remote) =>
		JSON.stringify({
			...transitionToJson(transition, catalogue),
			...insideJson(insideOfAt(transition.result, remote), remote),
		}),
	target: (snapshot) =>
		JSON.stringify({
			type: 'target',
			time: new Date(snapshot.finishedAt).toISOString(),
			...targetToJson(snapshot.target),
			host: snapshot.host,
		}),
	inside: (snapshot, change) =>
		JSON.stringify({
			type: 'inside',
			time: new Date(snapshot.finishedAt).toISOString(),
			host: snapshot.host,
			port: change.port,
			protocol: change.protocol,
			service: catalogue.byPair(change.port, change.protocol)?.service ?? null,
			state: change.state,
			from: change.from ?? null,
			to: change.to ?? null,
			inside: change.inside,
		}),
	availability: (snapshot, remote) => [
		JSON.stringify({
			type: 'remote',
			time: new Date(snapshot.finishedAt).toISOString(),
			host: snapshot.host,
			...remoteToJson(remote.destination, remote.read),
			...(remote.read.isAvailable && {
				results: snapshot.results.map((result) => ({
					port: result.port,
					protocol: result.protocol,
					state: result.state,
					...insideJson(insideOfAt(result, remote)),
				})),
			}),
		}),
	],
});

function humanPrinter(catalogue: Catalogue, intervalMs: number): Printer {
	const time = (at: number) => new Date(at).toISOString();
	const label = ({port, protocol}: PortPair) => {
		const service = catalogue.byPair(port, protocol)?.service;
		return `${port}/${protocol}${service ? ` ${service}` : ''}`;
	};

	const detail = (result: ProbeResult) => {
		const answered = result.answered ? `, ${sanitize(result.answered)}` : '';
		return `(${result.reason}, ${formatRtt(result.rttMs)}${answered})`;
	};

	const verdict = (inside: Inside | undefined) =>
		inside?.verdict ? ` · ${inside.verdict}` : '';

	const unresolved = (snapshot: Snapshot) =>
		snapshot.target.isResolved
			? `${time(snapshot.finishedAt)}  ${snapshot.host} resolves again`
			: `${time(snapshot.finishedAt)}  ${snapshot.host} did not resolve: ${sanitize(snapshot.target.error)}; retrying every ${formatDowntime(intervalMs)}`;

	return {
		snapshot(snapshot, remote) {
			if (!snapshot.target.isResolved) {
				return [unresolved(snapshot)];
			}

			return [
				`${time(snapshot.finishedAt)}  ${snapshot.host}: ${snapshot.results.length} ports`,
				...snapshot.results.map(
					(result) =>
						`  ${label(result)}  ${result.state} ${detail(result)}${verdict(insideOfAt(result, remote))}`,
				),
				...(remote && !remote.read.isAvailable
					? [`  inside unknown: ${sanitize(remote.read.reason)}`]
					: []),
			];
		},
		inside(snapshot, change) {
			return `${time(snapshot.finishedAt)}  ${snapshot.host}  ${label(change)}  still ${change.state}, inside now: ${change.to ?? 'nothing listens'} (was: ${change.from ?? 'nothing listens'})`;
		},
		availability(snapshot, remote) {
			const {read} = remote;
			if (!read.isAvailable) {
				return [
					`${time(snapshot.finishedAt)}  ${snapshot.host}  inside unknown: ${sanitize(read.reason)}`,
				];
			}

			return [
				`${time(snapshot.finishedAt)}  ${snapshot.host}  inside read again over ssh`,
				...snapshot.results.map(
					(result) =>
						`  ${label(result)}  ${result.state}${verdict(insideOfAt(result, remote))}`,
				),
			];
		},
		transition(transition, remote) {
			const owners = ownerChangeText(
				transition.ownerBefore,
				transition.ownerAfter,
			);
			if (transition.isOwnerChange) {
				return `${time(transition.at)}  ${transition.host}  ${label(transition)}  owner changed, no downtime: ${owners}`;
			}

			const down =
				(transition.downMs === undefined
					? ''
					: ` after ${formatDowntime(transition.downMs)} down`) +
				(owners === '' ? '' : ` · ${owners}`);
			const change = changeText({
				from: transition.from ?? transition.to,
				to: transition.to,
				...(transition.address !== undefined && {
					address: transition.address,
					stillOpen: openAddresses(transition.result.addresses),
				}),
			});
			return `${time(transition.at)}  ${transition.host}  ${label(transition)}  ${change} ${detail(transition.result)}${down}${verdict(insideOfAt(transition.result, remote))}`;
		},
		target: unresolved,
	};
}

export async function watch(argv: readonly string[]): Promise<number> {
	const cli = parseArguments(argv, {
		help,
		flags: {
			proto: {type: 'string'},
			interval: {type: 'string'},
			timeout: {type: 'string'},
			count: {type: 'string'},
			json: {type: 'boolean', default: false},
			catalogue: {type: 'string'},
			identify: {type: 'boolean', default: true},
			sudo: {type: 'boolean', default: false},
			sshConfig: {type: 'string'},
		},
	});
	const isIdentifying = cli.flags.identify;
	// Several hosts: the first goes through the usual checks with the ports, the rest alike.
	const hostTexts = cli.input[0]?.split(',') ?? [];
	const intervalMs = parseDuration(cli.flags.interval ?? '2s', '--interval', {
		minMs: 100,
		maxMs: 3_600_000,
	});
	const timeoutMs = parseProbeTimeout(cli.flags.timeout);
	const count =
		cli.flags.count === undefined
			? undefined
			: parseCount(cli.flags.count, '--count');
	const hosts = await Promise.all(
		hostTexts.map(async (text) => {
			const remote = parseRemoteArgument([text]);
			return remote
				? {
						host: parseHost(
							await sshHostName(remote.destination, {
								configFile: cli.flags.sshConfig,
							}),
						),
						destination: remote.destination,
					}
				: {host: parseHost(text)};
		}),
	);
	const {catalogue, pairs} = await loadHostAndPorts(
		hosts[0] === undefined
			? cli
			: {...cli, input: [hosts[0].host, ...cli.input.slice(1)]},
		usage,
	);
	// One SSH connection per ssh:// host for the whole watch, opened at its first read.
	const remotes = hosts.map(
		({destination}) =>
			destination &&
			openRemoteHost(destination, {
				configFile: cli.flags.sshConfig,
				isSudo: cli.flags.sudo,
			}),
	);
	const printer = cli.flags.json
		? jsonPrinter(catalogue)
		: humanPrinter(catalogue, intervalMs);

	return new Promise<number>((resolve) => {
		let isFinished = false;
		let transitions = 0;

		// One write a line: stdout to a pipe or a file is synchronous on Linux, so a line is
		// out of the process before the next one is made, and nothing is left to flush at exit.
		const print = (lines: readonly string[]) => {
			if (!isFinished && lines.length > 0) {
				process.stdout.write(lines.join('\n') + '\n');
			}
		};

		const handles = hosts.map(({host}, index) => {
			let isResolved: boolean | undefined;
			const remote = remotes[index];
			const show = showing(remote);
			return watchTarget({
				host,
				pairs,
				intervalMs,
				timeoutMs,
				expect: (pair) => catalogue.byPair(pair.port, pair.protocol),
				identify: () => isIdentifying,
				// On this machine, results and changes name the holder (read only when the target is local).
				readOwners: readLocalOwners,
				// A failed sweep (out of file descriptors, say) is reported and the watch goes on:
				// the next sweep may well succeed, and a monitor should not die of a hiccup.
				onError(error) {
					process.stderr.write(
						`portui: a sweep failed: ${sanitize(error.message)}\n`,
					);
				},
				onSnapshot: show.snapshot((snapshot, side, update) => {
					if (isResolved === undefined) {
						print(printer.snapshot(snapshot, side));
					} else if (isResolved !== snapshot.target.isResolved) {
						print([printer.target(snapshot)]);
					} else if (side && update) {
						print(
							update.availability
								? printer.availability(snapshot, side)
								: update.changes.map((change) =>
										printer.inside(snapshot, change),
									),
						);
					}

					isResolved = snapshot.target.isResolved;
				}),
				onTransition: show.transition((transition, side) => {
					// The first sweep's answers are the snapshot, not changes.
					if (transition.from === undefined || isResolved === undefined) {
						return;
					}

					print([printer.transition(transition, side)]);
					transitions++;
					if (count !== undefined && transitions >= count) {
						finish();
					}
				}),
			});
		});

		/**
		 * For a host over SSH, its sockets are read beside each snapshot, and the snapshot and its
		 * transitions wait for that read in order; other hosts' are shown at once.
		 */
		function showing(remote: RemoteHost | undefined) {
			const tracker = createInsideTracker();
			let queue: Promise<void> = Promise.resolve();
			let side: RemoteSide | undefined;
			const later = (step: () => Promise<void> | void) => {
				queue = queue.then(step).catch((error: unknown) => {
					process.stderr.write(
						`portui: ${sanitize(error instanceof Error ? error.message : String(error))}\n`,
					);
				});
			};

			return {
				snapshot:
					(
						show: (
							snapshot: Snapshot,
							side?: RemoteSide,
							update?: InsideUpdate,
						) => void,
					) =>
					(snapshot: Snapshot) => {
						if (!remote) {
							show(snapshot);
							return;
						}

						later(async () => {
							// A read made since this sweep started is as fresh as the sweep: snapshots that
							// queued behind a slow read share it, so the queue drains instead of growing.
							// Bounded: a host that stops answering holds this host's lines for 10 s at most.
							const read =
								side && side.read.at >= snapshot.startedAt
									? side.read
									: await readInside(remote, AbortSignal.timeout(10_000));
							if (isFinished) {
								return;
							}

							side = {
								destination: remote.destination,
								read,
								target: snapshot.target,
							};
							show(snapshot, side, tracker.update(snapshot, read));
						});
					},
				transition:
					(show: (transition: Transition, side?: RemoteSide) => void) =>
					(transition: Transition) => {
						if (remote) {
							later(() => {
								show(transition, side);
							});
						} else {
							show(transition);
						}
					},
			};
		}

		function finish() {
			if (isFinished) {
				return;
			}

			isFinished = true;
			process.off('SIGINT', finish);
			process.off('SIGTERM', finish);
			process.stdout.off('error', onOutputError);
			stopWatchingReader();
			for (const handle of handles) {
				handle.stop();
			}

			for (const remote of remotes) {
				remote?.close();
			}

			void Promise.all(handles.map(async (handle) => handle.done)).then(
				() => {
					resolve(0);
				},
				() => {
					resolve(0);
				},
			);
		}

		// A reader that went away (`| head -1`) ends the watch quietly, as it ends `yes`.
		function onOutputError(error: NodeJS.ErrnoException) {
			if (error.code === 'EPIPE') {
				finish();
			}
		}

		process.once('SIGINT', finish);
		process.once('SIGTERM', finish);
		process.stdout.on('error', onOutputError);
		// Nothing to write may mean no EPIPE for hours: notice the reader leave by itself.
		const stopWatchingReader = onReaderGone(finish);
	});
}
