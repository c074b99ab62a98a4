import test from 'ava';
import stringWidth from 'string-width';
import {catalogueRows, mountApp} from './helpers/app.js';
import {resize, waitForFrame} from './helpers/ink.js';

const sizes = [
	[60, 16],
	[80, 24],
	[100, 30],
	[120, 40],
	[200, 60],
] as const;

const fits = (frame: string, columns: number, rows: number) => {
	const lines = frame.split('\n');
	return (
		lines.length <= rows - 1 &&
		lines.every((line) => stringWidth(line) <= columns)
	);
};

for (const [columns, rows] of sizes) {
	test.serial(
		`at ${columns}x${rows} every view fits in the columns and in the rows minus one`,
		async (t) => {
			const app = await mountApp(t, {columns, rows});
			// Each view is told apart by what only it shows: a stale frame must not pass for it.
			const views: Array<[string, string, (frame: string) => boolean]> = [
				['the catalogue', '', (frame) => frame.includes('service')],
				['the help', '?', (frame) => frame.includes('this help')],
				[
					'the listeners',
					'?l',
					(frame) => frame.includes('no listening socket matches'),
				],
				['the watch list', 'lw', (frame) => frame.includes('nothing pinned')],
				[
					'the search line',
					'w/',
					(frame) => frame.includes('Enter keep') && frame.includes('28/28'),
				],
			];
			for (const [name, keys, predicate] of views) {
				// eslint-disable-next-line no-await-in-loop
				const frame = await app.press(keys, predicate, name);
				t.true(fits(frame, columns, rows), `${name}:\n${frame}`);
			}
		},
	);
}

test.serial(
	'resizing reflows: more rows in a taller terminal, a notice below the minimum, the layout again after',
	async (t) => {
		const app = await mountApp(t, {columns: 80, rows: 24});
		t.is(catalogueRows(app.frame()).length, 11);

		resize(app.instance, 120, 40);
		let frame = await waitForFrame(
			app.instance,
			(frame) => catalogueRows(frame).length > 11,
			{message: 'the 120x40 layout'},
		);
		t.is(catalogueRows(frame).length, 21);
		t.true(fits(frame, 120, 40));

		resize(app.instance, 59, 20);
		frame = await waitForFrame(
			app.instance,
			(frame) => frame.includes('portui needs 60x16'),
			{message: 'the notice'},
		);
		t.true(fits(frame, 59, 20), `${frame}`);

		// At 40x12 the notice wraps, every word of it on the screen.
		resize(app.instance, 40, 12);
		frame = await waitForFrame(
			app.instance,
			(frame) => frame.includes('40x12'),
			{message: 'the notice at 40x12'},
		);
		t.true(fits(frame, 40, 12), `${frame}`);
		t.is(
			frame
				.split('\n')
				.map((line) => line.trim())
				.join(' '),
			'portui needs 60x16; this terminal is 40x12. Enlarge it, or press q.',
		);

		resize(app.instance, 60, 20);
		frame = await waitForFrame(
			app.instance,
			(frame) => catalogueRows(frame).length > 0,
			{message: 'the 60x20 layout'},
		);
		t.true(fits(frame, 60, 20));

		// The state survives the notice: what was selected stays selected.
		await app.press(
			'j',
			(frame) => catalogueRows(frame)[1]?.startsWith('>') ?? false,
			'the second row selected',
		);
		resize(app.instance, 40, 10);
		await waitForFrame(
			app.instance,
			(frame) => frame.includes('portui needs'),
			{message: 'the notice again'},
		);
		app.instance.stdin.write('q');
		t.is(app.exits(), 1, 'q still quits');
		resize(app.instance, 80, 24);
		frame = await waitForFrame(
			app.instance,
			(frame) => catalogueRows(frame).length === 11,
			{message: '80x24 again'},
		);
		t.is(catalogueRows(frame)[1], '>22/tcp ssh');
	},
);

test.serial('ASCII borders: no box-drawing character anywhere', async (t) => {
	const app = await mountApp(t, {isAscii: true});
	for (const [name, keys, predicate] of [
		['the catalogue', '', (frame: string) => frame.includes('service')],
		[
			'the live pane focused',
			'\t',
			(frame: string) => frame.includes('not probed yet'),
		],
		['the help', '?', (frame: string) => frame.includes('this help')],
	] as const) {
		// eslint-disable-next-line no-await-in-loop
		const frame = await app.press(keys, predicate, name);
		t.notRegex(frame, /[\u2500-\u257F·✓✗]/v, `${name}`);
		t.regex(frame, /^[+\|]/mv, `${name}`);
	}
});

test.serial(
	'the terminal size is read from one resize listener, removed on unmount',
	async (t) => {
		const app = await mountApp(t);
		const listeners = app.instance.stdout.listenerCount('resize');
		// Ink listens for itself; the dashboard adds exactly one.
		t.true(listeners >= 1 && listeners <= 2);
		app.instance.unmount();
		t.is(app.instance.stdout.listenerCount('resize'), 0);
	},
);
