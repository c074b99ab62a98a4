import process from 'node:process';
import {isIP} from 'node:net';
import {PassThrough} from 'node:stream';
import {type Instance, render} from 'ink';
import {App} from '../app.js';
import {
	parseArguments,
	parseDuration,
	parseHost,
	parsePortSpec,
	parseRemoteArgument,
	UsageError,
} from '../args.js';
import {
	isSshUrl,
	parseSshUrl,
	sshAccepted,
	type SshDestination,
} from '../remote/destination.js';
import {defaultProbeService} from '../hooks/default-probe-service.js';
import type {ProbeService} from '../hooks/probe-service.js';
import {openRemoteHost, sshHostName} from '../remote/remote-host.js';
import {liveKey} from '../state/live-state.js';
import {createPinStore, pinsPath} from '../state/pins-store.js';
import {type Catalogue, loadCatalogue} from '../catalogue/load.js';
import {detectColor, isUtf8Locale} from '../terminal/environment.js';
import {FrameStdout} from '../terminal/frame-stdout.js';
import {chooseTheme, type ThemeName} from '../terminal/theme.js';
import {printSnapshot} from '../terminal/print-snapshot.js';
import {isDumbTerminal} from '../terminal/snapshot.js';
import {
	isHangup,
	openTerminalSession,
	type RestoreSignal,
	signalExitCode,
	terminateBy,
} from '../terminal/session.js';
import {quote} from '../text/quote.js';
import {parseProbeTimeout} from './results.js';

const help = `
	Usage
	  $ portui [HOST|ssh://[USER@]HOST[:PORT] ...] [PORTS] [--interval 2s] [--timeout 1s]
	           [--catalogue PATH] [--ascii] [--theme light|dark] [--sudo] [--ssh-config FILE]
	  $ portui list|probe|wait|watch ...   (portui <command> --help)

	The dashboard: the catalogue of well-known ports beside a live probe of HOST
	(default localhost). Press ? in it for every key; q or Ctrl-C quits.
	PORTS (22,443,40022 or ssh,53/udp or 8000-8010, as for probe) are watched alone,
	in the catalogue or not. Several hosts are watched at once in one dashboard
	(h and H go through them; one event log names the host). With two or more
	arguments the last is PORTS when it reads as ports (a number, a range, a list,
	a /udp, a service name of the catalogue); a host named like a service: give
	its full name (ldap.example). Pins (Space) are kept per host in
	$XDG_STATE_HOME/portui/pins.json (default ~/.local/state/portui/) and restored.

	Without a terminal (a pipe, cron, ssh without -t) it prints one plain snapshot of
	the curated ports (or of PORTS) instead, one line a port, and a hint on stderr.

	Options
	  --interval    time between sweeps, 100ms to 1h (default 2s)
	  --timeout     how long a probe waits for an answer, 10ms to 1m (default 1s)
	  --catalogue   a user catalogue file (default $XDG_CONFIG_HOME/portui/catalogue.json)
	  --ascii       ASCII borders; also when the locale (LC_ALL, LC_CTYPE, LANG) is not UTF-8
	  --theme       light or dark: colours for that background (default: from COLORFGBG,
	                else colours that read on both)

	ssh://[USER@]HOST[:PORT]: the ports are probed from here, and the host's own
	sockets are read over one SSH connection (the system's ssh and its config;
	nothing installed there). The who column says who holds each port there and
	whether that is reachable from here: \`python3: listening on 0.0.0.0, not
	reachable from here (firewalled)\`, \`listening on loopback only\`, ...
	  --sudo        read them through \`sudo -n\`, to name other users' processes
	  --ssh-config  an ssh config file (ssh -F) instead of ~/.ssh/config

	Environment
	  NO_COLOR      set and not empty: no colour (FORCE_COLOR=1 or 0 overrides either way)
	  COLORFGBG     the terminal's colours (rxvt, Konsole): a background of 7 or 9-15 is light
	  TERM          dumb or unset: the plain snapshot, not the full-screen dashboard

	Exit status
	  0    quit with q or Ctrl-C; or the snapshot printed
	  1    an unexpected error (one line; PORTUI_DEBUG=1 adds the stack);
	       or, for the snapshot, the host did not resolve
	  2    bad arguments or a bad catalogue file
	  SIGHUP (the terminal hung up), SIGTERM, SIGINT: the terminal is restored, then
	       portui ends by that signal (a shell shows 129, 143, 130)

	Examples
	  $ portui
	  $ portui db.example --interval 500ms
	  $ portui localhost 22,443,40022
	  $ portui db1.example db2.example ssh://db3.example postgresql
	  $ ssh -t host portui
	  $ portui ssh://admin@db.example --sudo
`;

/** One host of the command line: where the probes aim, and for ssh:// how to read its sockets. */
export type DashboardHost = {
	readonly host: string;
	readonly destination?: SshDestination;
};

export type DashboardSettings = {
	/** The first host: shown first. */
	readonly host: string;
	/** Several hosts watched at once (the first is `host`); absent for one. */
	readonly hosts?: readonly DashboardHost[];
	/** PORTS as given; parsed against the catalogue once it is loaded. */
	readonly ports: string | undefined;
	/** An ssh:// target: its sockets are read over SSH. */
	readonly remote?: {
		/** The first host's, when it is an ssh:// one. */
		readonly destination?: SshDestination;
		readonly configFile?: string;
		readonly isSudo: boolean;
	};
	readonly intervalMs: number;
	readonly timeoutMs: number | undefined;
	readonly userFile: string | undefined;
	readonly isAscii: boolean;
	readonly isColor: boolean;
	readonly theme: ThemeName;
};

/** Without the catalogue: a number, a range, a list or a protocol reads as ports. */
const looksLikePorts = (word: string) =>
	isIP(word) === 0 && (/[,\/]/v.test(word) || /^\d+(?:-\d+)?$/v.test(word));

/** A host of the command line: HOST or ssh://[USER@]HOST[:PORT]; a bad one names itself. */
function parseHostArgument(word: string): DashboardHost {
	const remote = parseRemoteArgument([word]);
	return remote
		? {host: remote.destination.host, destination: remote.destination}
		: {host: parseHost(word)};
}

/**
 * Splits the arguments into hosts and PORTS: with two or more, the last is PORTS when it reads
 * as ports (`isPorts`: the catalogue knows its names); ports anywhere else are refused.
 */
function splitHosts(
	input: readonly string[],
	isPorts: (word: string) => boolean,
): {readonly hosts: readonly DashboardHost[]; readonly ports?: string} {
	const last = input.at(-1);
	const hasPorts =
		input.length > 1 &&
		last !== undefined &&
		!isSshUrl(last) &&
		(looksLikePorts(last) || isPorts(last));
	const words = hasPorts ? input.slice(0, -1) : input;
	for (const word of words) {
		if (looksLikePorts(word) && !isSshUrl(word)) {
			throw new UsageError(
				`ports ${quote(word)} before the host ${quote(words.at(-1)!)}: the ports go last, once for every host; accepted: portui [HOST ...] [PORTS]`,
			);
		}
	}

	return {
		hosts: (words.length > 0 ? words : ['localhost']).map((word) =>
			parseHostArgument(word),
		),
		...(hasPorts && {ports: last}),
	};
}

export function parseDashboardArguments(
	argv: readonly string[],
	env: NodeJS.ProcessEnv,
	stdout: {readonly isTTY?: boolean},
	/** Whether a word is PORTS rather than a host: a service name of the catalogue. */
	isPorts: (word: string) => boolean = () => false,
): DashboardSettings {
	const cli = parseArguments(argv, {
		help,
		flags: {
			interval: {type: 'string', default: '2s'},
			timeout: {type: 'string'},
			catalogue: {type: 'string'},
			ascii: {type: 'boolean', default: false},
			theme: {type: 'string'},
			sudo: {type: 'boolean', default: false},
			sshConfig: {type: 'string'},
		},
	});
	const {hosts, ports} = splitHosts(cli.input, isPorts);
	const [first] = hosts;
	const {flags} = cli;
	return {
		host: first!.host,
		...(hosts.length > 1 && {hosts}),
		ports,
		// Kept for `:` too, where an ssh:// host may come at run time.
		...(hosts.some(({destination}) => destination) ||
		flags.sudo ||
		flags.sshConfig !== undefined
			? {
					remote: {
						...(first?.destination && {destination: first.destination}),
						configFile: flags.sshConfig,
						isSudo: flags.sudo,
					},
				}
			: {}),
		intervalMs: parseDuration(flags.interval, '--interval', {
			minMs: 100,
			maxMs: 3_600_000,
		}),
		timeoutMs: parseProbeTimeout(flags.timeout),
		userFile: flags.catalogue,
		isAscii: flags.ascii || !isUtf8Locale(env),
		isColor: detectColor(env, stdout),
		theme: chooseTheme(parseTheme(flags.theme), env),
	};
}

function parseTheme(value: string | undefined): 'dark' | 'light' | undefined {
	if (value === undefined || value === 'dark' || value === 'light') {
		return value;
	}

	throw new UsageError(`bad --theme ${quote(value)}; accepted: light, dark`);
}

/** The dashboard starts with the curated and user entries; IANA's registry and /etc/services load when needed. */
const loadFirstCatalogue = async (settings: DashboardSettings) =>
	loadCatalogue({
		userFile: settings.userFile,
		registry: false,
		systemServices: false,
	});

type Streams = {
	readonly stdin: NodeJS.ReadStream;
	readonly stdout: NodeJS.WriteStream;
	readonly stderr: NodeJS.WriteStream;
};

async function runInteractive(
	settings: DashboardSettings,
	firstCatalogue: Catalogue,
	streams: Streams,
): Promise<number> {
	// Before the alternate screen: a bad port is reported on the normal screen.
	const initialPins =
		settings.ports === undefined
			? undefined
			: parsePortSpec(settings.ports, firstCatalogue).map(({port, protocol}) =>
					liveKey(port, protocol),
				);
	const pinStore = createPinStore(pinsPath(process.env));
	let instance: Instance | undefined;
	let isEnded = false;
	let exitCode = 0;
	let fatal: unknown;
	/** A signal (or a terminal that hung up) ends the process by that signal, after restoring. */
	let endSignal: RestoreSignal | undefined;
	const end = (code: number) => {
		if (isEnded) {
			return;
		}

		isEnded = true;
		exitCode = code;
		instance?.unmount();
	};

	const session = openTerminalSession({
		...streams,
		onSignal(signal) {
			endSignal ??= signal;
			end(signalExitCode(signal));
		},
		onFatal(error) {
			if (isHangup(error)) {
				endSignal ??= 'SIGHUP';
			} else {
				fatal ??= error;
			}

			try {
				end(1);
			} catch {
				// Unmounting failed too: the terminal comes first, then out.
				session.restore();
				if (endSignal) {
					terminateBy(endSignal);
				}

				// eslint-disable-next-line unicorn/no-process-exit -- the state is unknown after an uncaught error
				process.exit(1);
			}
		},
	});
	const frames = new FrameStdout({
		stdout: streams.stdout,
		isAscii: settings.isAscii,
	});
	/** IANA's registry and /etc/services, loaded the first time the dashboard asks (see App). */
	let registry: Promise<void> | undefined;
	const loadRegistry = () => {
		registry ??= loadCatalogue({userFile: settings.userFile}).then(
			(catalogue) => {
				// A rerender after unmount would mount the dashboard again.
				if (!isEnded) {
					instance?.rerender(view(catalogue));
				}
			},
			() => {
				// Unreadable: the curated entries stay, and the search says nothing matches.
				if (!isEnded) {
					instance?.rerender(view(firstCatalogue));
				}
			},
		);
	};

	const {remote} = settings;
	const hosts = settings.hosts ?? [
		{host: settings.host, destination: remote?.destination},
	];
	// One SSH connection a remote host for the whole session.
	const remoteHosts = hosts.flatMap(({host, destination}) =>
		destination && remote
			? [{host, remoteHost: openRemoteHost(destination, remote)}]
			: [],
	);
	const remotes: ReadonlyMap<string, ProbeService['listLocalSockets']> =
		new Map(
			remoteHosts.map(({host, remoteHost}) => [host, remoteHost.scanner.list]),
		);
	const initialHosts =
		hosts.length > 1 ? hosts.map(({host}) => host) : undefined;
	/** Closes the connection to `host`, a remote host the dashboard does not watch. */
	const closeRemote = (host: string) => {
		const index = remoteHosts.findIndex((item) => item.host === host);
		if (index !== -1) {
			remoteHosts[index]!.remoteHost.close();
			remoteHosts.splice(index, 1);
		}
	};

	const onWatchedHosts = (watched: ReadonlySet<string>) => {
		for (const {host} of remoteHosts.filter(({host}) => !watched.has(host))) {
			closeRemote(host);
		}
	};

	// `:` with an ssh:// host: its connection lasts while the host is watched, as the command
	// line's do (`onWatchedHosts`: `:` putting another host in its place closes it).
	const openRemote = async (text: string) => {
		const destination = parseSshUrl(text);
		if (typeof destination === 'string') {
			throw new UsageError(
				`bad host ${quote(text)}: ${destination}; ${sshAccepted}`,
			);
		}

		const options = {isSudo: false, ...remote};
		const host = parseHost(
			await sshHostName(destination, {configFile: options.configFile}),
		);
		if (isEnded) {
			throw new Error('the dashboard has ended');
		}

		// The same host again (another user or port perhaps): the new connection replaces the old.
		closeRemote(host);
		const remoteHost = openRemoteHost(destination, options);
		remoteHosts.push({host, remoteHost});
		return {host, listLocalSockets: remoteHost.scanner.list};
	};

	const view = (catalogue: Catalogue, onNeedsRegistry?: () => void) => (
		<App
			probe={defaultProbeService}
			remotes={remotes}
			catalogue={catalogue}
			initialHost={settings.host}
			initialHosts={initialHosts}
			openRemote={openRemote}
			initialIntervalMs={settings.intervalMs}
			timeoutMs={settings.timeoutMs}
			isAscii={settings.isAscii}
			isColor={settings.isColor}
			pinStore={pinStore}
			initialPins={initialPins}
			theme={settings.theme}
			onWatchedHosts={onWatchedHosts}
			onNeedsRegistry={onNeedsRegistry}
			onExit={() => {
				end(0);
			}}
		/>
	);

	try {
		instance = render(view(firstCatalogue, loadRegistry), {
			// Ink writes whole frames (debug mode) into FrameStdout, which writes only what changed.
			stdout: frames as unknown as NodeJS.WriteStream,
			stdin: streams.stdin,
			stderr: streams.stderr,
			debug: true,
			exitOnCtrlC: false,
			patchConsole: false,
		});
		const rendered = instance;
		if (isEnded) {
			// A signal came while the first frame was being drawn.
			rendered.unmount();
		}

		await rendered.waitUntilExit();
	} finally {
		for (const {remoteHost} of remoteHosts) {
			remoteHost.close();
		}

		frames.dispose();
		session.restore();
		if (endSignal) {
			terminateBy(endSignal);
		}

		// Whatever is still pending (a probe's socket, a timer) must not keep a quit dashboard alive.
		setTimeout(() => {
			// eslint-disable-next-line unicorn/no-process-exit -- the exit code is set by then
			process.exit();
		}, 1000).unref();
	}

	if (fatal !== undefined) {
		throw fatal instanceof Error
			? fatal
			: new Error(`uncaught ${typeof fatal}`);
	}

	return exitCode;
}

export async function dashboard(argv: readonly string[]): Promise<number> {
	const {stdin, stdout, stderr} = process;
	// A bad catalogue file is reported first; its names tell PORTS from a host.
	const firstCatalogue = await loadFirstCatalogue(
		parseDashboardArguments(argv, process.env, stdout),
	);
	const isPorts = (word: string) => {
		try {
			parsePortSpec(word, firstCatalogue);
			return true;
		} catch {
			return false;
		}
	};

	const parsed = parseDashboardArguments(argv, process.env, stdout, isPorts);
	const configFile = parsed.remote?.configFile;
	// The probes aim where ssh logs in: an alias's HostName, as ssh reads its config.
	const hosts = await Promise.all(
		(
			parsed.hosts ?? [
				{host: parsed.host, destination: parsed.remote?.destination},
			]
		).map(async ({host, destination}) => ({
			host: destination
				? parseHost(await sshHostName(destination, {configFile}))
				: host,
			...(destination && {destination}),
		})),
	);
	// Two names of one host (an alias and its HostName) are one watch.
	const unique = hosts.filter(
		(item, index) => hosts.findIndex(({host}) => host === item.host) === index,
	);
	const settings: DashboardSettings = {
		...parsed,
		host: unique[0]!.host,
		...(unique.length > 1 && {hosts: unique}),
	};

	if (!stdin.isTTY || !stdout.isTTY || isDumbTerminal(process.env)) {
		let status = 0;
		for (const [index, {host}] of unique.entries()) {
			// One snapshot a host, the hint once, after the last.
			// eslint-disable-next-line no-await-in-loop -- one host after the other, in the order given
			const code = await printSnapshot({
				...settings,
				host,
				stdout,
				stderr: index === unique.length - 1 ? stderr : new PassThrough(),
				isDumbTerminal: stdin.isTTY && stdout.isTTY,
			});
			status = Math.max(status, code);
		}

		return status;
	}

	return runInteractive(settings, firstCatalogue, {stdin, stdout, stderr});
}
