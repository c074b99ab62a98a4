import test from 'ava';
import {
	liveCell,
	mountApp,
	selectedRow,
	showsSearchLine,
	waitForWatch,
} from './helpers/app.js';
import {createFakeProbe, sshdSocket} from './helpers/dashboard.js';
import {flush, keys} from './helpers/ink.js';

test.serial(
	'a port that goes down and comes back: the pane follows, the log says for how long',
	async (t) => {
		const app = await mountApp(t);
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		const at = Date.now();
		app.fake.sweep(
			[
				{
					port: 22,
					protocol: 'tcp',
					state: 'open',
					answered: 'SSH-2.0-OpenSSH_9.6',
				},
			],
			at,
		);
		let frame = await app.press(
			'',
			(frame) => liveCell(frame, '22')?.startsWith('open') ?? false,
			'ssh open',
		);
		t.true(liveCell(frame, '22')?.includes('SSH-2.'), 'what answered');
		t.true(frame.includes('events: none yet'), 'a first answer is no event');

		app.fake.sweep([], at + 2000);
		frame = await app.press(
			'',
			(frame) => liveCell(frame, '22')?.startsWith('closed') ?? false,
			'ssh closed',
		);
		t.regex(frame, /\d\d:\d\d:\d\d {2}22\/tcp ssh {2}open -> closed/v);

		app.fake.sweep([{port: 22, protocol: 'tcp', state: 'open'}], at + 7000);
		frame = await app.press(
			'',
			(frame) => frame.includes('closed -> open'),
			'ssh back',
		);
		t.regex(frame, /22\/tcp ssh {2}closed -> open {2}down 5\.0s/v);
		t.true(liveCell(frame, '22')?.startsWith('open'));
	},
);

test.serial(
	'a sweep that changes nothing draws nothing; one that changes a port draws one frame',
	async (t) => {
		const app = await mountApp(t);
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		app.fake.sweep([{port: 22, protocol: 'tcp', state: 'open', rttMs: 0.2}]);
		await app.press(
			'',
			(frame) => liveCell(frame, '22')?.startsWith('open') ?? false,
			'ssh open',
		);
		await flush(20);
		const frames = app.instance.frames.length;
		for (let sweep = 0; sweep < 5; sweep++) {
			app.fake.sweep([
				{port: 22, protocol: 'tcp', state: 'open', rttMs: 0.2 + sweep / 10},
			]);
			// eslint-disable-next-line no-await-in-loop
			await flush(5);
		}

		t.is(
			app.instance.frames.length,
			frames,
			'equal sweeps (rtt jitter below what is shown) render nothing',
		);

		app.fake.sweep([{port: 22, protocol: 'tcp', state: 'closed'}]);
		await flush(20);
		t.is(
			app.instance.frames.length,
			frames + 1,
			'the snapshot and its transition make one frame',
		);
	},
);

test.serial(
	'on this machine the pane names the process and whether it is the expected daemon',
	async (t) => {
		const fake = createFakeProbe({
			sockets: {
				isAvailable: true,
				sockets: [
					sshdSocket,
					{
						protocol: 'tcp',
						address: '127.0.0.1',
						family: 4,
						port: 25,
						inode: 2,
						uid: 1000,
						pid: 900,
						process: 'python3',
					},
				],
			},
		});
		const app = await mountApp(t, {fake});
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		fake.sweep([
			{port: 22, protocol: 'tcp', state: 'open'},
			{port: 25, protocol: 'tcp', state: 'open'},
		]);
		const frame = await app.press(
			'',
			(frame) => liveCell(frame, '22')?.includes('✓ sshd') ?? false,
			'sshd named',
		);
		t.true(
			liveCell(frame, '25')?.includes('✗ pyth'),
			'python3 is not what smtp expects',
		);
	},
);

test.serial(
	'l lists every listening socket of this machine with its process, in the catalogue or not',
	async (t) => {
		const fake = createFakeProbe({
			sockets: {
				isAvailable: true,
				sockets: [
					sshdSocket,
					{
						protocol: 'tcp',
						address: '::',
						family: 6,
						port: 40_000,
						inode: 4,
						uid: 1000,
						pid: 1234,
						process: 'node',
					},
					{
						protocol: 'udp',
						address: '0.0.0.0',
						family: 4,
						port: 5353,
						inode: 3,
						uid: 0,
						ownerHidden: 'owner hidden: run as root',
					},
				],
			},
		});
		const app = await mountApp(t, {fake});
		let frame = await app.press(
			'l',
			(frame) => frame.includes('3 sockets'),
			'the listeners view',
		);
		t.regex(frame, /tcp\s+0\.0\.0\.0\s+22\s+sshd 812\s+ssh\s+Secure.*✓/v);
		t.regex(frame, /tcp\s+::\s+40000\s+node 1234/v);
		// The mDNS entry is a caution service: bound to every interface, it is flagged.
		t.regex(frame, /udp\s+0\.0\.0\.0\s+5353\s+\(hidden\)\s+flagged mdns/v);
		t.true(
			frame.includes('held by sshd (pid 812)'),
			'the detail of the selected socket',
		);
		frame = await app.press(
			'u',
			(frame) => frame.includes('1 sockets'),
			'UDP only',
		);
		frame = await app.press(
			'al',
			(frame) => frame.includes('28/28'),
			'back to the catalogue',
		);
		t.is(selectedRow(frame), '21/tcp ftp');
	},
);

test.serial('b rings the bell on a change', async (t) => {
	const app = await mountApp(t);
	await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
	app.fake.sweep([{port: 22, protocol: 'tcp', state: 'open'}]);
	await app.press('b', (frame) => frame.includes('bell'), 'the bell on');
	t.false(app.instance.frames.includes('\u0007'));
	await flush();
	app.fake.sweep([{port: 22, protocol: 'tcp', state: 'closed'}]);
	await flush(10);
	t.true(app.instance.frames.includes('\u0007'));
});

test.serial(
	'a range is probed on all its ports: X11 reads open when display :5 listens, and its change is logged',
	async (t) => {
		const app = await mountApp(t);
		await app.press('/', showsSearchLine, 'the search line');
		await app.press('x11', (frame) => frame.includes('/ x11'), '"x11"');
		await app.press(keys.enter, (frame) => frame.includes('/x11'), 'kept');
		const pairs = await waitForWatch(
			app,
			(pairs) => pairs.includes('6000/tcp') && pairs.includes('6063/tcp'),
		);
		t.is(pairs.filter((pair) => /^60\d\d\/tcp$/v.test(pair)).length, 64);
		const at = Date.now();
		app.fake.sweep([], at);
		await app.press(
			'',
			(frame) => liveCell(frame, '6000…')?.startsWith('closed') ?? false,
			'x11 closed',
		);
		app.fake.sweep([{port: 6005, protocol: 'tcp', state: 'open'}], at + 1000);
		const frame = await app.press(
			'',
			(frame) => liveCell(frame, '6000…')?.startsWith('open') ?? false,
			'x11 open',
		);
		t.true(liveCell(frame, '6000…')?.endsWith('6005'), 'which port');
		t.regex(frame, /6005\/tcp x11 {2}closed -> open/v);
		const detail = await app.press(
			keys.tab,
			(frame) => frame.includes('6000-6063/tcp on localhost'),
			'the live detail',
		);
		t.regex(detail, /6000-6063\/tcp on localhost: open \(1 open, 63 closed\)/v);
		t.regex(detail, /open on: 6005/v);
	},
);
