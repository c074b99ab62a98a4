import {Box, Text} from 'ink';
import TextInput from 'ink-text-input';
import {memo, type ReactNode} from 'react';
import {applyEdits} from '../hooks/key-commands.js';

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

/** One line of the terminal, cut at its width. */
function Line({
	width,
	children,
}: {
	readonly width: number;
	readonly children: ReactNode;
}) {
	return (
		<Box width={width} height={1} flexShrink={0} overflow="hidden">
			{children}
		</Box>
	);
}

type InputProps = {
	readonly label: string;
	readonly value: string;
	readonly placeholder: string;
	readonly onChange: (value: string) => void;
	readonly onSubmit: (value: string) => void;
};

/** A text input after its label; Enter inside a read of several keys (a paste) submits too. */
function Input({label, value, placeholder, onChange, onSubmit}: InputProps) {
	return (
		<>
			<Text bold>{label}</Text>
			<TextInput
				value={value}
				placeholder={placeholder}
				onChange={(text) => {
					const edited = applyEdits(text);
					onChange(edited.value);
					if (edited.isSubmitted) {
						onSubmit(edited.value);
					}
				}}
				onSubmit={onSubmit}
			/>
		</>
	);
}

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
	if (prompt === 'search') {
		return (
			<Line width={width}>
				<Input
					label="/ "
					value={query}
					placeholder="port, name, daemon or word"
					onChange={onQueryChange}
					onSubmit={onQuerySubmit}
				/>
			</Line>
		);
	}

	if (prompt === 'target') {
		return (
			<Line width={width}>
				<Input
					label="host: "
					value={targetDraft}
					placeholder="name or address"
					onChange={onTargetChange}
					onSubmit={onTargetSubmit}
				/>
			</Line>
		);
	}

	if (message) {
		return (
			<Line width={width}>
				<Text
					wrap="truncate"
					bold={isError}
					color={isColor && isError ? 'red' : undefined}
				>
					{message}
				</Text>
			</Line>
		);
	}

	return (
		<Line width={width}>
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
		</Line>
	);
}

export const PromptLine = memo(PromptLineView);
