import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {Pane, type PaneFrame} from './pane.js';
import {TableRow, type CellStyle, type TableColumn} from './table-row.js';

export type TablePaneProps = PaneFrame & {
	readonly columns: readonly TableColumn[];
	readonly heading: readonly string[];
	/** The rows in view, in order: one keyed element each. */
	readonly rows: readonly ReactNode[];
	/** Said in the pane when there are no rows. */
	readonly emptyText?: string;
};

const headingStyle: CellStyle = {isBold: true};

/** A bordered pane that holds a table: the heading in bold, then the rows in view or why there are none. */
export function TablePane({
	columns,
	heading,
	rows,
	emptyText,
	...pane
}: TablePaneProps) {
	return (
		<Pane {...pane}>
			<TableRow columns={columns} cells={heading} rowStyle={headingStyle} />
			{rows.length === 0 && emptyText !== undefined ? (
				// Wrapped, not cut: a narrow pane still says all of why it is empty (`did you mean ...`).
				<Box paddingX={1}>
					<Text dimColor wrap="wrap">
						{emptyText}
					</Text>
				</Box>
			) : (
				rows
			)}
		</Pane>
	);
}
