import process from 'node:process';
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
import {defaultProbeService} from '../hooks/default-probe-service.js';
import type {ProbeService} from '../hooks/probe-service.js';
import type {SshDestination} from '../remote/destination.js';
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
	  $ portui [HOST|ssh://[USER@]HOST[:PORT] [PORTS]] [--interval 2s] [--timeout 1s]
	           [--catalogue PATH] [--ascii] [--theme light|dark] [--sudo] [--ssh-config FILE]
	  $ portui list|probe|wait|watch ...   (portui <command> --help)

	The dashboard: the catalogue of well-known ports beside a live probe of HOST
	(default localhost). Press ? in it for every key; q or Ctrl-C quits.
	PORTS (22,443,40022 or ssh,53/udp or 8000-8010, as for probe) are watched alone,
	in the catalogue or not. Pins (Space) are kept per host in
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
	  $ ssh -t host portui
	  $ portui ssh://admin@db.example --sudo
`;

export type DashboardSettings = {
	readonly host: string;
	/** PORTS as given; parsed against the catalogue once it is loaded. */
	readonly ports: string | undefined;
	/** An ssh:// target: its sockets are read over SSH. */
	readonly remote?: {
		readonly destination: SshDestination;
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

export function parseDashboardArguments(
	argv: readonly string[],
	env: NodeJS.ProcessEnv,
	stdout: {readonly isTTY?: boolean},
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
	const remote = parseRemoteArgument(cli.input);
	if (cli.input.length > 2) {
		throw new UsageError(
			`one host and one list of ports at a time, got ${cli.input.length} arguments; accepted: portui [HOST [PORTS]], or a command: list, probe, wait, watch`,
		);
	}

	const {flags} = cli;
	return {
		host: parseHost((remote?.input ?? cli.input)[0] ?? 'localhost'),
		ports: cli.input[1],
		...(remote
			? {
					remote: {
						destination: remote.destination,
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
	streams: Streams,
): Promise<number> {
	// Before the alternate screen: a bad catalogue file or port is reported on the normal screen.
	const firstCatalogue = await loadFirstCatalogue(settings);
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
	const remoteHost = remote
		? openRemoteHost(remote.destination, remote)
		: undefined;
	const probe: ProbeService | undefined = remoteHost && {
		...defaultProbeService,
		listLocalSockets: remoteHost.scanner.list,
	};
	const view = (catalogue: Catalogue, onNeedsRegistry?: () => void) => (
		<App
			probe={probe}
			remoteHost={remoteHost ? settings.host : undefined}
			catalogue={catalogue}
			initialHost={settings.host}
			initialIntervalMs={settings.intervalMs}
			timeoutMs={settings.timeoutMs}
			isAscii={settings.isAscii}
			isColor={settings.isColor}
			pinStore={pinStore}
			initialPins={initialPins}
			theme={settings.theme}
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
		remoteHost?.close();
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
	let settings = parseDashboardArguments(argv, process.env, stdout);
	if (settings.remote) {
		// The probes aim where ssh logs in: an alias's HostName, as ssh reads its config.
		settings = {
			...settings,
			host: parseHost(
				await sshHostName(settings.remote.destination, {
					configFile: settings.remote.configFile,
				}),
			),
		};
	}

	if (!stdin.isTTY || !stdout.isTTY || isDumbTerminal(process.env)) {
		return printSnapshot({
			...settings,
			stdout,
			stderr,
			isDumbTerminal: stdin.isTTY && stdout.isTTY,
		});
	}

	return runInteractive(settings, {stdin, stdout, stderr});
}
