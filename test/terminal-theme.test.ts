import test from 'ava';
import {
	backgroundsOf,
	chooseTheme,
	colorRgb,
	contrast,
	palettes,
	themeFromColorFgBg,
	themeNames,
	xtermRgb,
} from '../source/terminal/theme.js';

const black = [0, 0, 0] as const;
const white = [255, 255, 255] as const;

test('the contrast ratio is WCAG 2: 21 for black on white, 1 for a colour on itself', (t) => {
	t.is(contrast(black, white), 21);
	t.is(contrast(white, black), 21);
	t.is(contrast([118, 118, 118], [118, 118, 118]), 1);
	// Figures the issue measured with xterm's palette on white: yellow 1.7, cyan 2.0, green 2.2.
	t.is(Math.round(contrast(xtermRgb(3), white) * 10) / 10, 1.7);
	t.is(Math.round(contrast(xtermRgb(6), white) * 10) / 10, 2);
	t.is(Math.round(contrast(xtermRgb(2), white) * 10) / 10, 2.2);
});

test('xterm palette indices: the 16 colours, the cube and the grey ramp', (t) => {
	t.deepEqual(xtermRgb(1), [205, 0, 0]);
	t.deepEqual(xtermRgb(16), [0, 0, 0]);
	t.deepEqual(xtermRgb(131), [175, 95, 95]);
	t.deepEqual(xtermRgb(231), [255, 255, 255]);
	t.deepEqual(xtermRgb(243), [118, 118, 118]);
});

for (const name of themeNames) {
	test(`every colour of the ${name} theme reaches 4.5:1 on its background${name === 'auto' ? 's, black and white' : ''}`, (t) => {
		for (const [role, color] of Object.entries(palettes[name])) {
			for (const background of backgroundsOf[name]) {
				const ratio = contrast(colorRgb(color), background);
				t.true(
					ratio >= 4.5,
					`${name} ${role} ${color} on ${background.join(',')}: ${ratio.toFixed(2)}`,
				);
			}
		}
	});
}

test('the dark and light palettes are each for their own background: neither passes on the other', (t) => {
	const fails = (
		name: 'dark' | 'light',
		background: typeof black | typeof white,
	) =>
		Object.values(palettes[name]).some(
			(color) => contrast(colorRgb(color), background) < 4.5,
		);
	t.true(fails('dark', white));
	t.true(fails('light', black));
});

test('COLORFGBG names the background: 0-6 and 8 dark, 7 and 9-15 light, anything else unknown', (t) => {
	t.is(themeFromColorFgBg('15;0'), 'dark');
	t.is(themeFromColorFgBg('0;15'), 'light');
	t.is(themeFromColorFgBg('15;default;0'), 'dark');
	t.is(themeFromColorFgBg('0;7'), 'light');
	t.is(themeFromColorFgBg('7;8'), 'dark');
	t.is(themeFromColorFgBg('default;default'), undefined);
	t.is(themeFromColorFgBg('0;255'), undefined);
	t.is(themeFromColorFgBg(''), undefined);
	t.is(themeFromColorFgBg(undefined), undefined);
});

test('--theme wins over COLORFGBG; without either the colours that read on both', (t) => {
	t.is(chooseTheme('light', {COLORFGBG: '15;0'}), 'light');
	t.is(chooseTheme(undefined, {COLORFGBG: '15;0'}), 'dark');
	t.is(chooseTheme(undefined, {}), 'auto');
});
