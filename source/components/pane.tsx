import {Box} from 'ink';
import type {ReactNode} from 'react';
import {colorOf, usePalette} from './theme-context.js';

// A focused pane in ASCII: `=` rules, so focus shows without colour or box-drawing characters.
const asciiFocused = {
	topLeft: '+',
	top: '=',
	topRight: '+',
	right: '|',
	bottomRight: '+',
	bottom: '=',
	bottomLeft: '+',
	left: '|',
} as const;

/** The size and look of a pane, which every pane takes from the layout. */
export type PaneFrame = {
	readonly width: number;
	readonly height: number;
	readonly isFocused: boolean;
	readonly isAscii: boolean;
	readonly isColor: boolean;
};

export type PaneProps = PaneFrame & {
	readonly children?: ReactNode;
};

/** A bordered pane of a fixed size: heavy (or `=`) lines and colour mark the pane the keys act on. */
export function Pane({
	width,
	height,
	isFocused,
	isAscii,
	isColor,
	children,
}: PaneProps) {
	const palette = usePalette();
	const style = isAscii
		? isFocused
			? asciiFocused
			: 'classic'
		: isFocused
			? 'bold'
			: 'single';
	return (
		<Box
			flexDirection="column"
			flexShrink={0}
			width={width}
			height={height}
			overflow="hidden"
			borderStyle={style}
			borderColor={
				isColor && isFocused ? colorOf(palette, 'accent') : undefined
			}
			borderDimColor={isColor ? !isFocused : false}
		>
			{children}
		</Box>
	);
}
