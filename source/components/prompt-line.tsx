import {Box, Text} from 'ink';
import {memo} from 'react';
import stringWidth from 'string-width';
import {colorOf, usePalette} from './theme-context.js';

export type PromptLineProps = {
	readonly width: number;
	/** Which text input has the keys, if any. */
	readonly prompt: 'none' | 'search' | 'target';
	readonly query: string;
	readonly targetDraft: string;
	/** Where the cursor stands in the open prompt's text, in code points. */
	readonly cursor: number;
	/** Said in place of the idle hint: a refused host, a host being resolved, a notice. */
	readonly message: string | undefined;
	readonly isError: boolean;
	readonly isColor: boolean;
};

type LineInputProps = {
	readonly label: string;
	readonly value: string;
	readonly cursor: number;
	readonly placeholder: string;
	readonly width: number;
};

/**
 * An open prompt: the text with the cursor drawn inverse on the character it stands before, and
 * the placeholder while empty (as ink-text-input draws them). Its keys are read by
 * useDashboardKeys, not here: see there why ink-text-input's own handling could not be kept.
 * A line wider than the row scrolls so that the cursor stays in view.
 */
function LineInput({label, value, cursor, placeholder, width}: LineInputProps) {
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

/** The search line: a text input while searching or choosing a host, otherwise the query and a hint. */
function PromptLineView({
	width,
	prompt,
	query,
	targetDraft,
	cursor,
	message,
	isError,
	isColor,
}: PromptLineProps) {
	const palette = usePalette();
	if (prompt === 'search') {
		return (
			<LineInput
				label="/ "
				value={query}
				cursor={cursor}
				placeholder="port, name, daemon or word"
				width={width}
			/>
		);
	}

	if (prompt === 'target') {
		return (
			<LineInput
				label="host: "
				value={targetDraft}
				cursor={cursor}
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
