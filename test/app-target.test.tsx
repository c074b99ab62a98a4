import test from 'ava';
import {createFakeProbe} from './helpers/dashboard.js';
import {mountApp} from './helpers/app.js';
import {keys} from './helpers/ink.js';

const header = (frame: string) => frame.split('\n')[0] ?? '';

function probeWithHosts() {
	return createFakeProbe({
		targets: {
			'::1': {
				host: '::1',
				isResolved: true,
				addresses: [{address: '::1', family: 6}],
			},
		},
	});
}

test.serial(
	'a host that does not resolve says why and keeps the old target',
	async (t) => {
		const fake = probeWithHosts();
		const app = await mountApp(t, {fake});
		await app.press(':', (frame) => frame.includes('host: '), 'the host input');
		await app.press(
			'nosuch.invalid',
			(frame) => frame.includes('host: nosuch.invalid'),
			'the host typed',
		);
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
		const fake = probeWithHosts();
		const app = await mountApp(t, {fake});
		// Typed and entered in one read, as a paste gives it.
		const frame = await app.press(
			`:::1${keys.enter}`,
			(frame) => header(frame).includes('::1'),
			'the new target',
		);
		t.false(header(frame).includes('localhost'));
		const waitForWatch = async () => {
			for (
				let tries = 0;
				tries < 300 && fake.active()[0]?.request.host !== '::1';
				tries++
			) {
				// eslint-disable-next-line no-await-in-loop
				await new Promise((resolve) => {
					setTimeout(resolve, 10);
				});
			}
		};

		await waitForWatch();
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
		const fake = probeWithHosts();
		const app = await mountApp(t, {fake});
		await app.press(':', (frame) => frame.includes('host: '), 'the host input');
		await app.press(
			'qu',
			(frame) => frame.includes('host: qu'),
			'letters typed',
		);
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
