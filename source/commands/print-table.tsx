import process from 'node:process';
import type {FittedTableProps} from '../components/fitted-table.js';
import {isColorWanted} from '../text/color.js';
import {plainTableLines, terminalTableLines} from '../text/fit.js';

/** Above this many rows a terminal table is written a line at a time instead of laid out by Ink. */
export const maxInkRows = 200;

/**
 * Lines to standard output a few hundred at a time: a pipe or a terminal is written
 * synchronously on Linux, so at most one chunk is held, whatever the size of the table.
 */
function writeLines(lines: Iterable<string>, stdout: NodeJS.WriteStream) {
	let chunk: string[] = [];
	for (const line of lines) {
		chunk.push(line);
		if (chunk.length === 512) {
			stdout.write(chunk.join('\n') + '\n');
			chunk = [];
		}
	}

	if (chunk.length > 0) {
		stdout.write(chunk.join('\n') + '\n');
	}
}

/**
 * Rows as a table on standard output: on a terminal a table fitted to its width, in a pipe
 * aligned plain text. Ink, React and ink-table draw a terminal table of up to `maxInkRows` rows
 * and load only for it (./ink-table.tsx, a script of its own in the build): a script that reads
 * `portui probe` through a pipe does not pay for them (about 45 ms of its start), and a larger
 * table is drawn line by line in the same look.
 */
export async function printTable<Key extends string>({
	columns,
	rows,
	colorOf,
}: Pick<FittedTableProps<Key>, 'columns' | 'rows' | 'colorOf'>): Promise<void> {
	const {stdout} = process;
	if (!stdout.isTTY) {
		writeLines(plainTableLines(columns, rows), stdout);
		return;
	}

	const width = stdout.columns || 80;
	const isColor = isColorWanted();
	if (rows.length > maxInkRows) {
		writeLines(
			terminalTableLines(columns, rows, {width, isColor, colorOf}),
			stdout,
		);
		return;
	}

	const {inkTable} = await import('./ink-table.js');
	stdout.write(inkTable({columns, rows, colorOf, width, isColor}) + '\n');
}
