import {once} from 'node:events';
import {isIP} from 'node:net';
import process from 'node:process';
import {Registry} from 'prom-client';
import {parseArguments, parseDuration, parseHost, UsageError} from '../args.js';
import type {Catalogue} from '../catalogue/load.js';
import {registerListenerInfo} from '../exporter/listener-metrics.js';
import {loadProbeConfig} from '../exporter/probe-config.js';
import {createPortBook} from '../exporter/port-metrics.js';
import {createExporterServer} from '../exporter/server.js';
import {
	createListenerScanner,
	defaultTcpTimeoutMs,
	defaultUdpTimeoutMs,
	sanitize,
	watch,
	type ProbeResult,
} from '../probe/index.js';
import {quote} from '../text/quote.js';
import {loadHostAndPorts, parseProbeTimeout} from './results.js';

const usage =
	'portui exporter [HOST...] [PORTS] [--listen 127.0.0.1:9431] [--interval 5s] [--timeout 1s] [--proto tcp|udp|all] [--config FILE]';

const help = `
	Usage
	  $ ${usage}

	Serves Prometheus metrics on http://LISTEN/metrics: the ports of each HOST as
	a watch observes them, and the sockets this machine listens on.

	  portui_port_up{host,port,protocol,service,family}   1 open, 0 not, NaN UDP silence
	  portui_port_rtt_seconds{host,port,protocol,service,family}
	  portui_port_state_changes_total{host,port,protocol,service}
	  portui_last_downtime_seconds{host,port,protocol,service}
	  portui_listener_info{port,protocol,bind,process,unit,container,expected,verdict,exposure}

	A port not yet observed, or not observed for two sweeps, has no series: never
	its last value.

	HOST: default localhost. PORTS as for \`portui watch\`, the last argument when
	it is a port list (22,80  8000-8100  53/udp); a single service name alone
	reads as a host: write it ssh/tcp. Without PORTS: the curated catalogue.

	Options
	  --listen      ADDRESS:PORT to serve on (default 127.0.0.1:9431; [::1]:9431;
	                0.0.0.0:9431 exposes it to the network)
	  --interval    time between sweeps, 100ms to 1h (default 5s)
	  --timeout     how long the probe of a port may take, 10ms to 1m (default 1s)
	  --proto       tcp, udp or all: the protocol of ports without /tcp or /udp
	  --config      a JSON file naming what /probe?target=HOST&module=NAME may probe:
	                {"targets": ["db1.example"], "modules": {"ssh": {"ports": "22"}}}
	                Without it /probe answers 403: the exporter is no relay.
	  --catalogue   a user catalogue file

	Exit status
	  0    interrupted (SIGINT, SIGTERM)
	  1    an unexpected error (the address is in use)
	  2    bad arguments

	Examples
	  $ portui exporter
	  $ portui exporter db1.example db2.example 22,5432 --interval 15s
`;

const listenAccepted =
	'accepted: ADDRESS:PORT with an IP address, [IPv6]:PORT (127.0.0.1:9431, [::1]:9431, 0.0.0.0:9431), PORT 0-65535';

export function parseListen(text: string): {host: string; port: number} {
	const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/v.exec(text);
	const host = match?.[1] ?? match?.[2] ?? '';
	const port = Number(match?.[3]);
	const isHost = match?.[1] === undefined ? isIP(host) === 4 : isIP(host) === 6;
	if (!match || !isHost || port > 65_535) {
		throw new UsageError(`bad --listen ${quote(text)}; ${listenAccepted}`);
	}

	return {host, port};
}

/** A port list rather than a host: numbers, ranges, a /tcp or /udp suffix, or several items. */
const isPortList = (text: string) =>
	/[,\/]/v.test(text) || /^\d+(?:-\d+)?$/v.test(text);

async function loadTargets(
	input: readonly string[],
	flags: {readonly proto?: string; readonly catalogue?: string},
) {
	const last = input.at(-1);
	const hasPorts = last !== undefined && isPortList(last);
	const hostTexts = hasPorts ? input.slice(0, -1) : input;
	const hosts = [
		...new Set(
			(hostTexts.length > 0 ? hostTexts : ['localhost']).map((text) =>
				parseHost(text),
			),
		),
	];
	const {catalogue, pairs} = await loadHostAndPorts(
		{input: [hosts[0]!, ...(hasPorts ? [last] : [])], flags},
		usage,
	);
	return {catalogue, hosts, pairs};
}

const serviceOf = (catalogue: Catalogue) => (result: ProbeResult) =>
	catalogue.byPair(result.port, result.protocol)?.service ?? '';

export async function exporter(argv: readonly string[]): Promise<number> {
	const cli = parseArguments(argv, {
		help,
		flags: {
			listen: {type: 'string', default: '127.0.0.1:9431'},
			interval: {type: 'string'},
			timeout: {type: 'string'},
			proto: {type: 'string'},
			config: {type: 'string'},
			catalogue: {type: 'string'},
		},
	});
	const listen = parseListen(cli.flags.listen);
	const intervalMs = parseDuration(cli.flags.interval ?? '5s', '--interval', {
		minMs: 100,
		maxMs: 3_600_000,
	});
	const timeoutMs = parseProbeTimeout(cli.flags.timeout);
	const {catalogue, hosts, pairs} = await loadTargets(cli.input, cli.flags);
	const probeConfig =
		cli.flags.config === undefined
			? undefined
			: await loadProbeConfig(cli.flags.config, catalogue);

	const registry = new Registry();
	const book = createPortBook({
		registry,
		serviceOf: serviceOf(catalogue),
		intervalMs,
		timeoutMs: timeoutMs ?? Math.max(defaultTcpTimeoutMs, defaultUdpTimeoutMs),
	});
	registerListenerInfo({
		registry,
		scanner: createListenerScanner(),
		catalogue,
		onError(error) {
			process.stderr.write(
				`portui: reading the listening sockets failed: ${sanitize(error.message)}\n`,
			);
		},
	});
	const server = createExporterServer({
		registry,
		...(probeConfig && {probeConfig}),
		serviceOf: serviceOf(catalogue),
	});
	server.listen(listen.port, listen.host);
	try {
		await once(server, 'listening');
	} catch (error) {
		throw new Error(
			`cannot listen on ${cli.flags.listen}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
			{cause: error},
		);
	}

	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	const shown = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
	process.stdout.write(
		`portui exporter: serving http://${shown}:${port}/metrics, watching ${pairs.length} ports of ${hosts.join(', ')}\n`,
	);

	const watchers = hosts.map((host) => {
		const recorder = book.recorder(host);
		return watch({
			host,
			pairs,
			intervalMs,
			...(timeoutMs !== undefined && {timeoutMs}),
			identify: () => false,
			onError(error) {
				process.stderr.write(
					`portui: a sweep of ${host} failed: ${sanitize(error.message)}\n`,
				);
			},
			...recorder,
		});
	});

	await new Promise<void>((resolve) => {
		const finish = () => {
			process.off('SIGINT', finish);
			process.off('SIGTERM', finish);
			resolve();
		};

		process.once('SIGINT', finish);
		process.once('SIGTERM', finish);
	});
	for (const watcher of watchers) {
		watcher.stop();
	}

	server.closeAllConnections();
	await Promise.all([
		new Promise((resolve) => {
			server.close(resolve);
		}),
		...watchers.map(async (watcher) => watcher.done.catch(() => undefined)),
	]);
	return 0;
}
