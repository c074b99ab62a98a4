/**
 * Colours that point at risk, readable on the terminal's background. Every colour is an index of
 * xterm's 256-colour palette, so its contrast can be computed (WCAG 2: relative luminance, 4.5:1
 * for text) and is checked by a test. Few colours pass on both black and white (luminance must lie
 * between 0.175 and 0.183); the `auto` palette, used when the background is not known, holds only
 * those; `dark` and `light` are brighter, each checked against its own background and never used
 * on the other.
 */

export type ThemeName = 'auto' | 'dark' | 'light';

export const themeNames: readonly ThemeName[] = ['auto', 'dark', 'light'];

/** What a colour means, not which it is. */
export type ColorRole =
	/** Open on an insecure or obsolete service, an unexpected owner, a port that went down, an error. */
	| 'alarm'
	/** Worth a look: a `caution` verdict, no answer (filtered), unreachable, a late sweep. */
	| 'caution'
	/** As it should be: a `secure` verdict, the expected daemon, sweeps on time. */
	| 'ok'
	/** Nothing here: a closed port. */
	| 'neutral'
	/** The focused pane's border, table headings. */
	| 'accent';

export type Palette = Readonly<Record<ColorRole, string>>;

/** Ink's name for palette index `index`. */
const ansi = (index: number) => `ansi256(${index})`;

export const palettes: Readonly<Record<ThemeName, Palette>> = {
	// The only palette entries at 4.5:1 on both: #af5f5f, #d700af, #00875f, #767676, #5f5fff.
	auto: {
		alarm: ansi(131),
		caution: ansi(163),
		ok: ansi(29),
		neutral: ansi(243),
		accent: ansi(63),
	},
	dark: {
		alarm: ansi(9),
		caution: ansi(11),
		ok: ansi(10),
		neutral: ansi(8),
		accent: ansi(14),
	},
	light: {
		alarm: ansi(1),
		caution: ansi(94),
		ok: ansi(28),
		neutral: ansi(240),
		accent: ansi(4),
	},
};

/** The background each palette is drawn on; `auto` must read on both. */
export const backgroundsOf: Readonly<Record<ThemeName, readonly Rgb[]>> = {
	auto: [
		[0, 0, 0],
		[255, 255, 255],
	],
	dark: [[0, 0, 0]],
	light: [[255, 255, 255]],
};

export type Rgb = readonly [number, number, number];

/** Xterm's default 16 colours (XTerm-col.ad), then the 6x6x6 cube and the grey ramp. */
const basic: readonly Rgb[] = [
	[0, 0, 0],
	[205, 0, 0],
	[0, 205, 0],
	[205, 205, 0],
	[0, 0, 238],
	[205, 0, 205],
	[0, 205, 205],
	[229, 229, 229],
	[127, 127, 127],
	[255, 0, 0],
	[0, 255, 0],
	[255, 255, 0],
	[92, 92, 255],
	[255, 0, 255],
	[0, 255, 255],
	[255, 255, 255],
];
const cubeLevels = [0, 95, 135, 175, 215, 255] as const;

/** The RGB of an xterm palette index. */
export function xtermRgb(index: number): Rgb {
	if (index < 16) {
		return basic[index]!;
	}

	if (index < 232) {
		const n = index - 16;
		return [
			cubeLevels[Math.floor(n / 36)]!,
			cubeLevels[Math.floor(n / 6) % 6]!,
			cubeLevels[n % 6]!,
		];
	}

	const grey = 8 + 10 * (index - 232);
	return [grey, grey, grey];
}

/** The RGB of a palette colour as Ink takes it (`ansi256(131)`). */
export function colorRgb(color: string): Rgb {
	const index = /^ansi256\((?<index>\d+)\)$/v.exec(color)?.groups?.['index'];
	if (index === undefined) {
		throw new Error(`not a palette colour: ${color}`);
	}

	return xtermRgb(Number(index));
}

const channel = (value: number) => {
	const c = value / 255;
	return c <= 0.039_28 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

/** WCAG 2 relative luminance. */
export const luminance = ([r, g, b]: Rgb) =>
	0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);

/** WCAG 2 contrast ratio, 1 to 21. */
export function contrast(a: Rgb, b: Rgb): number {
	const [light, dark] = [luminance(a), luminance(b)].toSorted((x, y) => y - x);
	return (light! + 0.05) / (dark! + 0.05);
}

/**
 * The background from COLORFGBG (`15;0`, `0;15`, `15;default;0`: rxvt's, also set by Konsole and
 * others): its last field is the background's palette index; 0-6 and 8 are dark, 7 and 9-15
 * light. Undefined when unset or unreadable.
 */
export function themeFromColorFgBg(
	value: string | undefined,
): 'dark' | 'light' | undefined {
	const background = value?.split(';').at(-1);
	if (background === undefined || !/^\d{1,2}$/v.test(background)) {
		return undefined;
	}

	const index = Number(background);
	if (index > 15) {
		return undefined;
	}

	return index === 7 || index >= 9 ? 'light' : 'dark';
}

/** `--theme` wins; else COLORFGBG; else `auto` (colours that read on either). */
export function chooseTheme(
	flag: 'dark' | 'light' | undefined,
	env: Readonly<Record<string, string | undefined>>,
): ThemeName {
	return flag ?? themeFromColorFgBg(env['COLORFGBG']) ?? 'auto';
}
