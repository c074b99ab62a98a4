import test from 'ava';
import {formatClock} from '../source/components/format.js';
import {eventLines, liveCell, mountApp, waitForWatch} from './helpers/app.js';
import {createFakeProbe, sshdSocket} from './helpers/dashboard.js';
import {flush, keys, waitForFrame} from './helpers/ink.js';

/*
What the live pane says is only what the running watch observed (issue 10): each test here
failed on the dashboard that restarted its watch on every scroll and kept the old rows.
*/

const ssh = {port: 22, protocol: 'tcp'} as const;

/** Searches `query` (Enter keeps it), so only its matches are in view and watched. */
/** The target `::1`, as the resolver gives it. */
const ipv6Loopback = {
	host: '::1',
	isResolved: true,
	addresses: [{address: '::1', family: 6}],
} as const;

/** `:` and a new host, Enter: the dashboard watches that host from now on. */
async function changeTarget(
	app: Awaited<ReturnType<typeof mountApp>>,
	host: string,
) {
	await app.press(':', (frame) => frame.includes('host'), 'the target prompt');
	await app.press(
		`${host}${keys.enter}`,
		(frame) => frame.includes(host),
		'the new target',
	);
}

async function search(
	app: Awaited<ReturnType<typeof mountApp>>,
	query: string,
	watched: (pairs: string[]) => boolean,
) {
	await app.press(`/${query}`, (frame) => frame.includes(query), 'the query');
	await app.press(keys.enter, (frame) => frame.includes('j k move'), 'kept');
	await waitForWatch(app, watched);
}

test.serial(
	'a row back in view is pending until probed, and its first answer after the gap is no event',
	async (t) => {
		const app = await mountApp(t);
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		const at = Date.now();
		app.fake.sweep([], at);
		await app.press(
			'',
			(frame) => liveCell(frame, '22')?.startsWith('closed') ?? false,
			'ssh closed',
		);

		await search(app, 'smtp', (pairs) => !pairs.includes('22/tcp'));
		await app.press('/', (frame) => frame.includes('smtp'), 'the search line');
		let frame = await app.press(
			keys.escape,
			(frame) => frame.includes('28/28'),
			'the search cleared',
		);
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		frame = await app.press(
			'',
			(frame) => liveCell(frame, '22')?.startsWith('…') ?? false,
			'pending',
		);
		t.notRegex(
			liveCell(frame, '22') ?? '',
			/closed|open/v,
			'not the old "closed" of a watch that no longer runs',
		);

		// Sshd started while 22 was out of view: open at the first look, not a change.
		app.fake.sweep([{...ssh, state: 'open'}], at + 26_000);
		frame = await app.press(
			'',
			(frame) => liveCell(frame, '22')?.startsWith('open') ?? false,
			'open',
		);
		t.true(
			frame.includes('events: none yet'),
			'no invented "closed -> open down 26s"',
		);
		t.true(
			liveCell(frame, '22')?.includes(`≥${formatClock(at + 26_000, false)}`),
			'seen since the first look',
		);

		app.fake.sweep([], at + 28_000);
		frame = await app.press(
			'',
			(frame) => eventLines(frame).length === 1,
			'the close',
		);
		t.is(
			eventLines(frame)[0],
			`${formatClock(at + 28_000)}  22/tcp ssh  open -> closed`,
		);
		app.fake.sweep([{...ssh, state: 'open'}], at + 31_000);
		frame = await app.press(
			'',
			(frame) => eventLines(frame).length === 2,
			'the return',
		);
		t.regex(eventLines(frame)[1]!, /closed -> open {2}down 3\.0s$/v);
	},
);

test.serial(
	'with ::1 as the target, an IPv4-only daemon gets no owner mark, and a closed port has none',
	async (t) => {
		const fake = createFakeProbe({
			targets: {'::1': ipv6Loopback},
			sockets: {isAvailable: true, sockets: [sshdSocket]},
		});
		const app = await mountApp(t, {fake});
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		fake.sweep([{...ssh, state: 'open'}]);
		await app.press(
			'',
			(frame) => liveCell(frame, '22')?.includes('✓ sshd') ?? false,
			'sshd owns 127.0.0.1:22',
		);
		fake.sweep([]);
		let frame = await app.press(
			'',
			(frame) => liveCell(frame, '22')?.startsWith('closed') ?? false,
			'closed',
		);
		t.false(
			liveCell(frame, '22')?.includes('sshd'),
			'a closed port has no owner',
		);

		await changeTarget(app, '::1');
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		await flush(5);
		frame = app.frame();
		t.true(
			liveCell(frame, '22')?.startsWith('…'),
			'nothing of the old target shows',
		);
		// Something answers on ::1, but sshd's socket is 0.0.0.0, which does not take ::1.
		fake.sweep([{...ssh, state: 'open'}]);
		frame = await app.press(
			'',
			(frame) => liveCell(frame, '22')?.startsWith('open') ?? false,
			'open on ::1',
		);
		t.false(
			liveCell(frame, '22')?.includes('sshd'),
			'0.0.0.0 does not hold ::1',
		);
	},
);

test.serial(
	'the event log stays when the target changes, each line naming its host',
	async (t) => {
		const fake = createFakeProbe({
			targets: {'::1': ipv6Loopback},
		});
		const app = await mountApp(t, {fake});
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		const at = Date.now();
		fake.sweep([{...ssh, state: 'open'}], at);
		fake.sweep([], at + 1000);
		await app.press(
			'',
			(frame) => eventLines(frame).length === 1,
			'the close on localhost',
		);
		await changeTarget(app, '::1');
		await waitForWatch(
			app,
			(pairs) =>
				pairs.includes('22/tcp') && fake.active()[0]?.request.host === '::1',
		);
		fake.sweep([], at + 2000);
		fake.sweep([{...ssh, state: 'open'}], at + 3000);
		const frame = await app.press(
			'',
			(frame) => eventLines(frame).length === 2,
			'both events',
		);
		t.deepEqual(eventLines(frame), [
			`${formatClock(at + 1000)}  localhost  22/tcp ssh  open -> closed`,
			`${formatClock(at + 3000)}  ::1  22/tcp ssh  closed -> open`,
		]);
	},
);

test.serial(
	'both families: the pane says which answer, and the log when one stops',
	async (t) => {
		const fake = createFakeProbe({
			targets: {
				localhost: {
					host: 'localhost',
					isResolved: true,
					addresses: [
						{address: '127.0.0.1', family: 4},
						{address: '::1', family: 6},
					],
				},
			},
		});
		const app = await mountApp(t, {fake});
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		fake.sweep([{...ssh, state: 'open', v6: 'open'}]);
		let frame = await app.press(
			'',
			(frame) => liveCell(frame, '22')?.startsWith('open 46') ?? false,
			'both answer',
		);
		fake.sweep([{...ssh, state: 'open', v6: 'closed'}]);
		frame = await app.press(
			'',
			(frame) => eventLines(frame).length === 1,
			'the family event',
		);
		t.true(liveCell(frame, '22')?.startsWith('open 4 '));
		t.regex(
			eventLines(frame)[0]!,
			/22\/tcp ssh {2}::1 open -> closed \(127\.0\.0\.1 still open\)$/v,
		);
	},
);

test.serial(
	'nothing in view: the header says there is nothing to probe, not that a sweep is late',
	async (t) => {
		const app = await mountApp(t);
		await waitForWatch(app, (pairs) => pairs.length > 0);
		await app.press(
			'/zzzznomatch',
			(frame) => frame.includes('zzzznomatch'),
			'the query',
		);
		const frame = await app.press(
			'',
			(frame) => frame.includes('nothing to probe'),
			'idle',
		);
		t.false(frame.includes('last sweep'));
	},
);

test.serial(
	'the bell rings for the pinned ports, and never for a lost UDP reply',
	async (t) => {
		const app = await mountApp(t);
		await waitForWatch(
			app,
			(pairs) => pairs.includes('22/tcp') && pairs.includes('53/udp'),
		);
		const dns = {port: 53, protocol: 'udp'} as const;
		const bells = () =>
			app.instance.frames.filter((frame) => frame.includes('\u0007')).length;
		fake(app).sweep([
			{...ssh, state: 'open'},
			{...dns, state: 'open'},
		]);
		await app.press('b', (frame) => frame.includes('bell'), 'the bell on');
		fake(app).sweep([
			{...ssh, state: 'open'},
			{...dns, state: 'open|filtered'},
		]);
		fake(app).sweep([
			{...ssh, state: 'open'},
			{...dns, state: 'open|filtered'},
		]);
		await flush(10);
		t.true(app.frame().includes('open -> open|filtered'), 'confirmed, logged');
		t.is(bells(), 0, 'but a UDP reply lost is no alarm');
		// Pin smtp: ssh's change no longer rings.
		await app.select('jjj', '25/tcp smtp');
		await app.press(' ', (frame) => frame.includes('*'), 'pinned');
		fake(app).sweep([{...dns, state: 'open|filtered'}]);
		await flush(10);
		t.is(bells(), 0, 'ssh is not pinned');
		fake(app).sweep([
			{...dns, state: 'open|filtered'},
			{port: 25, protocol: 'tcp', state: 'open'},
		]);
		await flush(10);
		t.is(bells(), 1);
	},
);

const fake = (app: Awaited<ReturnType<typeof mountApp>>) => app.fake;

test.serial(
	'the l view logs a listener that goes away and one that appears',
	async (t) => {
		const ftp = {
			...sshdSocket,
			port: 21,
			inode: 7,
			pid: 900,
			process: 'vsftpd',
		};
		const fake = createFakeProbe({
			sockets: {isAvailable: true, sockets: [sshdSocket, ftp]},
		});
		const app = await mountApp(t, {fake});
		await app.press(
			'l',
			(frame) => frame.includes('2 sockets'),
			'the listeners view',
		);
		fake.setSockets([sshdSocket]);
		let frame = await waitForFrame(
			app.instance,
			(frame) => frame.includes('listener gone'),
			{message: 'vsftpd gone', timeoutMs: 6000},
		);
		t.regex(
			frame,
			/21\/tcp ftp {2}listener gone tcp 0\.0\.0\.0:21 vsftpd 900/v,
		);
		fake.setSockets([sshdSocket, {...ftp, inode: 8, pid: 901}]);
		frame = await waitForFrame(
			app.instance,
			(frame) => frame.includes('new listener'),
			{message: 'vsftpd back', timeoutMs: 6000},
		);
		t.regex(frame, /new listener tcp 0\.0\.0\.0:21 vsftpd 901/v);
	},
);
