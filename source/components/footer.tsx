import {Box, Text} from 'ink';
import {memo} from 'react';
import type {Focus, Mode, Prompt} from '../state/dashboard-state.js';

export type FooterProps = {
	readonly width: number;
	readonly prompt: Prompt;
	readonly focus: Focus;
	readonly mode: Mode;
	readonly isHelpOpen: boolean;
};

type Hint = readonly [keys: string, what: string];

/** The keys that matter in this state, most useful first: those that do not fit are left out. */
export function footerHints({
	prompt,
	focus,
	mode,
	isHelpOpen,
}: Omit<FooterProps, 'width'>): readonly Hint[] {
	if (prompt === 'search') {
		return [
			['type', 'filter as you type'],
			['Enter', 'keep the query'],
			['Esc', 'clear it'],
		];
	}

	if (prompt === 'target') {
		return [
			['type', 'a host name or address'],
			['Enter', 'watch it'],
			['Esc', 'cancel'],
		];
	}

	if (isHelpOpen) {
		return [
			['? Esc', 'close help'],
			['q', 'quit'],
		];
	}

	const move: Hint =
		focus === 'events' ? ['j k', 'scroll events'] : ['j k', 'move'];
	const pin: Hint = ['Space', mode === 'watch' ? 'unpin' : 'pin'];
	return [
		move,
		['/', 'search'],
		['t u a', 'proto'],
		pin,
		['?', 'help'],
		['q', 'quit'],
		['l', mode === 'listeners' ? 'catalogue' : 'sockets'],
		['w', mode === 'watch' ? 'all entries' : 'watch list'],
		['Tab', 'pane'],
		[':', 'host'],
		['+ -', 'interval'],
	];
}

const hintWidth = ([keys, what]: Hint) => keys.length + 1 + what.length;

/** The hints that fit in `width`, two spaces apart, in their order of use: whole hints, never a cut one. */
export function fittingHints(hints: readonly Hint[], width: number): Hint[] {
	const kept: Hint[] = [];
	let used = 0;
	for (const hint of hints) {
		const needed = (kept.length > 0 ? 2 : 0) + hintWidth(hint);
		if (used + needed <= width) {
			kept.push(hint);
			used += needed;
		}
	}

	return kept;
}

/** The keys that matter now. */
function FooterView({width, ...state}: FooterProps) {
	const hints = fittingHints(footerHints(state), width);
	return (
		<Box width={width} height={1} flexShrink={0} overflow="hidden">
			<Text wrap="truncate">
				{hints.map(([keys, what], index) => (
					<Text key={keys}>
						{index > 0 ? '  ' : ''}
						<Text bold>{keys}</Text>
						<Text dimColor>{` ${what}`}</Text>
					</Text>
				))}
			</Text>
		</Box>
	);
}

export const Footer = memo(FooterView);
