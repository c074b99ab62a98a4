import test from 'ava';
import {formatClock} from '../source/components/format.js';
import {
	catalogueRows,
	eventLines,
	mountApp,
	selectedRow,
	waitForWatch,
} from './helpers/app.js';
import {testCatalogue} from './helpers/dashboard.js';
import {keys} from './helpers/ink.js';

test.serial(
	'the event log shows the latest changes; with the focus on it, j and k scroll back',
	async (t) => {
		const app = await mountApp(t);
		await waitForWatch(app, (pairs) => pairs.includes('22/tcp'), 5000);
		const at = Date.now();
		// Six changes of ssh: open, then closed and open in turn.
		for (let sweep = 0; sweep <= 6; sweep++) {
			app.fake.sweep(
				sweep % 2 === 0 ? [{port: 22, protocol: 'tcp', state: 'open'}] : [],
				at + sweep * 1000,
			);
		}

		let frame = await app.press(
			'',
			(frame) =>
				eventLines(frame).at(-1)?.includes('closed -> open  down 1.0s') ??
				false,
			'the six changes',
		);
		t.is(eventLines(frame).length, 3, 'as many as the lines at 80x24');

		const newest = eventLines(frame);
		frame = await app.press(
			keys.tab + keys.tab,
			(frame) => frame.includes('j k scroll events'),
			'the focus on the log',
		);
		frame = await app.press(
			'k',
			(frame) => eventLines(frame).at(-1) !== newest.at(-1),
			'one event back',
		);
		t.is(eventLines(frame).at(-1), newest.at(-2));
		const oldest = `${formatClock(at + 1000)}  22/tcp ssh  open -> closed`;
		frame = await app.press(
			'g',
			(frame) => eventLines(frame)[0] === oldest,
			'the oldest',
		);
		t.is(eventLines(frame).length, 3, 'the window stays full');
		frame = await app.press(
			'G',
			(frame) => eventLines(frame).at(-1) === newest.at(-1),
			'the newest again',
		);
		t.deepEqual(eventLines(frame), newest);
	},
);

test.serial(
	'a fuller catalogue handed in later keeps the selection, the pins and the query',
	async (t) => {
		const app = await mountApp(t);
		await app.press(
			'jj ',
			(frame) => catalogueRows(frame).includes('>*23/tcp telnet'),
			'telnet pinned',
		);
		await app.press(
			`/tel${keys.enter}`,
			(frame) => frame.includes('/tel  (/ to edit'),
			'the kept query',
		);
		app.rerender({catalogue: testCatalogue()});
		const frame = await app.press(
			'',
			(frame) => frame.includes('/tel  (/ to edit'),
			'the new catalogue',
		);
		t.is(selectedRow(frame), '23/tcp telnet');
		t.deepEqual(catalogueRows(frame), ['>*23/tcp telnet']);
	},
);
