import {emptyLine, type Line} from './line-editor.js';

/**
 * The open prompt's line (its text and cursor), held outside the dashboard's state: the prompt
 * line subscribes to it, so a key typed into `/` or `:` draws that line
 * alone, not the dashboard around it. The dashboard hears of the search once typing pauses (see
 * useDashboardKeys), and of the host on Enter.
 */
export type PromptText = {
	readonly get: () => Line;
	readonly set: (line: Line) => void;
	readonly subscribe: (listener: () => void) => () => void;
};

export function createPromptText(): PromptText {
	let line = emptyLine;
	const listeners = new Set<() => void>();
	return {
		get: () => line,
		set(next) {
			if (next.value === line.value && next.cursor === line.cursor) {
				return;
			}

			line = next;
			for (const listener of listeners) {
				listener();
			}
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => {
				listeners.delete(listener);
			};
		},
	};
}
