import {spawn} from 'node:child_process';
import {constants} from 'node:os';
import process from 'node:process';
import {
	parseArguments,
	parseDuration,
	parseHost,
	parsePortSpec,
	parseRemoteArgument,
	UsageError,
} from '../args.js';
import {type Catalogue, loadCatalogue} from '../catalogue/load.js';
import {listLocalSockets, readLocalOwners} from '../probe/listeners.js';
import {isLocalTarget} from '../probe/local.js';
import {
	createRestartLog,
	hasChanged,
	hasRestarted,
	type PortRestart,
} from '../probe/restarts.js';
import {resolveTarget} from '../probe/targets.js';
import type {LocalSocket, PortPair, Snapshot} from '../probe/types.js';
import {watch, type Watcher} from '../probe/watch.js';
import type {SshDestination} from '../remote/destination.js';
import {openRemoteHost, sshHostName} from '../remote/remote-host.js';
import {escapeText} from '../text/quote.js';
import {holderToJson, ownerChangeText} from '../text/owner.js';
import {formatDowntime, parseProbeTimeout} from './results.js';

const usage =
	'portui during [HOST|ssh://[USER@]HOST[:PORT]] [PORTS] [--json] [--timeout 30s] [--interval 250ms] [--ssh-config FILE] -- COMMAND [ARGS...]';

const help = `
	Usage
	  $ ${usage}

	Runs COMMAND (say \`systemctl restart nginx\`) while it watches the ports, then
	prints one line per port that changed: when it went down and came back, the
	downtime, the holder before and after (pid, unit, container), or that it is
	still down. A holder that changed while the port stayed open (a reload that
	kept the socket) is a line too.

	COMMAND runs without a shell, its arguments as given; its output passes
	through (with --json, its standard output goes to standard error, so that
	standard output is the one JSON object). Ctrl-C at a terminal reaches it as it
	reaches portui; a SIGINT or SIGTERM sent to portui alone is passed on to it.

	What is watched
	  HOST     default: this machine, each listening TCP socket at its own address
	           (0.0.0.0 at 127.0.0.1, :: at ::1)
	  PORTS    as for \`portui probe\` (22,80  8000-8100  ssh  53/udp); default with
	           HOST, and added to them without: every TCP port this machine listens on
	A lone argument that is a port list (22,80 or 8080) is PORTS, anything else HOST.
	On this machine the holders come from its socket tables.
	  ssh://[USER@]HOST[:PORT]  probed where ssh logs in (the HostName of its
	           config); without PORTS, every TCP port the host listens on beyond its
	           loopback, read over ssh before COMMAND starts. Holders are not named
	           there (they are read only for this machine's ports)

	Options
	  --timeout    how long after COMMAND ends the ports may take to come back,
	               up to 1h (default 30s)
	  --interval   time between sweeps, 50ms to 10s (default 250ms): downtimes are
	               measured to within one interval
	  --probe-timeout  how long one probe waits for an answer (default 1s)
	  --json       one JSON object when done
	  --catalogue  a user catalogue file (default $XDG_CONFIG_HOME/portui/catalogue.json)
	  --ssh-config an ssh config file (ssh -F) instead of ~/.ssh/config

	Exit status
	  COMMAND's own when it failed (128+N after signal N; 127 when it cannot be run)
	  0    every port that was open before is open again within --timeout
	  1    one was not (its line says "still down")
	  2    bad arguments

	Examples
	  $ portui during -- systemctl restart nginx
	  $ portui during localhost 80,443 -- nginx -s reload
	  $ portui during db.example 5432 --timeout 2m -- ssh db.example sudo systemctl restart postgresql
	  $ portui during ssh://db1 -- ssh db1 sudo systemctl restart postgresql
`;

const isPortList = (text: string) =>
	/^[\d\s,\/a-z\-]+$/iv.test(text) && /^\d/v.test(text.trim());

type Group = {readonly host: string; readonly pairs: PortPair[]};

/** Where to reach a listening socket of this machine: its own address, or loopback for a wildcard. */
function probeAddress(socket: LocalSocket): string {
	if (socket.address === '0.0.0.0') {
		return '127.0.0.1';
	}

	if (socket.address === '::') {
		return '::1';
	}

	return socket.address.startsWith('::ffff:')
		? socket.address.slice(7)
		: socket.address;
}

function addPair(groups: Map<string, Group>, host: string, pair: PortPair) {
	const group = groups.get(host) ?? {host, pairs: []};
	if (
		!group.pairs.some(
			(known) => known.port === pair.port && known.protocol === pair.protocol,
		)
	) {
		group.pairs.push(pair);
	}

	groups.set(host, group);
}

async function localListeners(): Promise<readonly LocalSocket[]> {
	const list = await listLocalSockets({refreshOwners: true});
	return list.isAvailable
		? list.sockets.filter((socket) => socket.protocol === 'tcp')
		: [];
}

/** The TCP ports a host over ssh listens on beyond its loopback: the ones a probe from here can see go. */
async function remoteListeners(
	destination: SshDestination,
	configFile: string | undefined,
): Promise<PortPair[]> {
	const remote = openRemoteHost(destination, {configFile, isRetrying: false});
	try {
		const list = await remote.scanner.list();
		if (!list.isAvailable) {
			throw new Error(
				`${destination.text}: ${list.reason ?? 'cannot read its sockets'}`,
			);
		}

		return [
			...new Set(
				list.sockets
					.filter(
						(socket) =>
							socket.protocol === 'tcp' &&
							!socket.address.startsWith('127.') &&
							socket.address !== '::1',
					)
					.map((socket) => socket.port),
			),
		].map((port) => ({port, protocol: 'tcp'}));
	} finally {
		remote.close();
	}
}

async function groupsToWatch(
	input: readonly string[],
	catalogue: Catalogue,
	configFile: string | undefined,
): Promise<Group[]> {
	const remote = parseRemoteArgument(input);
	if (remote) {
		const [, portText, ...rest] = input;
		if (rest.length > 0) {
			throw new UsageError(
				`too many arguments before --: ${escapeText(rest.join(' '))}; usage: ${usage}`,
			);
		}

		const named =
			portText === undefined ? [] : parsePortSpec(portText, catalogue);
		const host = parseHost(await sshHostName(remote.destination, {configFile}));
		const pairs =
			named.length > 0
				? named
				: await remoteListeners(remote.destination, configFile);
		return [{host, pairs}];
	}

	if (input.length > 2) {
		throw new UsageError(
			`too many arguments before --: ${escapeText(input.slice(2).join(' '))}; usage: ${usage}`,
		);
	}

	const [first, second] = input;
	const hasHost =
		first !== undefined && (second !== undefined || !isPortList(first));
	const host = hasHost ? parseHost(first) : undefined;
	const portText = hasHost ? second : first;
	const named =
		portText === undefined ? [] : parsePortSpec(portText, catalogue);
	const groups = new Map<string, Group>();
	if (host !== undefined) {
		const listeners = named.length > 0 ? [] : await localListeners();
		const pairs =
			named.length > 0
				? named
				: listeners.map(({port}) => ({port, protocol: 'tcp' as const}));
		for (const pair of pairs) {
			addPair(groups, host, pair);
		}

		return [...groups.values()];
	}

	for (const socket of await localListeners()) {
		addPair(groups, probeAddress(socket), {
			port: socket.port,
			protocol: 'tcp',
		});
	}

	for (const pair of named) {
		addPair(groups, 'localhost', pair);
	}

	return [...groups.values()];
}

type CommandEnd = {
	readonly status: number;
	readonly code: number | undefined;
	readonly signal: string | undefined;
	readonly error?: string;
	readonly at: number;
};

/** Runs the command without a shell; its status as a shell would give it. */
function runCommand(
	command: readonly string[],
	isJson: boolean,
): {end: Promise<CommandEnd>; forward: (signal: NodeJS.Signals) => void} {
	const child = spawn(command[0]!, command.slice(1), {
		stdio: ['inherit', isJson ? 2 : 'inherit', 'inherit'],
	});
	const end = new Promise<CommandEnd>((resolve) => {
		child.once('error', (error: NodeJS.ErrnoException) => {
			resolve({
				status: error.code === 'ENOENT' ? 127 : 126,
				code: undefined,
				signal: undefined,
				error: `cannot run "${escapeText(command[0]!)}": ${error.code ?? error.message}`,
				at: Date.now(),
			});
		});
		child.once('exit', (code, signal) => {
			const number = signal ? (constants.signals[signal] ?? 0) : 0;
			resolve({
				status: code ?? 128 + number,
				code: code ?? undefined,
				signal: signal ?? undefined,
				at: Date.now(),
			});
		});
	});
	return {
		end,
		forward(signal) {
			if (child.exitCode === null && child.signalCode === null) {
				child.kill(signal);
			}
		},
	};
}

const clock = (at: number) => new Date(at).toISOString().slice(11, 23);

function portLine(port: PortRestart, catalogue: Catalogue): string {
	const service = catalogue.byPair(port.port, port.protocol)?.service;
	const label = `${port.host} ${port.port}/${port.protocol}${service ? ` ${service}` : ''}`;
	const parts: string[] = [];
	for (const outage of port.outages) {
		const owners = ownerChangeText(outage.ownerBefore, outage.ownerAfter);
		const suffix = owners === '' ? '' : ` · ${owners}`;
		parts.push(
			outage.backAt === undefined
				? `still down at the end (${outage.downState}, since ${clock(outage.leftAt)})${suffix}`
				: `down from ${clock(outage.leftAt)} to ${clock(outage.backAt)}, ${formatDowntime(outage.downMs ?? outage.backAt - outage.leftAt)}${suffix}`,
		);
	}

	for (const change of port.ownerChanges) {
		parts.push(
			`owner changed, no downtime: ${ownerChangeText(change.ownerBefore, change.ownerAfter)}`,
		);
	}

	if (port.outages.length === 0 && port.before !== port.after) {
		parts.push(`${port.before} -> ${port.after}`);
	}

	return `${label}  ${parts.join('; ')}`;
}

/** A port open before and not open at the end. */
const isNotBack = (port: PortRestart) =>
	port.before === 'open' && port.after !== 'open';

function portJson(port: PortRestart, catalogue: Catalogue) {
	const iso = (at: number | undefined) =>
		at === undefined ? null : new Date(at).toISOString();
	return {
		host: port.host,
		port: port.port,
		protocol: port.protocol,
		service: catalogue.byPair(port.port, port.protocol)?.service ?? null,
		before: port.before,
		after: port.after,
		changed: hasChanged(port),
		restarted: hasRestarted(port),
		stillDown: isNotBack(port),
		ownerBefore: holderToJson(port.beforeOwner),
		ownerAfter: holderToJson(port.afterOwner),
		pidChanged:
			port.beforeOwner && port.afterOwner
				? port.beforeOwner.pid !== port.afterOwner.pid
				: null,
		outages: port.outages.map((outage) => ({
			from: iso(outage.leftAt),
			lastOpen: iso(outage.previousAt),
			to: iso(outage.backAt),
			downMs: outage.downMs ?? null,
			state: outage.downState,
			ownerBefore: holderToJson(outage.ownerBefore),
			ownerAfter: holderToJson(outage.ownerAfter),
		})),
		ownerChanges: port.ownerChanges.map((change) => ({
			time: iso(change.at),
			ownerBefore: holderToJson(change.ownerBefore),
			ownerAfter: holderToJson(change.ownerAfter),
		})),
	};
}

type Watching = {
	readonly watchers: Watcher[];
	/** Settles once every watcher has delivered a sweep that started at or after `since`. */
	readonly sweptSince: (since: number) => Promise<void>;
	/** Calls `check` after every snapshot. */
	readonly onSnapshot: (check: () => void) => void;
};

async function startWatching(
	groups: readonly Group[],
	options: {
		readonly intervalMs: number;
		readonly probeTimeoutMs: number | undefined;
		readonly log: ReturnType<typeof createRestartLog>;
	},
): Promise<Watching> {
	const lastStart = new Map<string, number>();
	const listeners = new Set<() => void>();
	const watchers: Watcher[] = [];
	for (const group of groups) {
		// eslint-disable-next-line no-await-in-loop -- a handful of hosts, resolved once to decide owners
		const target = await resolveTarget(group.host);
		const isLocal = isLocalTarget(target);
		watchers.push(
			watch({
				host: group.host,
				pairs: group.pairs,
				intervalMs: options.intervalMs,
				timeoutMs: options.probeTimeoutMs,
				identify: () => false,
				...(isLocal && {readOwners: readLocalOwners}),
				onError() {
					// A failed sweep leaves the ports unobserved for one interval; the next one tries again.
				},
				onSnapshot(snapshot: Snapshot) {
					for (const result of snapshot.results) {
						options.log.result(result);
					}

					lastStart.set(group.host, snapshot.startedAt);
					for (const listener of listeners) {
						listener();
					}
				},
				onTransition: options.log.transition,
			}),
		);
	}

	return {
		watchers,
		async sweptSince(since) {
			return new Promise((resolve) => {
				const check = () => {
					if (
						groups.every((group) => (lastStart.get(group.host) ?? -1) >= since)
					) {
						listeners.delete(check);
						resolve();
					}
				};

				listeners.add(check);
				check();
			});
		},
		onSnapshot(check) {
			listeners.add(check);
		},
	};
}

export async function during(argv: readonly string[]): Promise<number> {
	const split = argv.indexOf('--');
	const command = split === -1 ? [] : argv.slice(split + 1);
	const cli = parseArguments(split === -1 ? argv : argv.slice(0, split), {
		help,
		flags: {
			json: {type: 'boolean', default: false},
			timeout: {type: 'string'},
			interval: {type: 'string'},
			probeTimeout: {type: 'string'},
			catalogue: {type: 'string'},
			sshConfig: {type: 'string'},
		},
	});
	if (command.length === 0 || command[0] === '') {
		throw new UsageError(`missing COMMAND after --; usage: ${usage}`);
	}

	const timeoutMs = parseDuration(cli.flags.timeout ?? '30s', '--timeout', {
		minMs: 0,
		maxMs: 3_600_000,
	});
	const intervalMs = parseDuration(
		cli.flags.interval ?? '250ms',
		'--interval',
		{
			minMs: 50,
			maxMs: 10_000,
		},
	);
	const probeTimeoutMs = parseProbeTimeout(
		cli.flags.probeTimeout,
		'--probe-timeout',
	);
	const catalogue = await loadCatalogue({
		userFile: cli.flags.catalogue,
		registry: false,
	});
	const groups = await groupsToWatch(cli.input, catalogue, cli.flags.sshConfig);
	const log = createRestartLog();
	const startedAt = Date.now();
	const watching = await startWatching(groups, {
		intervalMs,
		probeTimeoutMs,
		log,
	});
	// The baseline: every port observed once before COMMAND starts.
	await watching.sweptSince(startedAt);

	const run = runCommand(command, cli.flags.json);
	// At a terminal, Ctrl-C reaches the whole foreground group, COMMAND with it: passing it on
	// would make it a second Ctrl-C (which many tools take as "force"). A signal to portui alone is.
	const onSignal = (signal: NodeJS.Signals) => {
		if (signal !== 'SIGINT' || !process.stdin.isTTY) {
			run.forward(signal);
		}
	};

	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onSignal);
	const end = await run.end;
	if (end.error) {
		process.stderr.write(`portui: ${end.error}\n`);
	}

	let isTimedOut = false;
	if (end.status === 0) {
		// One sweep that began after COMMAND ended, then until every port open before is back.
		await watching.sweptSince(end.at);
		await new Promise<void>((resolve) => {
			const timer = setTimeout(() => {
				isTimedOut = true;
				resolve();
			}, timeoutMs);
			const check = () => {
				if (!log.ports().some((port) => isNotBack(port))) {
					clearTimeout(timer);
					resolve();
				}
			};

			watching.onSnapshot(check);
			check();
		});
	}

	for (const watcher of watching.watchers) {
		watcher.stop();
	}

	await Promise.allSettled(
		watching.watchers.map(async (watcher) => watcher.done),
	);
	process.off('SIGINT', onSignal);
	process.off('SIGTERM', onSignal);
	process.off('SIGHUP', onSignal);

	return report({
		ports: log.ports(),
		end,
		command,
		startedAt,
		timeoutMs,
		isTimedOut,
		isJson: cli.flags.json,
		catalogue,
	});
}

/** The account of what COMMAND did to the ports, on stdout; gives the exit status. */
function report({
	ports,
	end,
	command,
	startedAt,
	timeoutMs,
	isTimedOut,
	isJson,
	catalogue,
}: {
	readonly ports: readonly PortRestart[];
	readonly end: CommandEnd;
	readonly command: readonly string[];
	readonly startedAt: number;
	readonly timeoutMs: number;
	readonly isTimedOut: boolean;
	readonly isJson: boolean;
	readonly catalogue: Catalogue;
}): number {
	const notBack = ports.filter((port) => isNotBack(port));
	const status = end.status === 0 ? (notBack.length > 0 ? 1 : 0) : end.status;
	if (isJson) {
		process.stdout.write(
			JSON.stringify(
				{
					command,
					exitCode: status,
					commandExit: {
						status: end.status,
						code: end.code ?? null,
						signal: end.signal ?? null,
						error: end.error ?? null,
					},
					startedAt: new Date(startedAt).toISOString(),
					commandEndedAt: new Date(end.at).toISOString(),
					timeoutMs,
					timedOut: isTimedOut,
					watched: ports.length,
					ports: ports
						.filter((port) => hasChanged(port))
						.map((port) => portJson(port, catalogue)),
				},
				undefined,
				'\t',
			) + '\n',
		);
		return status;
	}

	const changed = ports.filter((port) => hasChanged(port));
	for (const port of changed) {
		process.stdout.write(`${portLine(port, catalogue)}\n`);
	}

	const summary =
		end.status === 0
			? notBack.length === 0
				? 'every port open before is open again'
				: `${notBack.length} ${notBack.length === 1 ? 'port' : 'ports'} open before ${notBack.length === 1 ? 'is' : 'are'} not open after ${formatDowntime(timeoutMs)}: ${notBack.map((port) => `${port.host} ${port.port}/${port.protocol}`).join(', ')}`
			: `the command failed (exit status ${end.status})`;
	process.stdout.write(
		`portui during: ${ports.length} ${ports.length === 1 ? 'port' : 'ports'} watched, ${changed.length} changed; ${summary}\n`,
	);
	return status;
}
