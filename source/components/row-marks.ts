import type {CellStyle} from './table-row.js';

// One object each, so a row whose selection did not change hands its table the same style.
const focusedSelection: CellStyle = {isInverse: true};
const unfocusedSelection: CellStyle = {isUnderline: true};

/** The selected row: reverse in the pane the keys act on, underlined in the other. */
export const selectionStyle = (
	isSelected: boolean,
	isFocused: boolean,
): CellStyle | undefined =>
	isSelected ? (isFocused ? focusedSelection : unfocusedSelection) : undefined;

/** The first cell of a row: `>` where it is selected, `*` where its port is pinned. */
export const markCell = (isSelected: boolean, isPinned: boolean) =>
	`${isSelected ? '>' : ' '}${isPinned ? '*' : ' '}`;

const privileged: CellStyle = {isBold: true};
const unprivileged: CellStyle = {};

/** Privileged ports (root binds them) in bold: colour is kept for risk. */
export const privilegedStyle = (isPrivileged: boolean): CellStyle =>
	isPrivileged ? privileged : unprivileged;

const expectedMarks = {
	unicode: {yes: '✓', no: '✗'},
	ascii: {yes: 'ok', no: '!'},
};

/** Whether the process on a port is a daemon the catalogue expects there; empty where that cannot be said. */
export function expectedMark(
	isExpected: boolean | undefined,
	isAscii: boolean,
): string {
	const marks = isAscii ? expectedMarks.ascii : expectedMarks.unicode;
	return isExpected === undefined ? '' : isExpected ? marks.yes : marks.no;
}
