import {Box, Text} from 'ink';
import {memo, useMemo} from 'react';
import type {CatalogueEntry} from '../catalogue/types.js';
import type {Focus, Mode} from '../hooks/dashboard-state.js';
import type {ListenerItem} from '../hooks/listener-items.js';
import type {LiveRow} from '../hooks/live-state.js';
import type {LocalOwner} from '../hooks/local-target.js';
import {entryDetail, liveDetail, socketDetail} from './detail-text.js';

export type DetailStripProps = {
	readonly width: number;
	readonly height: number;
	readonly isAscii: boolean;
	readonly mode: Mode;
	readonly focus: Focus;
	readonly host: string;
	readonly isLocal: boolean;
	readonly entry: CatalogueEntry | undefined;
	/** The live probe of the selected entry's port. */
	readonly row: LiveRow | undefined;
	readonly owner: LocalOwner | undefined;
	/** The selected socket in the listeners view. */
	readonly listener: ListenerItem | undefined;
};

/**
 * The selected row in full, under the panes: the catalogue entry, or with the live pane focused
 * its probe, or in the listeners view the socket.
 */
function DetailStripView({
	width,
	height,
	isAscii,
	mode,
	focus,
	host,
	isLocal,
	entry,
	row,
	owner,
	listener,
}: DetailStripProps) {
	const lines = useMemo(() => {
		const options = {width, lines: height, isAscii};
		if (mode === 'listeners') {
			return listener
				? socketDetail(
						listener.socket,
						listener.entry,
						listener.isExpected,
						options,
					)
				: [];
		}

		if (!entry) {
			return [];
		}

		if (focus === 'live') {
			return liveDetail(
				{
					entry,
					host,
					row,
					socket: owner?.socket,
					isLocal,
					isExpected: owner?.isExpected,
				},
				options,
			);
		}

		return entryDetail(entry, options);
	}, [
		width,
		height,
		isAscii,
		mode,
		focus,
		host,
		isLocal,
		entry,
		row,
		owner,
		listener,
	]);

	return (
		<Box
			flexDirection="column"
			height={height}
			flexShrink={0}
			overflow="hidden"
		>
			{/* Lines are laid to the width already: nothing wraps. */}
			<Text bold>{lines[0] ?? ''}</Text>
			<Text>{lines.slice(1).join('\n')}</Text>
		</Box>
	);
}

export const DetailStrip = memo(DetailStripView);
