import {mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import test from 'ava';
import {createPinStore, pinsPath} from '../source/state/pins-store.js';
import {temporaryDirectory} from './helpers/catalogue.js';

test('the pins file is under XDG_STATE_HOME, else ~/.local/state', (t) => {
	t.is(pinsPath({XDG_STATE_HOME: '/var/state'}), '/var/state/portui/pins.json');
	t.regex(pinsPath({}), /\/\.local\/state\/portui\/pins\.json$/v);
	// A relative XDG_STATE_HOME is invalid by the specification: ignored.
	t.regex(pinsPath({XDG_STATE_HOME: 'state'}), /\/\.local\/state\//v);
});

test('pins are kept per host, restored, and a host without pins leaves the file', async (t) => {
	const file = path.join(await temporaryDirectory(), 'portui', 'pins.json');
	const store = createPinStore(file);
	t.deepEqual(store.load('a.example'), {pins: []});
	t.is(store.save('a.example', ['22/tcp', '53/udp']), undefined);
	t.is(store.save('127.0.0.1', ['5432/tcp']), undefined);
	t.deepEqual(createPinStore(file).load('a.example').pins, [
		'22/tcp',
		'53/udp',
	]);
	t.deepEqual(store.load('127.0.0.1').pins, ['5432/tcp']);
	store.save('a.example', []);
	t.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
		version: 1,
		hosts: {'127.0.0.1': ['5432/tcp']},
	});
	t.is((statSync(file).mode % 0o1000).toString(8), '600');
	t.is((statSync(path.dirname(file)).mode % 0o1000).toString(8), '700');
});

test('a corrupt or foreign file is a one-line warning, never an exception, and the next save replaces it', async (t) => {
	const directory = path.join(await temporaryDirectory(), 'portui');
	mkdirSync(directory);
	const file = path.join(directory, 'pins.json');
	const store = createPinStore(file);
	for (const text of [
		'{bad',
		'[]',
		'{"version":2,"hosts":{}}',
		'{"version":1,"hosts":{"a":"22/tcp"}}',
	]) {
		writeFileSync(file, text);
		const {pins, warning} = store.load('a');
		t.deepEqual(pins, []);
		t.truthy(warning);
		t.false(warning!.includes('\n'));
		t.true(warning!.includes(file));
	}

	// Entries that are not pins are dropped, the rest kept.
	writeFileSync(
		file,
		String.raw`{"version":1,"hosts":{"a":["22/tcp",7,"x\u001b[31m","80/udp"]}}`,
	);
	t.deepEqual(store.load('a'), {pins: ['22/tcp', '80/udp']});
	writeFileSync(file, '{bad');
	t.is(store.save('a', ['22/tcp']), undefined);
	t.deepEqual(store.load('a'), {pins: ['22/tcp']});
});

test('a place that cannot be written is a warning', async (t) => {
	const directory = await temporaryDirectory();
	writeFileSync(path.join(directory, 'portui'), 'a file, not a directory');
	const store = createPinStore(path.join(directory, 'portui', 'pins.json'));
	t.regex(
		store.save('a', ['22/tcp']) ?? '',
		/cannot keep the pins in .*\(E\w+\)/v,
	);
	t.truthy(store.load('a').warning);
});
