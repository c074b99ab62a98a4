import {Box, Text} from 'ink';
import TextInput from 'ink-text-input';
import {memo} from 'react';
import {applyEdits} from '../state/key-commands.js';
import {colorOf, usePalette} from './theme-context.js';

export type PromptLineProps = {
	readonly width: number;
	/** Which text input has the keys, if any. */
	readonly prompt: 'none' | 'search' | 'target';
	readonly query: string;
	readonly targetDraft: string;
	/** Said in place of the idle hint: a refused host, a host being resolved, a notice. */
	readonly message: string | undefined;
	readonly isError: boolean;
	readonly isColor: boolean;
	readonly onQueryChange: (query: string) => void;
	readonly onQuerySubmit: () => void;
	readonly onTargetChange: (draft: string) => void;
	readonly onTargetSubmit: (host: string) => void;
};

/** The search line: a text input while searching or choosing a host, otherwise the query and a hint. */
function PromptLineView({
	width,
	prompt,
	query,
	targetDraft,
	message,
	isError,
	isColor,
	onQueryChange,
	onQuerySubmit,
	onTargetChange,
	onTargetSubmit,
}: PromptLineProps) {
	const palette = usePalette();
	if (prompt === 'search') {
		return (
			<Box width={width} height={1} flexShrink={0} overflow="hidden">
				<Text bold>{'/ '}</Text>
				<TextInput
					value={query}
					placeholder="port, name, daemon or word"
					onChange={(text) => {
						const edited = applyEdits(text);
						onQueryChange(edited.value);
						if (edited.isSubmitted) {
							onQuerySubmit();
						}
					}}
					onSubmit={() => {
						onQuerySubmit();
					}}
				/>
			</Box>
		);
	}

	if (prompt === 'target') {
		return (
			<Box width={width} height={1} flexShrink={0} overflow="hidden">
				<Text bold>{'host: '}</Text>
				<TextInput
					value={targetDraft}
					placeholder="name or address"
					onChange={(text) => {
						const edited = applyEdits(text);
						onTargetChange(edited.value);
						if (edited.isSubmitted) {
							onTargetSubmit(edited.value);
						}
					}}
					onSubmit={(host) => {
						onTargetSubmit(host);
					}}
				/>
			</Box>
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
