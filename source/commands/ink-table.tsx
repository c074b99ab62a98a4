import {renderToString} from 'ink';
import {
	FittedTable,
	type FittedTableProps,
} from '../components/fitted-table.js';

/** The table as FittedTable draws it through Ink and ink-table, as text. */
export function inkTable<Key extends string>({
	columns,
	rows,
	colorOf,
	width,
	isColor,
}: Pick<
	FittedTableProps<Key>,
	'columns' | 'rows' | 'colorOf' | 'width' | 'isColor'
>): string {
	return renderToString(
		<FittedTable
			columns={columns}
			rows={rows}
			width={width}
			isColor={isColor}
			colorOf={colorOf}
		/>,
		{columns: width},
	);
}
