/*
Scrape cost of `portui exporter`: milliseconds per GET /metrics at 24 and 1,000 watched ports.

	node test/bench/exporter.js [--runs 31] [--quick]

Traffic stays on loopback, in the task range 127.0.26.0/24: the exporter (the built binary,
bin/portui.js) watches 127.0.26.40, where this script listens on every tenth watched port, and
serves on 127.0.26.41; the baseline serves on 127.0.26.42.

Per scene, once every watched port has a series (the whole watch observed once), a GET of
/metrics is timed from here as Prometheus does it (request sent, whole body read), interleaved
with the baseline: a bare Node HTTP server in a child process of its own serving the same bytes
as a fixed string, so that what remains is the exporter's own work (the gauges filled from the
watch, this machine's listeners read, the text written), not HTTP on a busy 2-core machine.
Median of --runs after 3 warm-ups. Prints a table, then one JSON line per row.
*/
import {Buffer} from 'node:buffer';
import {spawn} from 'node:child_process';
import {writeFileSync, mkdtempSync, rmSync} from 'node:fs';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {
	ensureBuilt,
	median,
	report,
	root,
	runCount,
	sleep,
} from './lib/common.js';

const watched = '127.0.26.40';
const served = '127.0.26.41';
const baselineAddress = '127.0.26.42';
const firstPort = 20_000;
const runs = runCount({fallback: 31, quickFallback: 9, least: 5});
const warmups = 3;

/** A child that prints a line with its URL, killed at the end (also on error). */
async function startChild(args, matches) {
	const child = spawn(process.execPath, args, {
		cwd: root,
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const url = await new Promise((resolve, reject) => {
		let text = '';
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (chunk) => {
			text += chunk;
			const found = matches(text);
			if (found) {
				resolve(found);
			}
		});
		child.once('exit', (code) => {
			reject(new Error(`${args[0]} exited (${code}) before it served`));
		});
	});
	return {url, stop: () => child.kill('SIGTERM')};
}

async function get(url) {
	const response = await fetch(url);
	return response.text();
}

async function time(url) {
	const start = performance.now();
	await get(url);
	return performance.now() - start;
}

async function listenEveryTenth(count) {
	const servers = [];
	for (let port = firstPort; port < firstPort + count; port += 10) {
		const server = net.createServer((socket) => socket.destroy());
		servers.push(server);
		// eslint-disable-next-line no-await-in-loop -- a few hundred at most, in order
		await new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, watched, resolve);
		});
	}

	return servers;
}

async function scene(ports, directory) {
	const servers = await listenEveryTenth(ports);
	const stops = [];
	try {
		const exporter = await startChild(
			[
				'bin/portui.js',
				'exporter',
				watched,
				`${firstPort}-${firstPort + ports - 1}`,
				'--listen',
				`${served}:0`,
				'--interval',
				'1s',
			],
			(text) => /(http:\S+\/metrics)/v.exec(text)?.[1],
		);
		stops.push(exporter.stop);
		// Every watched port observed once: its series is there.
		let body = '';
		for (let tries = 0; tries < 300; tries++) {
			// eslint-disable-next-line no-await-in-loop -- polling
			body = await get(exporter.url);
			if (body.split('\nportui_port_up{').length - 1 >= ports) {
				break;
			}

			// eslint-disable-next-line no-await-in-loop -- polling
			await sleep(100);
		}

		const series = body.split('\nportui_port_up{').length - 1;
		if (series < ports) {
			throw new Error(`${series} of ${ports} ports observed after 30 s`);
		}

		const file = path.join(directory, `body-${ports}.txt`);
		writeFileSync(file, body);
		const baseline = await startChild(
			[
				'-e',
				`const body = require('fs').readFileSync(${JSON.stringify(file)}, 'utf8');
				const server = require('http').createServer((request, response) => {
					response.writeHead(200, {'Content-Type': 'text/plain; version=0.0.4; charset=utf-8'});
					response.end(body);
				});
				server.listen(0, ${JSON.stringify(baselineAddress)}, () =>
					console.log('http://${baselineAddress}:' + server.address().port + '/metrics'));`,
			],
			(text) => /(http:\S+\/metrics)/v.exec(text)?.[1],
		);
		stops.push(baseline.stop);

		const times = {exporter: [], baseline: []};
		for (let round = 0; round < warmups + runs; round++) {
			// eslint-disable-next-line no-await-in-loop -- one at a time is the point
			const exporterMs = await time(exporter.url);
			// eslint-disable-next-line no-await-in-loop -- one at a time is the point
			const baselineMs = await time(baseline.url);
			if (round >= warmups) {
				times.exporter.push(exporterMs);
				times.baseline.push(baselineMs);
			}
		}

		return {
			name: `GET /metrics, ${ports} watched ports`,
			portui: median(times.exporter),
			anchor: median(times.baseline),
			anchorName: 'same bytes, static',
			goal: 'reference',
			bytes: Buffer.byteLength(body),
			series: body.split('\n').filter((line) => line.startsWith('portui_'))
				.length,
		};
	} finally {
		for (const stop of stops) {
			stop();
		}

		await Promise.all(
			servers.map(
				async (server) =>
					new Promise((resolve) => {
						server.close(resolve);
					}),
			),
		);
	}
}

const failure = ensureBuilt();
if (failure) {
	throw new Error(failure);
}

const directory = mkdtempSync(path.join(tmpdir(), 'portui-bench-exporter-'));
try {
	const rows = [];
	for (const ports of [24, 1000]) {
		// eslint-disable-next-line no-await-in-loop -- one scene at a time
		rows.push(await scene(ports, directory));
	}

	report('exporter', `portui exporter: ms per scrape, median of ${runs}`, rows);
} finally {
	rmSync(directory, {recursive: true, force: true});
}
