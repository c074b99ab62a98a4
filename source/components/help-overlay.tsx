import {Text} from 'ink';
import {memo} from 'react';
import stringWidth from 'string-width';
import {layLines} from './format.js';
import {Pane} from './pane.js';
import {maxTextTop, textWindow} from './text-window.js';
import {expectedMark} from './row-marks.js';

/** Every key: short enough that two columns fit in 80. Add a key here and in the README's table. */
const keys: ReadonlyArray<readonly [string, string]> = [
	['j k', 'move (Up Down too)'],
	['PgUp PgDn', 'a page up or down'],
	['g G', 'first, last (Home End)'],
	['/', 'search (Enter keeps it)'],
	['t u a', 'TCP only, UDP only, all'],
	['o', 'open ports only'],
	['s', 'sort: port/state/verdict'],
	['Tab S-Tab', 'next pane; details follow'],
	['Space', 'pin/unpin: stays watched'],
	['Enter', 'describe the port in full'],
	['w', 'only the pinned ports'],
	['l', "this machine's sockets"],
	['e', 'event log (p: pinned only)'],
	['h H :', 'next/previous host; change'],
	['+ -', 'poll less or more often'],
	['b', 'bell when a port changes'],
	['Ctrl-L', 'redraw the whole screen'],
	['?', 'this help (j k scroll it)'],
	['Esc', 'close a view, clear search'],
	['q Ctrl-C', 'quit'],
];

/** One line each at 80 columns. */
const legend: readonly string[] = [
	'in / and : Ctrl-A E U K W, Alt-B F, Home End edit; in : Up Down recall hosts',
	'The strip below follows the focus (Tab): the entry, or its probe and holder',
	'bold port: privileged (root binds it)   * pinned   > selected',
	"verdict: secure, caution, insecure, obsolete (narrow: the name's colour)",
	'closed is neutral; open on an insecure or obsolete service is the alarm',
	'open?: UDP silence, open or dropped   who: {yes} expected daemon, {no} another',
	'live: sweeps arrive on time; else the age of the last one',
];

const keyWidth = Math.max(...keys.map(([key]) => stringWidth(key))) + 2;
const keyLine = ([key, what]: readonly [string, string]) =>
	`${key.padEnd(keyWidth)}${what}`;
const widestKeyLine = Math.max(...keys.map((key) => stringWidth(keyLine(key))));

export type HelpLine = {readonly text: string; readonly isLegend: boolean};

/**
 * The help's lines for a pane `width` cells wide: the keys in two columns where they fit side by
 * side, else one; then the legend, wrapped. Nothing is cut: what does not fit the height scrolls.
 */
export function helpLines(width: number, isAscii = false): HelpLine[] {
	const inner = width - 4;
	const isTwoColumns = inner >= widestKeyLine * 2 + 2;
	const lines: HelpLine[] = [];
	if (isTwoColumns) {
		const half = Math.ceil(keys.length / 2);
		const columnWidth = Math.floor(inner / 2);
		for (let index = 0; index < half; index++) {
			const right = keys[index + half];
			lines.push({
				text: `${keyLine(keys[index]!).padEnd(columnWidth)}${right ? keyLine(right) : ''}`.trimEnd(),
				isLegend: false,
			});
		}
	} else {
		lines.push(...keys.map((key) => ({text: keyLine(key), isLegend: false})));
	}

	lines.push({text: '', isLegend: true});
	for (const line of legend) {
		const text = line
			.replace('{yes}', expectedMark(true, isAscii))
			.replace('{no}', expectedMark(false, isAscii));
		if (stringWidth(text) <= inner) {
			lines.push({text, isLegend: true});
			continue;
		}

		lines.push(
			...layLines([text], inner, 100).map((line, index) => ({
				text: index === 0 ? line : `  ${line}`,
				isLegend: true,
			})),
		);
	}

	return lines;
}

/** The last first line of the help that still fills the pane. */
export const maxHelpTop = (width: number, height: number, isAscii = false) =>
	maxTextTop(helpLines(width, isAscii).length, height);

export type HelpOverlayProps = {
	readonly width: number;
	readonly height: number;
	readonly isAscii: boolean;
	readonly isColor: boolean;
	/** The first line shown. */
	readonly top?: number;
};

/** Every key, and how to read the screen; scrolls (j k) where the terminal is too short for it. */
function HelpOverlayView({
	width,
	height,
	isAscii,
	isColor,
	top = 0,
}: HelpOverlayProps) {
	const lines = helpLines(width, isAscii);
	const {shown, rows, where} = textWindow(lines, top, height);
	return (
		<Pane
			isFocused
			width={width}
			height={height}
			isAscii={isAscii}
			isColor={isColor}
		>
			{shown.map((line, index) => (
				<Text
					// Lines of the legend can repeat their text; the window's order is stable.
					// eslint-disable-next-line react/no-array-index-key
					key={index}
					wrap="truncate"
					dimColor={line.isLegend}
				>
					{` ${line.text}`}
				</Text>
			))}
			{shown.length < rows ? (
				<Text>{'\n'.repeat(rows - shown.length - 1)}</Text>
			) : undefined}
			<Text dimColor wrap="truncate">
				{` ? Esc close this help${where}`}
			</Text>
		</Pane>
	);
}

export const HelpOverlay = memo(HelpOverlayView);
