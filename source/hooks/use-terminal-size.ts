import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

export type TerminalSize = {readonly columns: number; readonly rows: number};

const fallback: TerminalSize = {columns: 80, rows: 24};

const read = (stdout: NodeJS.WriteStream): TerminalSize => ({
	columns: stdout.columns || fallback.columns,
	rows: stdout.rows || fallback.rows,
});

/**
 * The terminal's size, kept current on `resize`. Called once at the root and handed down, so one
 * listener serves the whole dashboard.
 */
export function useTerminalSize(): TerminalSize {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => read(stdout));

	useEffect(() => {
		const onResize = () => {
			const next = read(stdout);
			// The same object when nothing changed: a spurious resize must not redraw.
			setSize((previous) =>
				previous.columns === next.columns && previous.rows === next.rows
					? previous
					: next,
			);
		};

		// The size may have changed between the first render and this subscription.
		onResize();
		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);

	return size;
}
