import {Buffer} from 'node:buffer';
import http from 'node:http';
import {Gauge, Registry} from 'prom-client';
import {parseHost} from '../args.js';
import {sweep} from '../probe/sweep.js';
import type {ProbeResult} from '../probe/types.js';
import {escapeText, quote} from '../text/quote.js';
import type {ProbeConfig} from './probe-config.js';
import {registerPortGauges} from './port-metrics.js';

export type ExporterServerOptions = {
	/** What `/metrics` serves. */
	readonly registry: Registry;
	/** Without it, `/probe` answers 403 for every target. */
	readonly probeConfig?: ProbeConfig;
	readonly serviceOf: (result: ProbeResult) => string;
	/** Probes `/probe` runs at once at most; more are refused (503) rather than queued. */
	readonly maxProbes?: number;
};

/** An answer of `status` with `message` as its one line. */
class HttpError extends Error {
	readonly status: number;

	constructor(status: number, message: string) {
		super(message);
		this.status = status;
	}
}

const normalHost = (text: string) => parseHost(text).toLowerCase();

function chooseProbe(url: URL, config: ProbeConfig | undefined) {
	const target = url.searchParams.get('target');
	const moduleName = url.searchParams.get('module');
	if (!target || !moduleName) {
		throw new HttpError(400, 'give target=HOST and module=NAME');
	}

	if (!config) {
		throw new HttpError(
			403,
			'no --config: /probe answers only for targets and modules named in a config file',
		);
	}

	const module = config.modules.get(moduleName);
	if (!module) {
		throw new HttpError(
			400,
			`unknown module ${quote(moduleName)}; the config names: ${[...config.modules.keys()].join(', ') || 'none'}`,
		);
	}

	let host: string;
	try {
		host = parseHost(target);
	} catch {
		throw new HttpError(400, `bad target ${quote(target)}`);
	}

	const allowed = [...config.targets].some(
		(known) => normalHost(known) === host.toLowerCase(),
	);
	if (!allowed) {
		throw new HttpError(
			403,
			`target ${quote(target)} is not in the config's targets`,
		);
	}

	return {host, module};
}

/** One sweep of a configured target and module, as metrics of a registry of its own. */
async function probeMetrics(
	probe: ReturnType<typeof chooseProbe>,
	serviceOf: (result: ProbeResult) => string,
	signal: AbortSignal,
): Promise<Registry> {
	const startedAt = performance.now();
	const snapshot = await sweep({
		host: probe.host,
		pairs: probe.module.pairs,
		...(probe.module.timeoutMs !== undefined && {
			timeoutMs: probe.module.timeoutMs,
		}),
		signal,
	});
	const registry = new Registry();
	registerPortGauges(registry, () =>
		snapshot.results.map((result) => ({result, service: serviceOf(result)})),
	);
	const isSuccess =
		snapshot.target.isResolved &&
		snapshot.results.length === probe.module.pairs.length &&
		snapshot.results.every((result) => result.state === 'open');
	new Gauge({
		name: 'portui_probe_success',
		help: '1 when every port of the module answered open, else 0 (the host did not resolve, or a port is not open).',
		registers: [registry],
	}).set(isSuccess ? 1 : 0);
	new Gauge({
		name: 'portui_probe_duration_seconds',
		help: 'How long the probe took, name resolution included.',
		registers: [registry],
	}).set((performance.now() - startedAt) / 1000);
	return registry;
}

const index = `<html><head><title>portui exporter</title></head><body>
<h1>portui exporter</h1>
<p><a href="/metrics">/metrics</a>: the watched ports and this machine's listeners.</p>
<p>/probe?target=HOST&amp;module=NAME: one sweep, for the targets and modules of the config file.</p>
</body></html>
`;

/** The HTTP side: `/metrics`, `/probe` and a short index; anything else is 404 or 405. */
export function createExporterServer(
	options: ExporterServerOptions,
): http.Server {
	const {registry, probeConfig, serviceOf, maxProbes = 8} = options;
	let probes = 0;

	const handle = async (
		request: http.IncomingMessage,
		response: http.ServerResponse,
		signal: AbortSignal,
	) => {
		if (request.method !== 'GET' && request.method !== 'HEAD') {
			response.setHeader('Allow', 'GET, HEAD');
			throw new HttpError(405, 'only GET and HEAD');
		}

		const url = new URL(request.url ?? '/', 'http://exporter');
		switch (url.pathname) {
			case '/metrics': {
				send(response, 200, registry.contentType, await registry.metrics());
				return;
			}

			case '/probe': {
				const probe = chooseProbe(url, probeConfig);
				if (probes >= maxProbes) {
					throw new HttpError(503, `${maxProbes} probes already in flight`);
				}

				probes++;
				try {
					const result = await probeMetrics(probe, serviceOf, signal);
					send(response, 200, result.contentType, await result.metrics());
				} finally {
					probes--;
				}

				return;
			}

			case '/': {
				send(response, 200, 'text/html; charset=utf-8', index);
				return;
			}

			default: {
				throw new HttpError(404, 'not found: try /metrics or /probe');
			}
		}
	};

	return http.createServer((request, response) => {
		const controller = new AbortController();
		// The scraper gave up (its scrape timeout): stop the sweep made for it.
		response.on('close', () => {
			controller.abort();
		});
		handle(request, response, controller.signal).catch((error: unknown) => {
			if (response.headersSent || controller.signal.aborted) {
				response.destroy();
				return;
			}

			// An HttpError's message quotes what it echoes; any other is escaped here.
			const [status, message] =
				error instanceof HttpError
					? [error.status, error.message]
					: [500, escapeText(String((error as Error).message ?? error))];
			send(response, status, 'text/plain; charset=utf-8', `${message}\n`);
		});
	});
}

function send(
	response: http.ServerResponse,
	status: number,
	contentType: string,
	body: string,
) {
	response.writeHead(status, {
		'Content-Type': contentType,
		'Content-Length': Buffer.byteLength(body),
	});
	response.end(response.req.method === 'HEAD' ? undefined : body);
}
