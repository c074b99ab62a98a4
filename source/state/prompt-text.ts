import {emptyLine, type Line} from './line-editor.js';
import {createValueStore, type ValueStore} from './value-store.js';

/**
 * The open prompt's line (its text and cursor), held outside the dashboard's state: the prompt
 * line subscribes to it, so a key typed into `/` or `:` draws that line alone, not the dashboard
 * around it. The dashboard hears of the search once typing pauses (see useDashboardKeys), and of
 * the host on Enter.
 */
export type PromptText = ValueStore<Line>;

export const createPromptText = (): PromptText => createValueStore(emptyLine);
