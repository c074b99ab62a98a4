import test from 'ava';
import type {Key} from 'ink';
import {
	editLine,
	lineAtEnd,
	noKey,
	recall,
	remember,
	startHistory,
	strokesOf,
	type Line,
} from '../source/state/line-editor.js';

const none = noKey;

/** Types `input` as one read into `line`. */
function type(line: Line, input: string, key: Partial<Key> = {}): Line {
	let edited = line;
	for (const stroke of strokesOf(input, {...none, ...key})) {
		edited = editLine(edited, stroke);
	}

	return edited;
}

test('text in one read is inserted at the cursor, Enter and DEL inside it are keys', (t) => {
	t.deepEqual(
		strokesOf('ab\u007Fc\rG', none).map((stroke) =>
			stroke.type === 'text' ? stroke.text : stroke.edit,
		),
		['ab', 'backspace', 'c', 'enter', 'G'],
	);
	t.deepEqual(type(lineAtEnd(''), 'postgres'), lineAtEnd('postgres'));
	t.deepEqual(type({value: 'pres', cursor: 2}, 'st'), {
		value: 'prstes',
		cursor: 4,
	});
});

test('readline keys as Ink names them: Ctrl-A/E, Ctrl-U/K, Ctrl-W, Alt-B/F, Home/End, arrows', (t) => {
	const line = lineAtEnd('db1.example org');
	t.is(type(line, 'a', {ctrl: true}).cursor, 0);
	t.is(type({...line, cursor: 0}, 'e', {ctrl: true}).cursor, 15);
	t.is(type(line, '', {home: true}).cursor, 0);
	t.is(type({...line, cursor: 3}, '', {end: true}).cursor, 15);
	t.deepEqual(type({...line, cursor: 3}, 'u', {ctrl: true}), {
		value: '.example org',
		cursor: 0,
	});
	t.deepEqual(type({...line, cursor: 3}, 'k', {ctrl: true}), {
		value: 'db1',
		cursor: 3,
	});
	t.deepEqual(type(line, 'w', {ctrl: true}), {
		value: 'db1.example ',
		cursor: 12,
	});
	t.deepEqual(type(lineAtEnd('db1.example'), 'w', {ctrl: true}), lineAtEnd(''));
	t.is(type(line, 'b', {meta: true}).cursor, 12);
	t.is(type(type(line, 'b', {meta: true}), 'b', {meta: true}).cursor, 4);
	t.is(type({...line, cursor: 0}, 'f', {meta: true}).cursor, 3);
	t.is(type(line, '', {leftArrow: true}).cursor, 14);
	t.is(type({...line, cursor: 0}, '', {leftArrow: true}).cursor, 0);
	t.is(type({...line, cursor: 0}, '', {rightArrow: true}).cursor, 1);
	t.deepEqual(type({...line, cursor: 4}, '', {delete: true}), {
		value: 'db1example org',
		cursor: 3,
	});
	t.deepEqual(type({...line, cursor: 0}, 'd', {ctrl: true}), {
		value: 'b1.example org',
		cursor: 0,
	});
});

test('control characters inside a read are the same keys', (t) => {
	t.deepEqual(type(lineAtEnd(''), 'host\u0001x\u0005y'), {
		value: 'xhosty',
		cursor: 6,
	});
	t.deepEqual(type(lineAtEnd(''), 'a b\u0017c'), lineAtEnd('a c'));
	t.deepEqual(type(lineAtEnd(''), 'ab\u0015c'), lineAtEnd('c'));
	// Other control characters and C1 never reach the text.
	t.deepEqual(type(lineAtEnd(''), 'a\u0007b\u009Bc'), lineAtEnd('abc'));
});

test('Up and Down go through the history and back to the line being typed', (t) => {
	let history = startHistory(remember(['a.example'], 'localhost'));
	let line = lineAtEnd('db');
	({history, line} = recall(history, line, -1));
	t.is(line.value, 'localhost');
	({history, line} = recall(history, line, -1));
	t.is(line.value, 'a.example');
	({history, line} = recall(history, line, -1));
	t.is(line.value, 'a.example');
	({history, line} = recall(history, line, 1));
	({history, line} = recall(history, line, 1));
	t.deepEqual(line, lineAtEnd('db'));
	t.deepEqual(remember(['a', 'b', 'c'], 'a'), ['b', 'c', 'a']);
	t.deepEqual(remember(['a'], '  '), ['a']);
});
