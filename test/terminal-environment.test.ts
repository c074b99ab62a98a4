import test from 'ava';
import {detectColor, isUtf8Locale} from '../source/terminal/environment.js';

const tty = {isTTY: true};
const pipe = {isTTY: false};

test('colour on a terminal by default, off in a pipe and on a dumb terminal', (t) => {
	t.true(detectColor({}, tty));
	t.false(detectColor({}, pipe));
	t.false(detectColor({TERM: 'dumb'}, tty));
});

test('NO_COLOR set and not empty turns colour off; empty does not', (t) => {
	t.false(detectColor({NO_COLOR: '1'}, tty));
	t.false(detectColor({NO_COLOR: 'anything'}, tty));
	t.true(detectColor({NO_COLOR: ''}, tty));
});

test('FORCE_COLOR decides as chalk reads it, before NO_COLOR and the stream', (t) => {
	t.true(detectColor({FORCE_COLOR: '1', NO_COLOR: '1'}, pipe));
	t.true(detectColor({FORCE_COLOR: ''}, pipe));
	t.true(detectColor({FORCE_COLOR: 'true'}, pipe));
	t.false(detectColor({FORCE_COLOR: '0'}, tty));
	t.false(detectColor({FORCE_COLOR: 'false'}, tty));
});

test('a UTF-8 locale is read from LC_ALL, then LC_CTYPE, then LANG', (t) => {
	t.true(isUtf8Locale({LANG: 'en_US.UTF-8'}));
	t.true(isUtf8Locale({LANG: 'C.utf8'}));
	t.true(isUtf8Locale({LC_CTYPE: 'de_DE.UTF-8', LANG: 'C'}));
	t.false(isUtf8Locale({LC_ALL: 'C', LANG: 'en_US.UTF-8'}));
	t.false(isUtf8Locale({LANG: 'en_US.ISO-8859-1'}));
	t.false(isUtf8Locale({LANG: 'POSIX'}));
});

test('no locale at all is the C locale, which is not UTF-8', (t) => {
	t.false(isUtf8Locale({}));
	t.true(isUtf8Locale({LC_ALL: '', LANG: 'en_GB.UTF-8'}));
});
