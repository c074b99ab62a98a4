import {spawnSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {Registry} from 'prom-client';
import {createPortBook} from '../source/exporter/port-metrics.js';
import {bindScopeOf, exposureOf} from '../source/probe/exposure.js';
import {sanitize} from '../source/probe/sanitize.js';
import {createTransitionTracker} from '../source/probe/transitions.js';
import type {PortState, ProbeResult, Snapshot} from '../source/probe/types.js';
import {assertUsageError, ensureBuilt, runCli} from './helpers/cli.js';
import {
	parseMetrics,
	startEvilListener,
	startExporter,
	valueOf,
	type Sample,
} from './helpers/exporter.js';
import {makeWorkDirectory} from './helpers/real-daemons.js';
import {listenTcp} from './helpers/probe-servers.js';

// Task range px: 127.0.26.0/24. .20-.29 for this file.
const watched = '127.0.26.20';
const served = '127.0.26.21';
const unlisted = '127.0.26.22';
const evil = '127.0.26.23';

const hasPython = spawnSync('python3', ['--version']).status === 0;

test.before(async () => {
	await ensureBuilt();
});

test('exposure: beyond loopback an insecure service is an alarm, caution on every interface is flagged', (t) => {
	t.is(bindScopeOf('0.0.0.0'), 'all');
	t.is(bindScopeOf('::'), 'all');
	t.is(bindScopeOf('127.0.0.53'), 'loopback');
	t.is(bindScopeOf('::1'), 'loopback');
	t.is(bindScopeOf('::ffff:127.0.0.1'), 'loopback');
	t.is(bindScopeOf('192.0.2.7'), 'specific');
	t.is(exposureOf('loopback', 'insecure'), 'loopback-only');
	t.is(exposureOf('specific', 'obsolete'), 'alarm');
	t.is(exposureOf('all', 'insecure'), 'alarm');
	t.is(exposureOf('all', 'caution'), 'flagged');
	t.is(exposureOf('specific', 'caution'), 'ok');
	t.is(exposureOf('all', undefined), 'ok');
});

const result = (
	state: PortState,
	at: number,
	extra: Partial<ProbeResult> = {},
): ProbeResult => ({
	host: 'db1',
	port: 5432,
	protocol: 'tcp',
	address: '127.0.0.1',
	family: 4,
	state,
	reason: state === 'open' ? 'connected' : 'refused',
	rttMs: 2,
	addresses: [
		{address: '127.0.0.1', family: 4, state, reason: 'x', rttMs: 2},
		{address: '::1', family: 6, state: 'closed', reason: 'refused', rttMs: 3},
	],
	at,
	...extra,
});

/** A book of one host in a registry of its own, at the time `now` gives. */
function bookOf(host: string, now: () => number) {
	const registry = new Registry();
	const book = createPortBook({
		registry,
		serviceOf: (result) => (result.port === 53 ? 'domain' : 'postgresql'),
		intervalMs: 1000,
		timeoutMs: 500,
		now,
	});
	return {registry, recorder: book.recorder(host)};
}

const snapshotOf = (host: string, results: ProbeResult[]): Snapshot => ({
	host,
	target: {host, isResolved: false, error: 'x'},
	startedAt: 0,
	finishedAt: 0,
	results,
});

test('the book: absent until observed, changes and downtime from the tracker, absent again once stale', async (t) => {
	let now = 1_000_000;
	const {registry, recorder} = bookOf('db1', () => now);
	const tracker = createTransitionTracker();
	const observe = (state: PortState) => {
		const update = tracker.update(snapshotOf('db1', [result(state, now)]));
		recorder.onSnapshot(update.snapshot);
		for (const transition of update.transitions) {
			recorder.onTransition(transition);
		}
	};

	const scrape = async () => parseMetrics(await registry.metrics());
	const pair = {host: 'db1', port: '5432', protocol: 'tcp'};
	const before = await scrape();
	t.deepEqual(
		before.filter((sample) => sample.name.startsWith('portui_')),
		[],
	);

	observe('open');
	let samples = await scrape();
	t.is(valueOf(samples, 'portui_port_up', {...pair, family: 'ipv4'}), 1);
	t.is(valueOf(samples, 'portui_port_up', {...pair, family: 'ipv6'}), 0);
	t.is(
		valueOf(samples, 'portui_port_rtt_seconds', {...pair, family: 'ipv6'}),
		0.003,
	);
	t.is(valueOf(samples, 'portui_port_state_changes_total', pair), 0);
	t.is(valueOf(samples, 'portui_last_downtime_seconds', pair), undefined);

	now += 1000;
	observe('closed');
	now += 3000;
	observe('closed');
	now += 1000;
	observe('open');
	samples = await scrape();
	t.is(valueOf(samples, 'portui_port_state_changes_total', pair), 2);
	// From the first observation not open to the one open again: the tracker's downMs.
	t.is(valueOf(samples, 'portui_last_downtime_seconds', pair), 4);

	// Two sweeps and a timeout without an observation: stale, so absent, not the last value.
	now += 2 * 1000 + 500 + 1;
	samples = await scrape();
	t.deepEqual(
		samples.filter((sample) => sample.name.startsWith('portui_port')),
		[],
	);
	t.is(valueOf(samples, 'portui_last_downtime_seconds', pair), undefined);
});

test('the book: UDP silence is NaN, not 0; an unconfirmed reading keeps the confirmed state', async (t) => {
	const {registry, recorder} = bookOf('ns', () => 10);
	const udp = (state: PortState, extra: Partial<ProbeResult> = {}) => ({
		...result(state, 10, {protocol: 'udp', port: 53, ...extra}),
		addresses: [{address: '127.0.0.1', family: 4 as const, state, reason: 'x'}],
	});
	const labels = {port: '53', protocol: 'udp', family: 'ipv4'};
	recorder.onSnapshot(snapshotOf('ns', [udp('open|filtered')]));
	let value = valueOf(
		parseMetrics(await registry.metrics()),
		'portui_port_up',
		labels,
	);
	t.true(Number.isNaN(value));
	recorder.onSnapshot(
		snapshotOf('ns', [
			{...udp('open|filtered'), state: 'open', unconfirmed: 'open|filtered'},
		]),
	);
	value = valueOf(
		parseMetrics(await registry.metrics()),
		'portui_port_up',
		labels,
	);
	t.is(value, 1);
});

const up = (samples: Sample[], port: number) =>
	valueOf(samples, 'portui_port_up', {
		host: watched,
		port: String(port),
		family: 'ipv4',
	});

test.serial(
	'a real listener closed and reopened between scrapes: up 1, 0, 1, two changes, its downtime',
	async (t) => {
		const listener = await listenTcp(t, {host: watched});
		const exporter = await startExporter(t, [
			watched,
			`${listener.port},9`,
			'--listen',
			`${served}:0`,
			'--interval',
			'100ms',
		]);
		const pair = {host: watched, port: String(listener.port), protocol: 'tcp'};
		await exporter.waitFor((samples) =>
			up(samples, listener.port) === 1 ? true : undefined,
		);
		const first = await exporter.scrape();
		t.is(up(first, 9), 0);
		t.is(valueOf(first, 'portui_port_state_changes_total', pair), 0);
		t.is(valueOf(first, 'portui_last_downtime_seconds', pair), undefined);

		await listener.close();
		await exporter.waitFor((samples) =>
			up(samples, listener.port) === 0 ? true : undefined,
		);
		const reopened = await listenTcp(t, {host: watched, port: listener.port});
		const downtime = await exporter.waitFor((samples) =>
			valueOf(samples, 'portui_last_downtime_seconds', pair),
		);
		const last = await exporter.scrape();
		t.is(up(last, listener.port), 1);
		t.is(valueOf(last, 'portui_port_state_changes_total', pair), 2);
		t.true(downtime > 0 && downtime < 15, `downtime ${downtime}s`);
		// The exporter's own socket is a listener of this machine, bound to loopback.
		const own = last.find(
			(sample) =>
				sample.name === 'portui_listener_info' && sample.labels.bind === served,
		);
		t.like(own?.labels, {protocol: 'tcp', exposure: 'loopback-only'});
		await reopened.close();
	},
);

test.serial(
	'/probe answers for configured targets and modules only, with a one-line reason otherwise',
	async (t) => {
		const listener = await listenTcp(t, {host: watched});
		const work = makeWorkDirectory();
		t.teardown(() => {
			work.remove();
		});
		const config = path.join(work.directory, 'probe.json');
		writeFileSync(
			config,
			JSON.stringify({
				targets: [watched],
				modules: {web: {ports: `${listener.port},9`, timeout: '500ms'}},
			}),
		);
		const exporter = await startExporter(t, [
			watched,
			'9',
			'--listen',
			`${served}:0`,
			'--config',
			config,
		]);
		const get = async (query: string, init?: RequestInit) => {
			const response = await fetch(`${exporter.origin}/probe?${query}`, init);
			return {status: response.status, text: await response.text()};
		};

		const probed = await get(`target=${watched}&module=web`);
		t.is(probed.status, 200);
		const samples = parseMetrics(probed.text);
		t.is(up(samples, listener.port), 1);
		t.is(up(samples, 9), 0);
		t.is(valueOf(samples, 'portui_probe_success', {}), 0);
		t.true(valueOf(samples, 'portui_probe_duration_seconds', {})! >= 0);

		for (const [query, status, reason] of [
			[`target=${unlisted}&module=web`, 403, /not in the config's targets/v],
			[
				`target=${watched}&module=ssh`,
				400,
				/unknown module "ssh"; the config names: web/v,
			],
			[`target=${watched}`, 400, /give target=HOST and module=NAME/v],
			[`target=%1b[31m&module=web`, 400, /bad target "\\u001b\[31m"/v],
		] as const) {
			// Sequential: each answer is checked on its own.
			// eslint-disable-next-line no-await-in-loop
			const answer = await get(query);
			t.is(answer.status, status, `status of ${query}`);
			t.regex(answer.text, reason);
			t.is(answer.text.trim().split('\n').length, 1);
		}

		const posted = await get(`target=${watched}&module=web`, {method: 'POST'});
		t.is(posted.status, 405);
		await listener.close();
	},
);

test.serial(
	'/probe without --config is refused for every target',
	async (t) => {
		const exporter = await startExporter(t, ['9', '--listen', `${served}:0`]);
		const response = await fetch(
			`${exporter.origin}/probe?target=127.0.0.1&module=tcp`,
		);
		t.is(response.status, 403);
		t.regex(await response.text(), /^no --config: /v);
	},
);

(hasPython ? test.serial : test.skip)(
	'a process name with a quote, a backslash and a newline is a valid label value',
	async (t) => {
		const listener = await startEvilListener(t, evil);

		const comm = readFileSync(`/proc/${listener.pid}/comm`, 'utf8');
		t.true(comm.includes('"') && comm.includes('\\'));
		const exporter = await startExporter(t, ['9', '--listen', `${served}:0`]);
		// ParseMetrics is strict: the whole text parses, and the label unescapes to the scan's name.
		const info = await exporter.waitFor((samples) =>
			samples.find(
				(sample) =>
					sample.name === 'portui_listener_info' &&
					sample.labels.port === String(listener.port),
			),
		);
		t.is(info.labels.process, sanitize(comm));
		t.is(info.labels.bind, evil);
		const response = await fetch(`${exporter.origin}/metrics`);
		const text = await response.text();
		t.true(text.includes(String.raw`process="ev\"l\\q`));
	},
);

test('bad flags and config: one line, exit 2', async (t) => {
	const work = makeWorkDirectory();
	t.teardown(() => {
		work.remove();
	});
	const file = (name: string, text: string) => {
		const where = path.join(work.directory, name);
		writeFileSync(where, text);
		return where;
	};

	const cases: Array<[string[], string]> = [
		[['--listen', 'localhost:9431'], 'bad --listen "localhost:9431"'],
		[['--listen', '127.0.0.1'], 'bad --listen "127.0.0.1"'],
		[['--listen', '127.0.0.1:70000'], 'bad --listen "127.0.0.1:70000"'],
		[['--interval', '5'], 'bad --interval "5"'],
		[['--bogus'], 'unknown option "--bogus"'],
		[['bad host!', '22'], 'bad host "bad host!"'],
		[['127.0.0.1', '22,0'], 'bad port "0"'],
		[['--config', path.join(work.directory, 'none.json')], 'ENOENT'],
		[['--config', file('a.json', '{')], 'not JSON'],
		[
			[
				'--config',
				file(
					'b.json',
					'{"targets": ["x"], "modules": {"m": {"ports": "99999"}}}',
				),
			],
			'bad port "99999"',
		],
		[
			['--config', file('c.json', '{"targets": ["a b"], "modules": {}}')],
			'bad host "a b"',
		],
		[
			[
				'--config',
				file(
					'd.json',
					'{"targets": [], "modules": {"m": {"ports": "22", "x": 1}}}',
				),
			],
			'unknown key "x"',
		],
	];
	await Promise.all(
		cases.map(async ([args, named]) => {
			const result = await runCli(['exporter', ...args]);
			assertUsageError(t, result, named);
		}),
	);
});
