import test from 'ava';
import {liveCell, mountApp, waitForWatch} from './helpers/app.js';
import {createFakeProbe, sshdSocket} from './helpers/dashboard.js';
import {keys} from './helpers/ink.js';

const telnetEverywhere = {
	protocol: 'tcp',
	address: '0.0.0.0',
	family: 4,
	port: 23,
	inode: 7,
	uid: 0,
	pid: 700,
	process: 'inetd',
} as const;
const telnetLoopback = {...telnetEverywhere, address: '127.0.0.1', inode: 8};

test.serial(
	'the header counts the alarm cases; /alarm in the l view keeps only them',
	async (t) => {
		const fake = createFakeProbe({
			sockets: {
				isAvailable: true,
				sockets: [sshdSocket, telnetEverywhere, telnetLoopback],
			},
		});
		const app = await mountApp(t, {fake});
		let frame = await app.press(
			'',
			(frame) => frame.includes('1 alarm'),
			'the alarm count in the header',
		);
		frame = await app.press(
			'l',
			(frame) => frame.includes('3 sockets'),
			'the listeners view',
		);
		t.regex(frame, /tcp\s+0\.0\.0\.0\s+23\s+inetd 700\s+ALARM telnet/v);
		t.notRegex(frame, /127\.0\.0\.1\s+23\s+inetd 700\s+ALARM/v);
		frame = await app.press(
			`/alarm${keys.enter}`,
			(frame) => frame.includes('1 sockets'),
			'the alarm cases only',
		);
		t.regex(frame, /0\.0\.0\.0\s+23\s+inetd/v);
		t.notRegex(frame, /\s22\s+sshd/v);
	},
);

test.serial(
	'the who cell names the unit first, and the unit counts as the daemon',
	async (t) => {
		const fake = createFakeProbe({
			sockets: {
				isAvailable: true,
				sockets: [
					{
						...sshdSocket,
						process: 'python3',
						owners: [
							{
								pid: 812,
								process: 'python3',
								unit: {name: 'ssh.service', manager: 'system'},
							},
						],
					},
				],
			},
		});
		// Wide enough for the who cell to hold a unit's name.
		const app = await mountApp(t, {fake, columns: 140});
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		fake.sweep([{port: 22, protocol: 'tcp', state: 'open'}]);
		const frame = await app.press(
			'',
			(frame) => liveCell(frame, '22')?.includes('ssh.serv') ?? false,
			'the unit named',
		);
		// The unit first, then the process (cut where the column ends).
		t.regex(liveCell(frame, '22') ?? '', /✓ ssh\.service py/v);
	},
);
