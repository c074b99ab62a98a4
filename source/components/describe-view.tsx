import {Box, Text} from 'ink';
import {memo} from 'react';
import type {DescribeLine} from './describe-text.js';
import {Pane} from './pane.js';
import {textWindow} from './text-window.js';

export type DescribeViewProps = {
	readonly width: number;
	readonly height: number;
	readonly isAscii: boolean;
	readonly isColor: boolean;
	readonly lines: readonly DescribeLine[];
	/** The first line shown (the caller keeps it within `maxTextTop`). */
	readonly top: number;
};

/** The selected port in full, in place of the panes; j and k scroll it, Esc closes it. */
function DescribeViewView({
	width,
	height,
	isAscii,
	isColor,
	lines,
	top,
}: DescribeViewProps) {
	const {shown, rows, where} = textWindow(lines, top, height);
	return (
		<Pane
			isFocused
			width={width}
			height={height}
			isAscii={isAscii}
			isColor={isColor}
		>
			<Box flexDirection="column" height={rows} overflow="hidden">
				{shown.map((line, index) =>
					// Lines repeat (blank ones); their place in the window is their identity.
					line.text === '' ? (
						// eslint-disable-next-line react/no-array-index-key
						<Box key={index} height={1} />
					) : (
						// eslint-disable-next-line react/no-array-index-key
						<Text key={index} wrap="truncate" bold={line.isHeading}>
							{` ${line.text}`}
						</Text>
					),
				)}
			</Box>
			<Text dimColor wrap="truncate">
				{` Esc closes, Space pins${where}`}
			</Text>
		</Pane>
	);
}

export const DescribeView = memo(DescribeViewView);
