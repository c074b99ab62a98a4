import test from 'ava';
import {
	catalogueRows,
	type Mounted,
	mountApp,
	showsSearchLine,
} from './helpers/app.js';
import {curatedTestCatalogue, testCatalogue} from './helpers/dashboard.js';
import {flush, keys} from './helpers/ink.js';

const services = (frame: string) =>
	catalogueRows(frame).map((row) => row.split(' ')[1]);

test.serial(
	'typing filters as you type; Enter keeps the query, Esc in the search line clears it',
	async (t) => {
		const app = await mountApp(t);
		t.is(services(app.frame())[0], 'ftp');
		await app.press('/', showsSearchLine, 'the search line');

		// Each letter narrows the list at once, before Enter.
		let frame = await app.press(
			't',
			(frame) => frame.includes('/ t') && !services(frame).includes('ssh'),
			'"t" to filter',
		);
		const afterT = catalogueRows(frame).length;
		t.true(afterT > 1);
		frame = await app.press('e', (frame) => frame.includes('/ te'), '"te"');
		frame = await app.press(
			'l',
			(frame) => frame.includes('/ tel') && catalogueRows(frame).length === 1,
			'"tel" to filter',
		);
		t.deepEqual(services(frame), ['telnet']);
		t.true(frame.includes('1/28'));

		frame = await app.press(
			keys.enter,
			(frame) => frame.includes('/tel  (/ to edit'),
			'the kept query',
		);
		t.deepEqual(services(frame), ['telnet'], 'Enter keeps the query');

		await app.press(
			'/',
			(frame) => frame.includes('/ tel'),
			'the search line with the query',
		);
		frame = await app.press(
			keys.escape,
			(frame) => frame.includes('28/28'),
			'the cleared query',
		);
		t.is(services(frame)[0], 'ftp');
		t.true(
			frame.includes('/ to search the catalogue'),
			'Esc leaves the search line',
		);
	},
);

test.serial(
	'a port finds its entries, best first: /22 selects ssh',
	async (t) => {
		const app = await mountApp(t);
		// Several keys in one read, as a paste or a fast typist gives them.
		const frame = await app.select('/22', '22/tcp ssh');
		t.is(catalogueRows(frame).length, 1);
	},
);

test.serial(
	'while the search line has the keys they trigger nothing else',
	async (t) => {
		const app = await mountApp(t);
		await app.press('/', showsSearchLine, 'the search line');
		// The rows follow the query once typing pauses (typingSettleMs): wait for both.
		const frame = await app.press(
			'qtuwl?',
			(frame) =>
				frame.includes('/ qtuwl?') && catalogueRows(frame).length === 0,
			'the keys typed into the query, and the rows searched with them',
		);
		t.is(app.exits(), 0, 'q did not quit');
		t.true(frame.includes('proto all'), 't and u did not filter');
		t.false(frame.includes('this help'), '? did not open the help');
		t.deepEqual(catalogueRows(frame), [], 'nothing matches the query');
	},
);

test.serial(
	'Backspace (DEL, as Ink 6.8 reports it) deletes, alone or inside a run of keys',
	async (t) => {
		const app = await mountApp(t);
		await app.press('/', showsSearchLine, 'the search line');
		await app.press('sshx', (frame) => frame.includes('/ sshx'), 'the typo');
		let frame = await app.press(
			keys.backspace,
			(frame) =>
				frame.includes('/ ssh') &&
				!frame.includes('/ sshx') &&
				services(frame).length === 1,
			'the typo deleted, and the rows searched again',
		);
		t.deepEqual(services(frame), ['ssh']);
		frame = await app.press(
			`tp${keys.backspace.repeat(4)}`,
			(frame) =>
				frame.includes('/ s') &&
				!frame.includes('/ ss') &&
				services(frame).length > 1,
			'four deletes in one read',
		);
		t.true(services(frame).includes('ssh'));
		t.false(frame.includes('\u007F'));
	},
);

test.serial(
	'Esc outside the search line also clears a kept query',
	async (t) => {
		const app = await mountApp(t);
		await app.press(
			`/smtp${keys.enter}`,
			(frame) => frame.includes('/smtp  (/ to edit'),
			'the kept query',
		);
		const frame = await app.press(
			keys.escape,
			(frame) => frame.includes('28/28'),
			'the query cleared',
		);
		t.is(services(frame)[0], 'ftp');
	},
);

test.serial(
	'the registry loads when a search finds nothing curated or l lists the sockets, not before',
	async (t) => {
		let calls = 0;
		let app: Mounted | undefined;
		const onNeedsRegistry = () => {
			calls++;
		};

		app = await mountApp(t, {
			catalogue: curatedTestCatalogue(),
			onNeedsRegistry,
		});
		await app.press('/', showsSearchLine, 'the search line');
		let frame = await app.press(
			'ssh',
			(frame) => frame.includes('/ ssh') && services(frame).includes('ssh'),
			'"ssh"',
		);
		await flush(20);
		t.is(calls, 0, 'a curated match needs no registry');

		frame = await app.press(
			'x',
			(frame) => frame.includes("searching IANA's"),
			'"sshx" finds nothing curated',
		);
		await flush(20);
		t.is(calls, 1);
		app.rerender({catalogue: testCatalogue(), onNeedsRegistry: undefined});
		await app.press(keys.escape, (frame) => frame.includes('28/28'), 'cleared');
		await app.press('/', showsSearchLine, 'the search line again');
		frame = await app.press(
			'distinct',
			(frame) => services(frame).includes('distinct'),
			'a registry entry',
		);
		t.true(frame.includes('registry'), 'the header says where it came from');
		t.is(calls, 1, 'asked once');

		app = await mountApp(t, {
			catalogue: curatedTestCatalogue(),
			onNeedsRegistry,
		});
		await app.press('l', (frame) => frame.includes('sockets'), 'the sockets');
		await flush(20);
		t.is(calls, 2, 'l asks for it too');
	},
);
