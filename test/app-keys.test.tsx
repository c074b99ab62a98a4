import test from 'ava';
import {
	catalogueRows,
	mountApp,
	selectedRow,
	showsSearchLine,
	waitForWatch,
} from './helpers/app.js';
import {keys} from './helpers/ink.js';
import {waitFor} from './helpers/probe-servers.js';

const protocols = (frame: string) =>
	new Set(catalogueRows(frame).map((row) => row.split(' ')[0]!.split('/')[1]));

test.serial('t, u and a filter by protocol', async (t) => {
	const app = await mountApp(t);
	let frame = await app.press(
		'u',
		(frame) => frame.includes('proto udp'),
		'the UDP filter',
	);
	t.deepEqual(protocols(frame), new Set(['udp']));
	t.true(frame.includes('8/28'));
	frame = await app.press(
		't',
		(frame) => frame.includes('proto tcp'),
		'the TCP filter',
	);
	t.deepEqual(protocols(frame), new Set(['tcp']));
	frame = await app.press(
		'a',
		(frame) => frame.includes('proto all'),
		'all protocols',
	);
	t.deepEqual(protocols(frame), new Set(['tcp', 'udp']));
});

test.serial(
	'the selected entry stays selected when the protocol filter still lists it',
	async (t) => {
		const app = await mountApp(t);
		await app.select('j', '22/tcp ssh');
		const frame = await app.press(
			't',
			(frame) => frame.includes('proto tcp'),
			'the TCP filter',
		);
		t.is(selectedRow(frame), '22/tcp ssh');
		const udp = await app.press(
			'u',
			(frame) => frame.includes('proto udp'),
			'the UDP filter',
		);
		t.is(
			selectedRow(udp),
			'53/udp domain',
			'the first row when the entry is filtered out',
		);
	},
);

test.serial(
	'j, k, arrows, several keys in one read, PgDn, G and g move the selection; the list scrolls',
	async (t) => {
		const app = await mountApp(t);
		t.is(selectedRow(app.frame()), '21/tcp ftp');
		await app.select('j', '22/tcp ssh');
		await app.select(keys.down, '23/tcp telnet');
		await app.select(keys.up, '22/tcp ssh');
		await app.select('k', '21/tcp ftp');
		await app.select('jjj', '25/tcp smtp');

		let frame = await app.select('G', '8080/tcp http-alt');
		let rows = catalogueRows(frame);
		t.is(rows.length, 11, 'only the rows in view are drawn');
		t.false(
			rows.some((row) => row.includes('ftp')),
			'scrolled past the first entries',
		);
		t.is(rows.at(-1), '>8080/tcp http-alt');

		frame = await app.select('g', '21/tcp ftp');
		t.is(catalogueRows(frame)[0], '>21/tcp ftp');

		frame = await app.press(
			keys.pageDown,
			(frame) => selectedRow(frame) !== '21/tcp ftp',
			'PgDn',
		);
		rows = catalogueRows(frame);
		t.is(selectedRow(frame), '123/udp ntp', 'a page is the rows in view');
		t.is(rows.at(-1), '>123/udp ntp');
		frame = await app.select(keys.pageUp, '21/tcp ftp');
		t.is(
			catalogueRows(frame).at(-1),
			'111/udp sunrpc',
			'the window moves only as far as it must',
		);
	},
);

test.serial(
	'Space pins, w shows the watch list only, Space there unpins',
	async (t) => {
		const app = await mountApp(t);
		await app.select('j', '22/tcp ssh');
		let frame = await app.press(
			' ',
			(frame) => catalogueRows(frame).includes('>*22/tcp ssh'),
			'ssh pinned',
		);
		frame = await app.press(
			`jj${keys.enter}`,
			(frame) => frame.includes('25/tcp smtp: Simple Mail Transfer'),
			'Enter describes smtp',
		);
		t.false(frame.includes('>*25/tcp'), 'Enter does not pin');
		frame = await app.press(
			` ${keys.escape}`,
			(frame) => catalogueRows(frame).includes('>*25/tcp smtp'),
			'Space pins from the describe view, Esc closes it',
		);
		t.true(catalogueRows(frame).includes('*22/tcp ssh'));

		frame = await app.press(
			'w',
			(frame) => frame.includes('2 pinned'),
			'the watch list',
		);
		t.deepEqual(catalogueRows(frame), ['>*22/tcp ssh', '*25/tcp smtp']);
		frame = await app.press(
			' ',
			(frame) => frame.includes('1 pinned'),
			'ssh unpinned',
		);
		t.deepEqual(catalogueRows(frame), ['>*25/tcp smtp']);
		frame = await app.press(
			' ',
			(frame) => frame.includes('0 pinned'),
			'smtp unpinned',
		);
		t.true(frame.includes('nothing pinned'));
		frame = await app.press(
			'w',
			(frame) => frame.includes('28/28'),
			'back to the catalogue',
		);
		t.false(catalogueRows(frame).some((row) => row.includes('*')));
	},
);

test.serial(
	'pinned ports stay watched when they scroll out of view',
	async (t) => {
		const app = await mountApp(t);
		await app.press(
			`j `,
			(frame) => catalogueRows(frame).includes('>*22/tcp ssh'),
			'ssh pinned',
		);
		await app.select('G', '8080/tcp http-alt');
		const watch = await waitForWatch(app, (pairs) =>
			pairs.includes('8080/tcp'),
		);
		t.true(watch.includes('22/tcp'), 'ssh is still probed');
		t.false(
			watch.includes('21/tcp'),
			'ftp, out of view and not pinned, is not',
		);
	},
);

test.serial(
	'? opens the help with every key, ? or Esc closes it',
	async (t) => {
		const app = await mountApp(t);
		let frame = await app.press(
			'?',
			(frame) => frame.includes('this help'),
			'the help',
		);
		for (const key of [
			'PgUp PgDn',
			'Space',
			'Enter',
			'Tab',
			'Ctrl-C',
			'Ctrl-L',
			':',
			'+ -',
		]) {
			t.true(frame.includes(key), `${key}`);
		}

		t.true(
			frame.includes('? Esc close help'),
			'the footer says how to close it',
		);
		frame = await app.press(
			'?',
			(frame) => !frame.includes('this help'),
			'the help closed by ?',
		);
		t.true(frame.includes('service'));
		await app.press(
			'?',
			(frame) => frame.includes('this help'),
			'the help again',
		);
		await app.press(
			keys.escape,
			(frame) => !frame.includes('this help'),
			'the help closed by Esc',
		);
	},
);

test.serial(
	'q and Ctrl-C ask to quit, also from the search line (Ctrl-C)',
	async (t) => {
		const app = await mountApp(t);
		app.instance.stdin.write('q');
		t.is(app.exits(), 1);
		app.instance.stdin.write(keys.ctrlC);
		t.is(app.exits(), 2);
		await app.press('/', showsSearchLine, 'the search line');
		app.instance.stdin.write(keys.ctrlC);
		t.is(app.exits(), 3);
	},
);

test.serial(
	'Tab moves focus: the live pane shows the probe of the selected port in full',
	async (t) => {
		const app = await mountApp(t);
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'));
		app.fake.sweep([
			{
				port: 22,
				protocol: 'tcp',
				state: 'open',
				answered: 'SSH-2.0-OpenSSH_9.6',
			},
		]);
		await app.select('j', '22/tcp ssh');
		let frame = await app.press(
			keys.tab,
			(frame) => frame.includes('22/tcp on localhost: open (connected)'),
			'the live detail',
		);
		t.true(frame.includes('answered: SSH-2.0-OpenSSH_9.6'));
		frame = await app.press(
			keys.tab,
			(frame) => frame.includes('j k scroll events'),
			'the event log focused',
		);
		frame = await app.press(
			keys.shiftTab,
			(frame) => frame.includes('22/tcp on localhost'),
			'back to the live pane',
		);
		frame = await app.press(
			keys.tab + keys.tab,
			(frame) => frame.includes('Secure Shell'),
			'back to the catalogue',
		);
		t.true(
			frame.includes('old page said: ssh is a new and rarely used service'),
		);
	},
);

test.serial(
	'+ and - change the interval and restart the watch with it',
	async (t) => {
		const app = await mountApp(t);
		await waitForWatch(app, (pairs) => pairs.length > 0);
		await app.press(
			'+',
			(frame) => frame.includes('every 5s'),
			'a longer interval',
		);
		await waitFor(
			() => app.fake.active()[0]?.request.intervalMs === 5000,
			3000,
			'the watch every 5s',
		);
		await app.press(
			'--',
			(frame) => frame.includes('every 1s'),
			'a shorter interval',
		);
		await waitFor(
			() => app.fake.active()[0]?.request.intervalMs === 1000,
			3000,
			'the watch every 1s',
		);
		t.is(app.fake.active().length, 1);
	},
);
