/**
 * `portui exporter` scraped by a real Prometheus server (Debian's `prometheus`, installed here
 * when missing and we may): its own storage in a temp dir, its web port on 127.0.26.32, a 1s
 * scrape and rule evaluation. The series are read back through Prometheus's HTTP API, so what
 * is checked is what Prometheus understood of our text, not our text.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import test from 'ava';
import {sanitize} from '../source/probe/sanitize.js';
import {ensureBuilt, root} from './helpers/cli.js';
import {startEvilListener, startExporter} from './helpers/exporter.js';
import {listenTcp} from './helpers/probe-servers.js';
import {
	findCommand,
	makeWorkDirectory,
	startDaemon,
	type Started,
} from './helpers/real-daemons.js';

// Task range px: 127.0.26.0/24. .30-.39 for this file.
const watched = '127.0.26.30';
const served = '127.0.26.31';
const prometheusAddress = '127.0.26.32';
const evil = '127.0.26.33';
const prometheusPort = 9090;
const origin = `http://${prometheusAddress}:${prometheusPort}`;

/**
 * Prometheus's binary, installed with apt-get when missing (root only). policy-rc.d keeps the
 * package from starting its own service on :9090; one that starts all the same is stopped.
 */
function ensurePrometheus(): string | undefined {
	const found = findCommand('prometheus');
	if (
		found !== undefined ||
		process.getuid?.() !== 0 ||
		spawnSync('apt-get', ['--version']).status !== 0
	) {
		return found;
	}

	const policy = '/usr/sbin/policy-rc.d';
	const madePolicy = !existsSync(policy);
	if (madePolicy) {
		writeFileSync(policy, '#!/bin/sh\nexit 101\n', {mode: 0o755});
	}

	const running = () =>
		new Set(
			spawnSync('pgrep', ['-x', 'prometheus'], {encoding: 'utf8'})
				.stdout.split('\n')
				.filter(Boolean),
		);
	const before = running();
	try {
		spawnSync('apt-get', ['update', '-qq'], {timeout: 300_000});
		spawnSync(
			'apt-get',
			['install', '-y', '-qq', '--no-install-recommends', 'prometheus'],
			{
				env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'},
				timeout: 600_000,
			},
		);
	} finally {
		if (madePolicy) {
			rmSync(policy, {force: true});
		}
	}

	for (const pid of running()) {
		if (!before.has(pid)) {
			process.kill(Number(pid), 'SIGTERM');
		}
	}

	return findCommand('prometheus');
}

/** The yaml block of README.md whose text starts with `first`. */
function readmeBlock(first: string): string {
	const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
	const block = [...readme.matchAll(/```yaml\n(.*?)```/gsv)]
		.map((match) => match[1]!)
		.find((text) => text.startsWith(first));
	if (block === undefined) {
		throw new Error(`README.md has no yaml block starting ${first}`);
	}

	return block;
}

type Vector = Array<{metric: Record<string, string>; value: [number, string]}>;

async function query(expression: string): Promise<Vector> {
	const url = `${origin}/api/v1/query?query=${encodeURIComponent(expression)}`;
	const response = await fetch(url);
	const body = (await response.json()) as {data: {result: Vector}};
	return body.data.result;
}

/** Queries every 200 ms until `find` returns something (at most 20 s). */
async function eventually<T>(
	expression: string,
	find: (vector: Vector) => T | undefined,
): Promise<T> {
	const deadline = Date.now() + 20_000;
	let last: Vector = [];
	while (Date.now() < deadline) {
		// Polling Prometheus is sequential by nature.
		// eslint-disable-next-line no-await-in-loop
		last = await query(expression);
		const found = find(last);
		if (found !== undefined) {
			return found;
		}

		// eslint-disable-next-line no-await-in-loop
		await delay(200);
	}

	throw new Error(
		`${expression}: not as expected; last ${JSON.stringify(last)}`,
	);
}

const valueIs = (wanted: string) => (vector: Vector) =>
	vector.length === 1 && vector[0]!.value[1] === wanted ? true : undefined;

const prometheus = ensurePrometheus();
const work = makeWorkDirectory();
const promtool = findCommand('promtool');

test.before(async () => {
	await ensureBuilt();
});

test.after.always(() => {
	work.remove();
});

(promtool ? test : test.skip)(
	"the README's scrape config and alert rule pass promtool",
	(t) => {
		const rules = path.join(work.directory, 'portui-rules.yml');
		const config = path.join(work.directory, 'prometheus.yml');
		writeFileSync(rules, readmeBlock('# portui-rules.yml'));
		writeFileSync(
			config,
			readmeBlock('# prometheus.yml') +
				readmeBlock('  - job_name: portui-probe'),
		);
		for (const args of [
			['check', 'rules', rules],
			['check', 'config', config],
		]) {
			const checked = spawnSync(promtool!, args, {encoding: 'utf8'});
			t.is(
				checked.status,
				0,
				`${args.join(' ')}: ${checked.stdout}${checked.stderr}`,
			);
		}
	},
);

(prometheus ? test.serial : test.skip)(
	`Prometheus scrapes the exporter: a port going down between two scrapes, its alert pending, then back with its downtime${prometheus ? '' : ' (skipped: prometheus is not installed and apt-get as root is not available)'}`,
	async (t) => {
		const listener = await listenTcp(t, {host: watched});
		const port = String(listener.port);
		const named = await startEvilListener(t, evil);
		const probeConfig = path.join(work.directory, 'probe.json');
		writeFileSync(
			probeConfig,
			JSON.stringify({targets: [watched], modules: {web: {ports: port}}}),
		);
		const exporter = await startExporter(t, [
			watched,
			`${port},9`,
			'--listen',
			`${served}:0`,
			'--interval',
			'200ms',
			'--config',
			probeConfig,
		]);
		const exporterAddress = exporter.origin.slice('http://'.length);
		writeFileSync(
			path.join(work.directory, 'portui-rules.yml'),
			readmeBlock('# portui-rules.yml'),
		);
		const config = path.join(work.directory, 'scrape.yml');
		writeFileSync(
			config,
			[
				'global: {scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s}',
				'rule_files: [portui-rules.yml]',
				'scrape_configs:',
				'  - job_name: portui',
				`    static_configs: [{targets: ['${exporterAddress}']}]`,
				'  - job_name: portui-probe',
				'    metrics_path: /probe',
				'    params: {module: [web]}',
				`    static_configs: [{targets: ['${watched}']}]`,
				'    relabel_configs:',
				'      - {source_labels: [__address__], target_label: __param_target}',
				'      - {source_labels: [__param_target], target_label: instance}',
				`      - {target_label: __address__, replacement: '${exporterAddress}'}`,
				'',
			].join('\n'),
		);
		const started: Started = await startDaemon({
			name: 'prometheus',
			command: prometheus!,
			args: [
				`--config.file=${config}`,
				`--storage.tsdb.path=${path.join(work.directory, 'data')}`,
				`--web.listen-address=${prometheusAddress}:${prometheusPort}`,
			],
			listens: [
				{protocol: 'tcp', address: prometheusAddress, port: prometheusPort},
			],
		});
		if (!started.isStarted) {
			t.fail(started.reason);
			return;
		}

		t.teardown(async () => started.daemon.stop());

		const selector = `{job="portui",host="${watched}",port="${port}",family="ipv4"}`;
		await eventually('up{job="portui"}', valueIs('1'));
		await eventually(`portui_port_up${selector}`, valueIs('1'));
		await eventually(
			`portui_port_up{job="portui",port="9",host="${watched}"}`,
			valueIs('0'),
		);
		await eventually(
			`portui_probe_success{instance="${watched}"}`,
			valueIs('1'),
		);
		await eventually(
			`portui_port_state_changes_total{port="${port}"}`,
			valueIs('0'),
		);

		// The process name with a quote, a backslash and a newline, as Prometheus stored it.
		const comm = readFileSync(`/proc/${named.pid}/comm`, 'utf8');
		const info = await eventually(
			`portui_listener_info{port="${named.port}"}`,
			(vector) => vector[0]?.metric,
		);
		t.is(info.process, sanitize(comm));
		t.is(info.bind, evil);
		// Ss lists the same listeners of our range as Prometheus has.
		const ss = spawnSync('ss', ['-Hltn', 'src', evil], {encoding: 'utf8'});
		t.regex(
			ss.stdout,
			new RegExp(
				String.raw`${evil.replaceAll('.', String.raw`\.`)}:${named.port}\b`,
				'v',
			),
		);

		await listener.close();
		await eventually(`portui_port_up${selector}`, valueIs('0'));
		await eventually(
			`portui_port_state_changes_total{port="${port}"}`,
			valueIs('1'),
		);
		await eventually(
			`portui_probe_success{instance="${watched}"}`,
			valueIs('0'),
		);
		// Both readings are in the stored series: the change fell between two scrapes. The raw
		// samples of the last minute (a range vector), not a query_range: its last step could fall
		// before the scrape that stored the 0 (seen once in CI).
		const range = await fetch(
			`${origin}/api/v1/query?query=${encodeURIComponent(`portui_port_up${selector}[60s]`)}&time=${Date.now() / 1000 + 1}`,
		);
		const {data} = (await range.json()) as {
			data: {result: Array<{values: Array<[number, string]>}>};
		};
		const values = new Set(data.result[0]?.values.map(([, value]) => value));
		t.deepEqual([...values].toSorted(), ['0', '1']);

		const alert = await eventually(
			'ALERTS{alertname="PortuiPortDown"}',
			(vector) => vector.find((sample) => sample.metric.port === port),
		);
		t.like(alert.metric, {
			alertstate: 'pending',
			host: watched,
			severity: 'page',
		});

		const reopened = await listenTcp(t, {host: watched, port: listener.port});
		await eventually(`portui_port_up${selector}`, valueIs('1'));
		const downtime = await eventually(
			`portui_last_downtime_seconds{port="${port}"}`,
			(vector) => vector[0]?.value[1],
		);
		t.true(Number(downtime) > 0, downtime);
		await eventually(
			`portui_port_state_changes_total{port="${port}"}`,
			valueIs('2'),
		);
		await reopened.close();
	},
);
