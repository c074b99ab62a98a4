import test from 'ava';
import {keyCommands} from '../source/state/key-commands.js';
import {noKey} from '../source/state/line-editor.js';

const none = noKey;

test('several keys in one read are read one by one', (t) => {
	t.deepEqual(keyCommands('jjj', none).commands, ['down', 'down', 'down']);
	t.deepEqual(keyCommands('kG', none).commands, ['up', 'last']);
	t.deepEqual(keyCommands('jq', none).commands, ['down', 'quit']);
	t.deepEqual(keyCommands('j\u0003', none).commands, ['down', 'quit']);
});

test('a slash or a colon opens a text input with the keys that followed it', (t) => {
	t.deepEqual(keyCommands('/ssh', none), {
		commands: [],
		prompt: {kind: 'search', rest: 'ssh'},
	});
	t.deepEqual(keyCommands('j/', none), {
		commands: ['down'],
		prompt: {kind: 'search', rest: ''},
	});
	t.deepEqual(keyCommands(':::1\r', none), {
		commands: [],
		prompt: {kind: 'target', rest: '::1\r'},
	});
	t.deepEqual(keyCommands('/sshx\u007F\rjj', none), {
		commands: [],
		prompt: {kind: 'search', rest: 'sshx\u007F\rjj'},
	});
});

test('special keys', (t) => {
	t.deepEqual(keyCommands('', {...none, upArrow: true}).commands, ['up']);
	t.deepEqual(keyCommands('', {...none, pageDown: true}).commands, [
		'page-down',
	]);
	t.deepEqual(keyCommands('', {...none, tab: true}).commands, ['focus']);
	t.deepEqual(keyCommands('', {...none, tab: true, shift: true}).commands, [
		'focus-back',
	]);
	t.deepEqual(keyCommands('\r', {...none, return: true}).commands, [
		'describe',
	]);
	t.deepEqual(keyCommands('l', {...none, ctrl: true}).commands, ['redraw']);
	t.deepEqual(keyCommands(' ', none).commands, ['pin']);
	t.deepEqual(keyCommands('c', {...none, ctrl: true}).commands, ['quit']);
	t.deepEqual(keyCommands('x', {...none, ctrl: true}).commands, []);
	t.deepEqual(keyCommands('', {...none, escape: true, meta: true}).commands, [
		'escape',
	]);
	t.deepEqual(keyCommands('+-b?wlta u', none).commands, [
		'slower',
		'faster',
		'bell',
		'help',
		'watch',
		'listeners',
		'tcp',
		'all',
		'pin',
		'udp',
	]);
});
