import {Box, Text} from 'ink';
import {memo, useLayoutEffect, useState} from 'react';
import stringWidth from 'string-width';
import type {PromptText} from '../state/prompt-text.js';
import {colorOf, usePalette} from './theme-context.js';

export type PromptLineProps = {
	readonly width: number;
	/** Which text input has the keys, if any. */
	readonly prompt: 'none' | 'search' | 'target';
	/** The open prompt's line: read here, so that a key draws this line alone. */
	readonly text: PromptText;
	/** The search the rows follow, shown while no prompt is open. */
	readonly query: string;
	/** Said in place of the idle hint: a refused host, a host being resolved, a notice. */
	readonly message: string | undefined;
	readonly isError: boolean;
	readonly isColor: boolean;
};

type LineInputProps = {
	readonly label: string;
	readonly text: PromptText;
	readonly placeholder: string;
	readonly width: number;
};

/**
 * An open prompt: the text with the cursor drawn inverse on the character it stands before, and
 * the placeholder while empty (as ink-text-input draws them). Its keys are read by
 * useDashboardKeys, not here: see there why ink-text-input's own handling could not be kept.
 * A line wider than the row scrolls so that the cursor stays in view.
 */
function LineInputView({label, text, placeholder, width}: LineInputProps) {
	// State, not useSyncExternalStore: a store's update renders at once, a frame per read of the
	// terminal, where a state update waits for the scheduler and the keys read meanwhile share one
	// frame (on a loaded machine, a frame a key fell behind: p95 2x).
	const [{value, cursor}, setLine] = useState(text.get);
	useLayoutEffect(() => {
		const update = () => {
			setLine(text.get());
		};

		const unsubscribe = text.subscribe(update);
		// A key read between this render and the subscription.
		update();
		return unsubscribe;
	}, [text]);
	const characters = [...value];
	const room = Math.max(1, width - stringWidth(label) - 1);
	let start = 0;
	while (
		start < cursor &&
		stringWidth(characters.slice(start, cursor).join('')) >= room
	) {
		start++;
	}

	return (
		<Box width={width} height={1} flexShrink={0} overflow="hidden">
			<Text bold>{label}</Text>
			{value === '' ? (
				<Text wrap="truncate">
					<Text inverse>{placeholder.slice(0, 1)}</Text>
					<Text dimColor>{placeholder.slice(1)}</Text>
				</Text>
			) : (
				<Text wrap="truncate">
					{characters.slice(start, cursor).join('')}
					<Text inverse>{characters[cursor] ?? ' '}</Text>
					{characters.slice(cursor + 1).join('')}
				</Text>
			)}
		</Box>
	);
}

// A key draws this alone; the search settling draws the line around it, not this again.
const LineInput = memo(LineInputView);

/** The search line: a text input while searching or choosing a host, otherwise the query and a hint. */
function PromptLineView({
	width,
	prompt,
	text,
	query,
	message,
	isError,
	isColor,
}: PromptLineProps) {
	const palette = usePalette();
	if (prompt === 'search') {
		return (
			<LineInput
				label="/ "
				text={text}
				placeholder="port, name, daemon or word"
				width={width}
			/>
		);
	}

	if (prompt === 'target') {
		return (
			<LineInput
				label="host: "
				text={text}
				placeholder="name or address (Up: earlier hosts)"
				width={width}
			/>
		);
	}

	if (message) {
		return (
			<Box width={width} height={1} flexShrink={0} overflow="hidden">
				<Text
					wrap="truncate"
					bold={isError}
					color={isColor && isError ? colorOf(palette, 'alarm') : undefined}
				>
					{message}
				</Text>
			</Box>
		);
	}

	return (
		<Box width={width} height={1} flexShrink={0} overflow="hidden">
			{query ? (
				<Text wrap="truncate">
					<Text bold>{`/${query}`}</Text>
					<Text dimColor>{'  (/ to edit, Esc in it to clear)'}</Text>
				</Text>
			) : (
				<Text dimColor wrap="truncate">
					/ to search the catalogue, : to change the host
				</Text>
			)}
		</Box>
	);
}

export const PromptLine = memo(PromptLineView);
