import process from 'node:process';
import type {FittedTableProps} from '../components/fitted-table.js';
import {isColorWanted} from '../text/color.js';
import {formatPlainTable} from '../text/fit.js';

/**
 * Rows as a table on standard output: on a terminal an ink-table fitted to its width, in a pipe
 * aligned plain text. Ink, React and ink-table load only for the terminal: a script that reads
 * `portui probe` through a pipe does not pay for them (about 45 ms of its start).
 */
export async function printTable<Key extends string>({
	columns,
	rows,
	colorOf,
}: Pick<FittedTableProps<Key>, 'columns' | 'rows' | 'colorOf'>): Promise<void> {
	if (!process.stdout.isTTY) {
		process.stdout.write(formatPlainTable(columns, rows));
		return;
	}

	const [{renderToString}, {FittedTable}] = await Promise.all([
		import('ink'),
		import('../components/fitted-table.js'),
	]);
	const width = process.stdout.columns || 80;
	process.stdout.write(
		renderToString(
			<FittedTable
				columns={columns}
				rows={rows}
				width={width}
				isColor={isColorWanted()}
				colorOf={colorOf}
			/>,
			{columns: width},
		) + '\n',
	);
}
