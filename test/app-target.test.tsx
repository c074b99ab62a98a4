import test, {type ExecutionContext} from 'ava';
import {mountApp, type Mounted} from './helpers/app.js';
import {createFakeProbe} from './helpers/dashboard.js';
import {keys} from './helpers/ink.js';
import {waitFor} from './helpers/probe-servers.js';

const header = (frame: string) => frame.split('\n')[0] ?? '';

/** The dashboard with `::1` among the hosts that resolve. */
async function mountWithHosts(t: ExecutionContext) {
	return mountApp(t, {
		fake: createFakeProbe({
			targets: {
				'::1': {
					host: '::1',
					isResolved: true,
					addresses: [{address: '::1', family: 6}],
				},
			},
		}),
	});
}

/** Opens the host input and types `text` into it. */
async function typeHost(app: Mounted, text: string) {
	await app.press(':', (frame) => frame.includes('host: '), 'the host input');
	return app.press(
		text,
		(frame) => frame.includes(`host: ${text}`),
		`"${text}" typed`,
	);
}

test.serial(
	'a host that does not resolve says why and keeps the old target',
	async (t) => {
		const app = await mountWithHosts(t);
		const {fake} = app;
		await typeHost(app, 'nosuch.invalid');
		const frame = await app.press(
			keys.enter,
			(frame) => frame.includes('no such host'),
			'the refusal',
		);
		t.true(
			frame.includes(
				'"nosuch.invalid": no such host (ENOTFOUND); still watching localhost',
			),
		);
		t.true(header(frame).includes('localhost'));
		t.true(fake.active().every((watch) => watch.request.host === 'localhost'));
		t.false(
			fake.watches.some((watch) => watch.request.host === 'nosuch.invalid'),
			'never watched',
		);
		await app.press(
			'j',
			(frame) => !frame.includes('no such host'),
			'the message gone at the next key',
		);
	},
);

test.serial(
	'a host that resolves replaces the target and restarts the watch on it',
	async (t) => {
		const app = await mountWithHosts(t);
		const {fake} = app;
		// Typed and entered in one read, as a paste gives it.
		const frame = await app.press(
			`:::1${keys.enter}`,
			(frame) => header(frame).includes('::1'),
			'the new target',
		);
		t.false(header(frame).includes('localhost'));
		await waitFor(
			() => fake.active()[0]?.request.host === '::1',
			3000,
			'the watch on ::1',
		);
		t.is(fake.active().length, 1);
		t.is(fake.active()[0]?.request.host, '::1');
		t.true(
			fake.watches
				.filter((watch) => watch.request.host === 'localhost')
				.every((watch) => watch.isStopped),
		);
	},
);

test.serial(
	'Esc leaves the host input without a change; keys typed there trigger nothing',
	async (t) => {
		const app = await mountWithHosts(t);
		await typeHost(app, 'qu');
		t.is(app.exits(), 0);
		const frame = await app.press(
			keys.escape,
			(frame) => !frame.includes('host: '),
			'the input closed',
		);
		t.true(header(frame).includes('localhost'));
		t.true(header(frame).includes('proto all'), 'u did not filter');
	},
);
