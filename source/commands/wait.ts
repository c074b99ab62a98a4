import process from 'node:process';
import {
	parseArguments,
	parseDuration,
	parseHost,
	parsePortSpec,
	parseWaitTarget,
	UsageError,
	type PortCatalogue,
	type WaitTarget,
} from '../args.js';
import {loadCatalogue} from '../catalogue/load.js';
import {
	watch,
	sanitize,
	type Watcher,
	type AddressProbe,
	type PortPair,
	type PortState,
	type ProbeResult,
	type Snapshot,
	type WatchOptions,
} from '../probe/index.js';
import {readLocalOwners, readSocketTables} from '../probe/listeners.js';
import {isLocalAddress} from '../probe/local-address.js';
import {payloadForPort} from '../probe/payloads/index.js';
import {
	createRestartLog,
	hasRestarted,
	type PortRestart,
} from '../probe/restarts.js';
import {icmpRateLimitMs} from '../probe/udp.js';
import {
	isSshUrl,
	parseSshUrl,
	sshAccepted,
	type SshDestination,
} from '../remote/destination.js';
import {createInsideViews, type InsideViews} from '../remote/inside-views.js';
import {sshHostName} from '../remote/remote-host.js';
import {holderText} from '../text/owner.js';
import {quote} from '../text/quote.js';
import {formatDowntime, parseProbeTimeout} from './results.js';

const usage =
	'portui wait TARGET... [--closed | --restarted] [--timeout 30s] [--interval 250ms] [--quiet] [--ssh-config FILE]   (TARGET: HOST:PORT, or ssh://[USER@]HOST[:PORT] PORTS)';

const help = `
	Usage
	  $ ${usage}

	Waits until every TARGET is open (with --closed: closed), then exits 0. A
	restart script's replacement for wait-for-it, wait-on and \`nc -z\` loops.

	TARGET: HOST:PORT, HOST:PORT/udp or [IPv6]:PORT; PORT may be a service name.
	  localhost:5432  127.0.0.1:53/udp  [::1]:22  db.example:postgresql
	Or ssh://[USER@]HOST[:PORT] PORTS (PORTS as for \`portui probe\`: 5432,22  ssh
	53/udp): the ports are probed from here exactly as HOST's (where ssh logs in:
	the HostName of its config), and only an answer from here counts. The host's
	own sockets are read over ssh to say why a port is not there yet: a target
	left at the timeout reads e.g. \`filtered (timeout); listening on 0.0.0.0,
	not reachable from here (firewalled)\`. Plain and ssh:// targets mix.
	A name counts on every address it resolves to: localhost:80 is open once
	127.0.0.1 and ::1 both are (an address this machine cannot reach at all,
	::1 without IPv6, is left out); 127.0.0.1:80 or [::1]:80 names one family.

	What counts
	  open (TCP)      a connection was accepted
	  open (UDP)      a reply; or, on a port without a protocol request of its own
	                  (anything but 53, 111, 123, 137, 161), silence that is known to be
	                  a listener: on this machine, a socket bound to the port in the
	                  kernel's table; on another host, silence where this wait saw the
	                  port refuse before, with the host proven there (a TCP connect to
	                  it answered) and the silence held for three seconds. Silence
	                  alone is never open: a dropped or unroutable datagram is silent too
	  closed          refused: TCP reset, or ICMP port unreachable (UDP); a port that
	                  does not answer at all (filtered) is not closed
	A host that does not resolve yet is waited for like a closed port.

	Options
	  --closed         wait for the targets to be closed (a daemon to stop) instead
	  --restarted      wait for each target to go down and come back, or (on this
	                   machine, from its socket tables) for the pid holding it to
	                   change, since the wait started: for a restart triggered
	                   elsewhere. A target that is down at the start counts once it
	                   is back
	  --timeout        give up after this long, up to 24d; 0 waits for ever (default 30s)
	  --interval       time between checks, 10ms to 1h (default 250ms)
	  --probe-timeout  how long one probe waits for an answer, 10ms to 1m (default 1s)
	  --quiet          print nothing, not even the targets that did not get there
	  --ssh-config     an ssh config file (ssh -F) instead of ~/.ssh/config

	Progress goes to stderr only when stderr is a terminal.

	Exit status
	  0    every target got there
	  1    the timeout came first (a line per target that did not get there, on stderr)
	  2    bad arguments
	  130  interrupted (SIGINT, SIGTERM)

	Examples
	  $ portui wait localhost:5432 && npm start
	  $ portui wait db.example:5432 cache.example:6379 --timeout 2m
	  $ portui wait 127.0.0.1:53/udp --interval 100ms
	  $ systemctl stop nginx && portui wait --closed localhost:80 localhost:443
	  $ portui wait --restarted localhost:80 --timeout 5m && echo nginx restarted
	  $ portui wait ssh://admin@db1 5432 cache.example:6379 --timeout 2m
`;

export type WaitGoal = 'open' | 'closed';

/** What makes a UDP port's silence a listener rather than a lost datagram (see the help text). */
export type SilenceEvidence = {
	/** This machine's socket table holds a socket bound to the port and address. */
	readonly isBoundLocally?: boolean;
	/** The host was proven there, the port refused earlier in this wait, and has been silent since for a while. */
	readonly isConfirmedSilence?: boolean;
};

/**
 * Whether a result counts as `goal` (see the help text). A UDP port that has a request of its
 * own must answer it to be open: silence there means the service is not (yet) serving. On other
 * ports silence is open only with evidence that a listener swallowed the datagram.
 */
export function hasArrived(
	result: Pick<ProbeResult, 'state' | 'port' | 'protocol'> & {
		readonly addresses?: ReadonlyArray<Pick<AddressProbe, 'state'>>;
	},
	goal: WaitGoal,
	evidence: SilenceEvidence = {},
): boolean {
	const counts = (state: PortState) => {
		if (goal === 'closed') {
			return state === 'closed';
		}

		return (
			state === 'open' ||
			(result.protocol === 'udp' &&
				state === 'open|filtered' &&
				payloadForPort(result.port) === undefined &&
				(evidence.isBoundLocally === true ||
					evidence.isConfirmedSilence === true))
		);
	};

	// Every address the host resolves to must get there (localhost: 127.0.0.1 and ::1), but one
	// that cannot be reached at all (no IPv6 on this machine) is no address of the service.
	const states = (result.addresses ?? [])
		.map((probe) => probe.state)
		.filter((state) => state !== 'unreachable');
	return states.length > 0
		? states.every((state) => counts(state))
		: counts(result.state);
}

/** A wait's memory of one UDP target: silence is judged against what this wait saw before. */
type SilenceHistory = {
	wasRefused: boolean;
	/** When the silence after a refusal was first seen (epoch ms). */
	silentSince?: number;
};

/**
 * How long remote silence after a refusal must hold to count: a few of the target's ICMP limiter
 * periods, so that a refusal lost to another prober's burst (before every portui process has
 * learnt to pace that target, budget.ts) comes back within it.
 */
const silenceConfirmMs = 3 * icmpRateLimitMs;

/**
 * Updates `history` with `result` and says what the silence is worth (see `silenceConfirmMs`).
 */
function weighSilence(
	result: ProbeResult,
	history: SilenceHistory,
): SilenceEvidence {
	if (result.state === 'closed') {
		history.wasRefused = true;
		history.silentSince = undefined;
		return {};
	}

	if (result.state !== 'open|filtered') {
		history.silentSince = undefined;
		return {};
	}

	if (isLocalAddress(result.address)) {
		return {isBoundLocally: isBoundUdp(result.address, result.port)};
	}

	if (!history.wasRefused || result.isHostAlive !== true) {
		history.silentSince = undefined;
		return {};
	}

	history.silentSince ??= result.at;
	return {
		isConfirmedSilence: result.at - history.silentSince >= silenceConfirmMs,
	};
}

/** Whether an unconnected UDP socket on this machine takes datagrams for `address`:`port`. */
function isBoundUdp(address: string, port: number): boolean {
	const sockets = readSocketTables();
	if (typeof sockets === 'string') {
		return false;
	}

	const isV4 = !address.includes(':') || address.startsWith('::ffff:');
	return sockets.some(
		(socket) =>
			socket.protocol === 'udp' &&
			socket.port === port &&
			(socket.address === address ||
				socket.address === '::' ||
				(isV4 && socket.address === '0.0.0.0')),
	);
}

const pairKey = ({port, protocol}: PortPair) => `${port}/${protocol}`;

/** A target of this wait; one given as `ssh://HOST PORTS` names its host, whose sockets say why it is not there yet. */
type Target = WaitTarget & {readonly remote?: SshDestination};

type Snapshots = ReadonlyMap<string, Snapshot>;

function resultOf(target: WaitTarget, snapshots: Snapshots) {
	return snapshots
		.get(target.host)
		?.results.find((item) => pairKey(item) === pairKey(target));
}

function describe(
	target: Target,
	snapshots: Snapshots,
	inside?: InsideViews,
): string {
	const snapshot = snapshots.get(target.host);
	if (snapshot && !snapshot.target.isResolved) {
		return `${target.host} did not resolve (${sanitize(snapshot.target.error)})`;
	}

	const result = resultOf(target, snapshots);
	if (!result || !snapshot) {
		// A filtered port can take seconds to be called so; the host may say meanwhile what listens.
		const listening = inside?.listening(target);
		return listening === undefined
			? 'no answer yet'
			: `no answer yet; ${listening}`;
	}

	// Families that disagree are named each: `127.0.0.1 open, ::1 closed (refused)`.
	const states = new Set(result.addresses.map((probe) => probe.state));
	const outside =
		states.size > 1
			? result.addresses
					.map(
						(probe) =>
							`${probe.address} ${probe.state}${probe.state === 'open' ? '' : ` (${probe.reason})`}`,
					)
					.join(', ')
			: `${result.state} (${result.reason})`;
	const why = inside?.verdict(target, result, snapshot);
	return why === undefined ? outside : `${outside}; ${why}`;
}

function groupByHost(targets: readonly Target[]) {
	const byHost = new Map<string, PortPair[]>();
	for (const target of targets) {
		const pairs = byHost.get(target.host) ?? [];
		if (!pairs.some((pair) => pairKey(pair) === pairKey(target))) {
			pairs.push({port: target.port, protocol: target.protocol});
		}

		byHost.set(target.host, pairs);
	}

	return byHost;
}

/**
 * One watch a host over the pairs of its targets, state only; `perHost` adds what each kind of
 * wait reads from it.
 */
function watchHosts(
	targets: readonly Target[],
	options: Pick<WaitOptions, 'intervalMs' | 'probeTimeoutMs'>,
	perHost: (
		host: string,
	) => Pick<
		WatchOptions,
		'onError' | 'onSnapshot' | 'onTransition' | 'readOwners'
	>,
): Watcher[] {
	return [...groupByHost(targets)].map(([host, pairs]) =>
		watch({
			host,
			pairs,
			timeoutMs: options.probeTimeoutMs,
			intervalMs: options.intervalMs,
			// Only the state matters here: reading a greeting would delay the exit.
			identify: () => false,
			...perHost(host),
		}),
	);
}

type WaitOptions = {
	readonly targets: readonly Target[];
	readonly goal: WaitGoal;
	/** 0: no timeout. */
	readonly timeoutMs: number;
	readonly intervalMs: number;
	readonly probeTimeoutMs: number | undefined;
	readonly onProgress: (
		pending: readonly Target[],
		snapshots: Snapshots,
	) => void;
};

type WaitOutcome = {
	/** 0 every target got there, 1 the timeout came first, 130 interrupted. */
	readonly code: number;
	readonly pending: readonly Target[];
	readonly snapshots: Snapshots;
	readonly failure?: Error;
};

/** One watch loop per host; settles once every loop has stopped and closed its sockets. */
async function waitForTargets(options: WaitOptions): Promise<WaitOutcome> {
	const {targets, goal} = options;
	const snapshots = new Map<string, Snapshot>();
	const histories = new Map<WaitTarget, SilenceHistory>();
	const evidence = new Map<WaitTarget, SilenceEvidence>();
	// Once per snapshot, not per look: the history counts observations.
	const observe = (host: string) => {
		for (const target of targets) {
			const result = target.host === host && resultOf(target, snapshots);
			if (result && target.protocol === 'udp') {
				let history = histories.get(target);
				if (!history) {
					history = {wasRefused: false};
					histories.set(target, history);
				}

				evidence.set(target, weighSilence(result, history));
			}
		}
	};

	const pending = () =>
		targets.filter((target) => {
			const result = resultOf(target, snapshots);
			return (
				result === undefined || !hasArrived(result, goal, evidence.get(target))
			);
		});

	const run: {isFinished: boolean; failure?: Error} = {isFinished: false};
	const code = await runWatches(options.timeoutMs, (finish) =>
		watchHosts(targets, options, (host) => ({
			onError(error) {
				run.failure ??= error;
				finish(1);
			},
			onSnapshot(snapshot) {
				if (run.isFinished) {
					return;
				}

				snapshots.set(host, snapshot);
				observe(host);
				const left = pending();
				if (left.length === 0) {
					run.isFinished = true;
					finish(0);
				} else {
					options.onProgress(left, snapshots);
				}
			},
		})),
	);
	return {code, pending: pending(), snapshots, failure: run.failure};
}

/**
 * Runs the watches `start` makes until one of them calls `finish`, the timeout comes (1; 0 is
 * none) or SIGINT/SIGTERM (130); settles with that status once every watch has stopped and
 * closed its sockets.
 */
async function runWatches(
	timeoutMs: number,
	start: (finish: (code: number) => void) => readonly Watcher[],
): Promise<number> {
	return new Promise((resolve) => {
		let isFinished = false;
		let handles: readonly Watcher[] = [];
		const stopAll = () => {
			for (const handle of handles) {
				handle.stop();
			}
		};

		const finish = (code: number) => {
			if (isFinished) {
				return;
			}

			isFinished = true;
			clearTimeout(timer);
			process.off('SIGINT', onSignal);
			process.off('SIGTERM', onSignal);
			stopAll();
			void Promise.allSettled(handles.map(async (handle) => handle.done)).then(
				() => {
					resolve(code);
				},
			);
		};

		const onSignal = () => {
			finish(130);
		};

		process.once('SIGINT', onSignal);
		process.once('SIGTERM', onSignal);
		const timer =
			timeoutMs > 0
				? setTimeout(() => {
						finish(1);
					}, timeoutMs)
				: undefined;
		handles = start(finish);
	});
}

function parseWaitArguments(argv: readonly string[]) {
	const cli = parseArguments(argv, {
		help,
		flags: {
			closed: {type: 'boolean', default: false},
			restarted: {type: 'boolean', default: false},
			timeout: {type: 'string'},
			interval: {type: 'string'},
			probeTimeout: {type: 'string'},
			quiet: {type: 'boolean', default: false},
			sshConfig: {type: 'string'},
		},
	});
	if (cli.input.length === 0) {
		throw new UsageError(`missing TARGET; usage: ${usage}`);
	}

	if (cli.flags.closed && cli.flags.restarted) {
		throw new UsageError(
			`--closed and --restarted wait for different things: give one; usage: ${usage}`,
		);
	}

	const goal: WaitGoal = cli.flags.closed ? 'closed' : 'open';
	return {
		isRestart: cli.flags.restarted,
		inputs: cli.input,
		goal,
		timeoutMs: parseDuration(cli.flags.timeout ?? '30s', '--timeout', {
			minMs: 0,
		}),
		intervalMs: parseDuration(cli.flags.interval ?? '250ms', '--interval', {
			minMs: 10,
			maxMs: 3_600_000,
		}),
		probeTimeoutMs: parseProbeTimeout(
			cli.flags.probeTimeout,
			'--probe-timeout',
		),
		isQuiet: cli.flags.quiet,
		sshConfig: cli.flags.sshConfig,
	};
}

/** A plain target as given, or an ssh:// host with the PORTS after it. */
type TargetInput =
	| {readonly text: string}
	| {readonly destination: SshDestination; readonly ports: string};

function splitInputs(inputs: readonly string[]): TargetInput[] {
	const items: TargetInput[] = [];
	for (let index = 0; index < inputs.length; index++) {
		const text = inputs[index]!;
		if (!isSshUrl(text)) {
			items.push({text});
			continue;
		}

		const destination = parseSshUrl(text);
		if (typeof destination === 'string') {
			throw new UsageError(
				`bad host ${quote(text)}: ${destination}; ${sshAccepted}`,
			);
		}

		// A port list has no colon: a HOST:PORT or ssh:// next means the PORTS are missing.
		const ports = inputs[index + 1];
		if (ports === undefined || ports.includes(':')) {
			throw new UsageError(
				`${quote(text)} needs its PORTS after it (ssh://db1 5432,22); usage: ${usage}`,
			);
		}

		items.push({destination, ports});
		index++;
	}

	return items;
}

/** The targets, checked all before any ssh:// host name is looked up (ssh -G). */
async function parseTargets(
	items: readonly TargetInput[],
	catalogue: PortCatalogue | undefined,
	configFile: string | undefined,
): Promise<Target[]> {
	const parsed = items.map((item) =>
		'text' in item
			? ({isSsh: false, target: parseWaitTarget(item.text, catalogue)} as const)
			: ({
					isSsh: true,
					destination: item.destination,
					pairs: parsePortSpec(item.ports, catalogue, {protocol: 'tcp'}),
				} as const),
	);
	const lists = await Promise.all(
		parsed.map(async (entry): Promise<Target[]> => {
			if (!entry.isSsh) {
				return [entry.target];
			}

			const {destination} = entry;
			// The probes aim where ssh logs in: an alias's HostName, as ssh reads its config.
			const host = parseHost(await sshHostName(destination, {configFile}));
			return entry.pairs.map((pair) => ({
				...pair,
				host,
				text: `${destination.text} ${pair.port}${pair.protocol === 'udp' ? '/udp' : ''}`,
				remote: destination,
			}));
		}),
	);
	return lists.flat();
}

export async function wait(argv: readonly string[]): Promise<number> {
	const options = parseWaitArguments(argv);
	const items = splitInputs(options.inputs);
	// The catalogue is read only when a target names its port (localhost:ssh, ssh://db1 ssh).
	const isNumeric = (item: TargetInput) =>
		'text' in item
			? /:\d+(?:\/\w+)?$/v.test(item.text)
			: !/[a-z]/iv.test(item.ports);
	const catalogue = items.every((item) => isNumeric(item))
		? undefined
		: await loadCatalogue();
	const targets = await parseTargets(items, catalogue, options.sshConfig);

	const startedAt = Date.now();
	const showsProgress = !options.isQuiet && process.stderr.isTTY;
	const progress = (text: string) => {
		if (showsProgress) {
			const width = Math.max(20, (process.stderr.columns || 80) - 1);
			process.stderr.write(`\r\u001B[2K${text.slice(0, width)}`);
		}
	};

	if (options.isRestart) {
		return waitForRestarts({...options, targets});
	}

	const inside = createInsideViews(targets, options.sshConfig);
	try {
		const outcome = await waitForTargets({
			...options,
			targets,
			onProgress(pending, snapshots) {
				if (!showsProgress) {
					return;
				}

				inside.refresh(pending);
				const waiting = pending.map(
					(target) => `${target.text} ${describe(target, snapshots, inside)}`,
				);
				progress(
					`waiting ${formatDowntime(Date.now() - startedAt)} for ${options.goal}: ${waiting.join('; ')}`,
				);
			},
		});

		progress('');
		if (outcome.failure) {
			throw outcome.failure;
		}

		if (outcome.code === 1 && !options.isQuiet) {
			await inside.readNow(outcome.pending);
			const after = formatDowntime(options.timeoutMs);
			for (const target of outcome.pending) {
				process.stderr.write(
					`portui: ${target.text} not ${options.goal} after ${after}: ${describe(target, outcome.snapshots, inside)}\n`,
				);
			}
		}

		return outcome.code;
	} finally {
		inside.close();
	}
}

type RestartWaitOptions = Omit<WaitOptions, 'goal' | 'onProgress'> & {
	readonly isQuiet: boolean;
};

/** Why a target has not restarted yet, in a few words. */
function restartPending(port: PortRestart | undefined): string {
	if (!port) {
		return 'no answer yet';
	}

	const last = port.outages.at(-1);
	if (last && last.backAt === undefined) {
		return `down since ${new Date(last.leftAt).toISOString()} (${last.downState})`;
	}

	const holder = port.afterOwner
		? `, held by ${holderText(port.afterOwner)}`
		: '';
	return `${port.after} since the start${holder}`;
}

/** `--restarted`: one watch per host (reading holders on this machine) until every target restarted. */
async function waitForRestarts(options: RestartWaitOptions): Promise<number> {
	const {targets} = options;
	const log = createRestartLog();
	const portOf = (target: WaitTarget) =>
		log
			.ports()
			.find(
				(port) =>
					port.host === target.host && pairKey(port) === pairKey(target),
			);
	const pending = () =>
		targets.filter((target) => {
			const port = portOf(target);
			return !port || !hasRestarted(port);
		});
	const code = await runWatches(options.timeoutMs, (finish) =>
		watchHosts(targets, options, () => ({
			// Holders come from this machine's tables; another host's results carry none.
			readOwners: readLocalOwners,
			onError() {
				// The next sweep tries again; the timeout bounds the wait.
			},
			onSnapshot(snapshot) {
				for (const result of snapshot.results) {
					log.result(result);
				}
			},
			onTransition(transition) {
				log.transition(transition);
				if (pending().length === 0) {
					finish(0);
				}
			},
		})),
	);
	if (code === 1 && !options.isQuiet) {
		const after = formatDowntime(options.timeoutMs);
		for (const target of pending()) {
			process.stderr.write(
				`portui: ${target.text} not restarted after ${after}: ${restartPending(portOf(target))}\n`,
			);
		}
	}

	return code;
}
