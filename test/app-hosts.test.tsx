import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test, {type ExecutionContext} from 'ava';
import type {ResolvedTarget} from '../source/probe/types.js';
import {createPinStore} from '../source/state/pins-store.js';
import {
	eventLines,
	liveCell,
	mountApp,
	type MountOptions,
	type Mounted,
} from './helpers/app.js';
import {createFakeProbe, sshdSocket} from './helpers/dashboard.js';
import {waitFor} from './helpers/probe-servers.js';

const resolved = (host: string, address: string): ResolvedTarget => ({
	host,
	isResolved: true,
	addresses: [{address, family: 4}],
});

const targets = {
	'db1.test': resolved('db1.test', '192.0.2.1'),
	'db2.test': resolved('db2.test', '192.0.2.2'),
	'db3.test': resolved('db3.test', '192.0.2.3'),
};

const header = (frame: string) => frame.split('\n')[0] ?? '';
const hostLine = (frame: string) => frame.split('\n')[1] ?? '';

/** Two hosts, ssh and http pinned on both (PORTS of the command line). */
async function mountTwo(t: ExecutionContext, options: MountOptions = {}) {
	const app = await mountApp(t, {
		fake: createFakeProbe({targets}),
		initialHost: 'db1.test',
		initialHosts: ['db1.test', 'db2.test'],
		initialPins: ['22/tcp', '80/tcp'],
		...options,
	});
	// One watch a host, both running at once.
	await waitFor(
		() =>
			['db1.test', 'db2.test'].every((host) =>
				app.fake
					.active()
					.some(
						(watch) =>
							watch.request.host === host && watch.request.pairs.length === 2,
					),
			),
		3000,
		'a watch of each host',
	);
	return app;
}

/** `:` and `text` typed into the host input (not yet entered). */
async function typeHost(app: Mounted, text: string) {
	await app.press(':', (frame) => frame.includes('host: '), 'the host input');
	await app.press(text, (frame) => frame.includes(`host: ${text}`), 'typed');
}

const watchOf = (app: Mounted, host: string) =>
	app.fake.active().filter((watch) => watch.request.host === host);

test.serial(
	'several hosts: one watch each at once, a line of their figures, h shows the next',
	async (t) => {
		const app = await mountTwo(t);
		t.is(watchOf(app, 'db1.test').length, 1);
		t.is(watchOf(app, 'db2.test').length, 1);
		let frame = app.frame();
		t.regex(hostLine(frame), /db1\.test pending · db2\.test pending/v);

		app.fake.sweep(
			[{port: 22, protocol: 'tcp', state: 'open'}],
			Date.now(),
			'db1.test',
		);
		app.fake.sweep(
			[
				{port: 22, protocol: 'tcp', state: 'open'},
				{port: 80, protocol: 'tcp', state: 'open'},
			],
			Date.now(),
			'db2.test',
		);
		frame = await app.press(
			'',
			(frame) => hostLine(frame).includes('db2.test 2 open'),
			'both hosts swept',
		);
		t.regex(hostLine(frame), /db1\.test 1 open · db2\.test 2 open/v);
		t.regex(header(frame), /db1\.test/v);
		t.regex(liveCell(frame, '80') ?? '', /^closed/v, 'db1’s http');

		frame = await app.press(
			'h',
			(frame) => header(frame).includes('db2.test'),
			'db2 shown',
		);
		// Its rows at once, as its own watch observed them: no restart, no pending.
		t.regex(liveCell(frame, '80') ?? '', /^open/v, 'db2’s http');
		t.is(watchOf(app, 'db1.test').length, 1, 'no watch restarted');
		t.is(app.fake.watches.length, 2);

		frame = await app.press(
			'H',
			(frame) => header(frame).includes('db1.test'),
			'db1 again',
		);
		t.regex(liveCell(frame, '80') ?? '', /^closed/v);
	},
);

test.serial(
	'nothing pinned, the l view: no host watches anything, and the host line gives no figure',
	async (t) => {
		const app = await mountApp(t, {
			fake: createFakeProbe({targets}),
			initialHost: 'db1.test',
			initialHosts: ['db1.test', 'db2.test'],
		});
		await waitFor(() => app.fake.active().length === 2, 3000, 'both watches');
		await app.press(
			'l',
			(frame) => hostLine(frame).trim() === 'hosts (h) db1.test · db2.test',
			'no figures in the l view',
		);
		await waitFor(() => app.fake.active().length === 0, 3000, 'no watch');
		t.false(hostLine(app.frame()).includes('pending'));
	},
);

test.serial(
	'a port that goes down on a host not shown counts in its figures, in the alarm’s mark, and in the one event log with its host',
	async (t) => {
		const app = await mountTwo(t);
		const at = Date.now();
		for (const host of ['db1.test', 'db2.test']) {
			app.fake.sweep([{port: 22, protocol: 'tcp', state: 'open'}], at, host);
		}

		app.fake.sweep([], at + 1000, 'db2.test');
		app.fake.sweep([], at + 2000, 'db1.test');
		const frame = await app.press(
			'',
			(frame) => eventLines(frame).length === 2,
			'two changes',
		);
		t.regex(
			hostLine(frame),
			/db1\.test 0 open 1 down · db2\.test 0 open 1 down/v,
		);
		const [first, second] = eventLines(frame);
		t.regex(first ?? '', /db2\.test {2}22\/tcp ssh {2}open -> closed/v);
		t.regex(second ?? '', /db1\.test {2}22\/tcp ssh {2}open -> closed/v);

		// Back on db2 only: its figures lose the down, db1's keep it.
		app.fake.sweep(
			[{port: 22, protocol: 'tcp', state: 'open'}],
			at + 3000,
			'db2.test',
		);
		const back = await app.press(
			'',
			(frame) => eventLines(frame).length === 3,
			'db2 back',
		);
		t.regex(
			hostLine(back),
			/db1\.test 0 open 1 down · db2\.test 1 open(?! 1 down)/v,
		);
		t.regex(
			eventLines(back)[2] ?? '',
			/db2\.test {2}22\/tcp ssh {2}closed -> open {2}down 2\.0s/v,
		);
	},
);

test.serial(
	'w across hosts: each host its own pins, kept per host in the pins file',
	async (t) => {
		const directory = mkdtempSync(path.join(tmpdir(), 'portui-mh-pins-'));
		t.teardown(() => {
			rmSync(directory, {recursive: true, force: true});
		});
		const file = path.join(directory, 'pins.json');
		const store = createPinStore(file);
		store.save('db1.test', ['22/tcp']);
		store.save('db2.test', ['80/tcp', '443/tcp']);
		const app = await mountApp(t, {
			fake: createFakeProbe({targets}),
			initialHost: 'db1.test',
			initialHosts: ['db1.test', 'db2.test'],
			pinStore: store,
		});
		await app.press(
			'w',
			(frame) => frame.includes('1 pinned'),
			'the watch list',
		);
		// Db2's watch takes its own pins beside the rows in view.
		await waitFor(
			() => {
				const pairs = watchOf(app, 'db2.test')[0]?.request.pairs.map(
					(pair) => `${pair.port}/${pair.protocol}`,
				);
				return ['22/tcp', '80/tcp', '443/tcp'].every((key) =>
					pairs?.includes(key),
				);
			},
			3000,
			'db2 watches its pins',
		);
		let frame = await app.press(
			'h',
			(frame) =>
				header(frame).includes('db2.test') && frame.includes('2 pinned'),
			'db2’s watch list',
		);
		t.regex(frame, /\* +80 +tcp/v);
		t.regex(frame, /\* +443 +tcp/v);
		// Space unpins the first of db2's rows (80/tcp): db2's pins change, db1's do not.
		frame = await app.press(
			' ',
			(frame) => frame.includes('1 pinned'),
			'unpinned',
		);
		t.deepEqual(createPinStore(file).load('db2.test').pins, ['443/tcp']);
		t.deepEqual(createPinStore(file).load('db1.test').pins, ['22/tcp']);
		frame = await app.press(
			'h',
			(frame) => header(frame).includes('db1.test'),
			'db1’s watch list',
		);
		t.regex(frame, /\* +22 +tcp/v);
		t.notRegex(frame, /\* +443 +tcp/v);
		frame = await app.press(
			'h',
			(frame) => header(frame).includes('db2.test'),
			'db2 again',
		);
		t.regex(frame, /\* +443 +tcp/v);
		t.notRegex(frame, /\* +80 +tcp/v);
	},
);

test.serial(
	'`:` with several hosts replaces the shown one; the others keep their watch',
	async (t) => {
		const app = await mountTwo(t);
		const db2 = watchOf(app, 'db2.test')[0];
		await typeHost(app, 'db3.test');
		const frame = await app.press(
			'\r',
			(frame) =>
				header(frame).includes('db3.test') &&
				/db3\.test \S+ · db2\.test/v.test(hostLine(frame)),
			'db3 in db1’s place',
		);
		t.notRegex(hostLine(frame), /db1\.test/v);
		await waitFor(
			() =>
				watchOf(app, 'db1.test').length === 0 &&
				watchOf(app, 'db3.test').length === 1,
			3000,
			'db1’s watch stopped, db3’s started',
		);
		t.is(watchOf(app, 'db2.test')[0], db2, 'db2’s watch runs on');
	},
);

test.serial(
	'`:` with an ssh:// host: connected through the launcher, or one line where it cannot',
	async (t) => {
		const app = await mountTwo(t);
		await typeHost(app, 'ssh://db3.test');
		let frame = await app.press(
			'\r',
			(frame) => frame.includes('ssh:// hosts are given on the command line'),
			'no launcher: one line',
		);
		t.regex(header(frame), /db1\.test/v);

		let reads = 0;
		const connected = await mountTwo(t, {
			async openRemote(text) {
				if (text !== 'ssh://admin@db3.test') {
					// As the launcher refuses it: one line naming it.
					throw new Error(`bad host "${text}": not a valid host name`);
				}

				return {
					host: 'db3.test',
					async listLocalSockets() {
						reads++;
						return {isAvailable: true, sockets: [sshdSocket]};
					},
				};
			},
		});
		await typeHost(connected, 'ssh://admin@db3.test');
		frame = await connected.press(
			'\r',
			(frame) => header(frame).includes('db3.test'),
			'db3 shown',
		);
		await waitFor(
			() => reads > 0,
			3000,
			'db3’s sockets read through its own reader',
		);
		await waitFor(
			() => watchOf(connected, 'db3.test')[0]?.request.pairs.length === 2,
			3000,
			'db3’s watch',
		);
		connected.fake.sweep(
			[{port: 22, protocol: 'tcp', state: 'open'}],
			Date.now(),
			'db3.test',
		);
		frame = await connected.press(
			'',
			(frame) => liveCell(frame, '22')?.includes('sshd') ?? false,
			'db3’s holder of ssh',
		);
		t.regex(hostLine(frame), /db3\.test 1 open · db2\.test/v);

		await typeHost(connected, 'ssh://bad host');
		frame = await connected.press(
			'\r',
			(frame) => frame.includes('still watching db3.test'),
			'a bad one: one line',
		);
		t.regex(header(frame), /db3\.test/v);
	},
);

test.serial(
	'the launcher hears which hosts are watched: a host `:` replaced is not among them, so its ssh connection can close',
	async (t) => {
		const watched: string[][] = [];
		const app = await mountTwo(t, {
			async openRemote() {
				return {
					host: 'db3.test',
					async listLocalSockets() {
						return {isAvailable: true, sockets: [sshdSocket]};
					},
				};
			},
			onWatchedHosts(hosts) {
				watched.push([...hosts].toSorted());
			},
		});
		const latest = () => watched.at(-1) ?? [];
		t.deepEqual(latest(), ['db1.test', 'db2.test']);

		await typeHost(app, 'ssh://admin@db3.test');
		await app.press(
			'\r',
			(frame) => header(frame).includes('db3.test'),
			'db3 shown in db1’s place',
		);
		await waitFor(
			() => latest().join(',') === 'db2.test,db3.test',
			3000,
			'db1 no longer watched',
		);
		t.true(
			watched.every((hosts) => hosts.length > 0),
			'never an empty set while hosts change',
		);

		await typeHost(app, 'db1.test');
		await app.press(
			'\r',
			(frame) => header(frame).includes('db1.test'),
			'db1 back in db3’s place',
		);
		await waitFor(
			() => latest().join(',') === 'db1.test,db2.test',
			3000,
			'db3, the ssh:// host, no longer watched: the launcher closes its connection',
		);
		t.deepEqual(latest(), ['db1.test', 'db2.test']);
	},
);
