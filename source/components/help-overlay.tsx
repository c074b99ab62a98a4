import {Box, Text} from 'ink';
import {memo} from 'react';
import stringWidth from 'string-width';
import {Pane} from './pane.js';

const keys: ReadonlyArray<readonly [string, string]> = [
	['j k  Up Down', 'move the selection'],
	['PgUp PgDn', 'a page up or down'],
	['g G  Home End', 'first, last'],
	['/', 'search: type filters, Enter keeps, Esc clears'],
	['/ :  editing', 'Ctrl-A E U K W, Alt-B F; Up Down: hosts in :'],
	['t  u  a', 'TCP only, UDP only, all'],
	['o  s', 'open ports only; sort by port, state, verdict'],
	['Tab  Shift-Tab', 'next pane: catalogue, live, events'],
	['Space  Enter', 'pin or unpin: pinned ports stay watched'],
	['w  l', "the watch list only; this machine's sockets"],
	['e', 'the event log in full (p: pinned ports only)'],
	[':', 'change the target host (Esc cancels)'],
	['+  -  b', 'poll less or more often; bell on changes'],
	['?  q  Ctrl-C', 'this help (? or Esc closes); quit'],
];

const legend: readonly string[] = [
	'bold port: privileged (below 1024, root binds it)   * pinned   > selected',
	'verdict: secure, caution, insecure, obsolete (ok, warn, bad, old)',
	'open? : UDP silence, either open or dropped on the way',
	'live: sweeps arrive on time; else the age of the last one',
	'who: the process here (expected daemon or not), else what answered',
];

export type HelpOverlayProps = {
	readonly width: number;
	readonly height: number;
	readonly isAscii: boolean;
	readonly isColor: boolean;
};

/** Every key, and how to read the screen; two columns when the pane is too short for one. */
function HelpOverlayView({width, height, isAscii, isColor}: HelpOverlayProps) {
	const inner = height - 2;
	const keyWidth = Math.max(...keys.map(([key]) => stringWidth(key))) + 2;
	const lines = [
		...keys.map(([key, what]) => ({
			text: `${key.padEnd(keyWidth)}${what}`,
			isLegend: false,
		})),
		...legend.map((text) => ({text, isLegend: true})),
	];
	const columnCount = lines.length > inner ? 2 : 1;
	const perColumn = Math.ceil(lines.length / columnCount);
	const columns = Array.from({length: columnCount}, (_, index) =>
		lines.slice(index * perColumn, (index + 1) * perColumn),
	);
	const columnWidth = Math.floor((width - 2) / columnCount);
	return (
		<Pane
			isFocused
			width={width}
			height={height}
			isAscii={isAscii}
			isColor={isColor}
		>
			<Box flexDirection="row">
				{columns.map((column) => (
					<Box
						key={column[0]?.text ?? ''}
						flexDirection="column"
						width={columnWidth}
						overflow="hidden"
					>
						{column.slice(0, inner).map((line) => (
							<Text key={line.text} wrap="truncate" dimColor={line.isLegend}>
								{` ${line.text}`}
							</Text>
						))}
					</Box>
				))}
			</Box>
		</Pane>
	);
}

export const HelpOverlay = memo(HelpOverlayView);
