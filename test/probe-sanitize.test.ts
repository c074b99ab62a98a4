import {Buffer} from 'node:buffer';
import test from 'ava';
import {sanitize} from '../source/probe/sanitize.js';
import {hasUnsafeCharacter} from './helpers/probe-servers.js';

const esc = '\u001B';
const bel = '\u0007';

const cases: Array<[string, string, string]> = [
	['SGR colour', `${esc}[1;31mred${esc}[0m text`, 'red text'],
	[
		'cursor moves and clears',
		`a${esc}[2J${esc}[H${esc}[10;20Hb${esc}[?25l`,
		'ab',
	],
	[
		'OSC title ended by BEL',
		`before${esc}]0;pwned title${bel}after`,
		'beforeafter',
	],
	[
		'OSC title ended by ST',
		String.raw`before${esc}]2;pwned${esc}\after`,
		'beforeafter',
	],
	['OSC 52 clipboard write', `x${esc}]52;c;cm0gLXJmIH4=${bel}y`, 'xy'],
	[
		'OSC 8 hyperlink keeps its text',
		`${esc}]8;;http://evil${esc}\\click${esc}]8;;${esc}\\`,
		'click',
	],
	['DCS string', String.raw`a${esc}Pq#0;2;0;0;0${esc}\b`, 'ab'],
	[
		'APC, PM and SOS strings',
		String.raw`a${esc}_apc${esc}\b${esc}^pm${esc}\c${esc}Xsos${esc}\d`,
		'abcd',
	],
	['single-character escapes', `${esc}c${esc}7a${esc}8${esc}(Bb${esc}#8`, 'ab'],
	['8-bit CSI and OSC', 'a\u009B31mb\u009D0;title\u009Cc', 'abc'],
	['unterminated OSC swallows the rest', `ok${esc}]0;never ends`, 'ok'],
	['lone ESC at the end', `ok${esc}`, 'ok'],
	['C0 controls and DEL', 'a\u0000b\u0008c\u007Fd\u001Ae', 'abcde'],
	[
		'bidi override and isolates',
		'user\u202Egpj.exe\u2066x\u2069',
		'usergpj.exex',
	],
	['zero-width and BOM', '\uFEFFz\u200Bw\u200Dj', 'zwj'],
	[
		'tag characters (text hidden in a flag)',
		'ok\u{E0001}\u{E0068}\u{E0069}\u{E007F}!',
		'ok!',
	],
	['whitespace collapsed', '  a\r\n\tb \u2028 c  ', 'a b c'],
	['plain unicode kept', 'café ☕ 日本 😀', 'café ☕ 日本 😀'],
	['lone surrogate shown as replacement', 'a\uD800b', 'a\uFFFDb'],
];

for (const [name, input, expected] of cases) {
	test(`sanitize: ${name}`, (t) => {
		const output = sanitize(input);
		t.is(output, expected);
		t.false(hasUnsafeCharacter(output));
	});
}

test('sanitize: invalid UTF-8 bytes become one visible placeholder per run', (t) => {
	const bytes = Buffer.from([
		0x41, 0xff, 0xfe, 0xc0, 0x42, 0xc3, 0xa9, 0x00, 0x43,
	]);
	t.is(sanitize(bytes), 'A\uFFFDBéC');
});

test('sanitize: caps the length in code points, with an ellipsis', (t) => {
	t.is(sanitize('x'.repeat(500)), `${'x'.repeat(119)}…`);
	t.is(sanitize('abcdef', 4), 'abc…');
	t.is(sanitize('abcd', 4), 'abcd');
	t.is(sanitize('😀'.repeat(10), 3), '😀😀…');
	t.is(sanitize('abc', 0), '');
	t.is(sanitize('ab cd', 4), 'ab…');
});

test('sanitize: a megabyte of hostile bytes comes out short and inert', (t) => {
	const hostile = Buffer.concat([
		Buffer.from(
			`SSH-2.0-${esc}[31mevil${esc}]0;title${bel}${esc}]52;c;QUJD${esc}\\`,
		),
		Buffer.alloc(1024 * 1024, 0x41),
		Buffer.from(Array.from({length: 256}, (_, byte) => byte)),
	]);
	const output = sanitize(hostile);
	t.true(output.startsWith('SSH-2.0-evilAAAA'));
	t.is([...output].length, 120);
	t.false(hasUnsafeCharacter(output));
	t.false(output.includes('title'));
});

test('sanitize: every byte value alone leaves nothing unsafe', (t) => {
	for (let byte = 0; byte < 256; byte++) {
		t.false(
			hasUnsafeCharacter(sanitize(Buffer.from([0x61, byte, 0x62]))),
			`byte ${byte}`,
		);
		t.false(
			hasUnsafeCharacter(sanitize(`a${String.fromCodePoint(byte)}b`)),
			`code point ${byte}`,
		);
	}
});
