import {Box, Text} from 'ink';
import {memo} from 'react';
import type {CatalogueEntry} from '../catalogue/types.js';
import type {Focus, Mode} from '../state/dashboard-state.js';
import type {ListenerItem} from '../state/listener-items.js';
import type {LiveRow} from '../state/live-state.js';
import type {LocalOwner} from '../state/local-target.js';
import {
	entryDetail,
	liveDetail,
	socketDetail,
	type DetailOptions,
} from './detail-text.js';

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

type Selection = Omit<DetailStripProps, 'width' | 'height' | 'isAscii'>;

/** The catalogue entry, or with the live pane focused its probe, or in the listeners view the socket. */
function detailLines(
	{mode, focus, host, isLocal, entry, row, owner, listener}: Selection,
	options: DetailOptions,
): string[] {
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
				verdict: owner?.verdict,
			},
			options,
		);
	}

	return entryDetail(entry, options);
}

/** The selected row in full, under the panes. */
function DetailStripView({
	width,
	height,
	isAscii,
	...selection
}: DetailStripProps) {
	// Every prop goes into the lines, and memo() renders only when a prop changed: no useMemo.
	const lines = detailLines(selection, {width, lines: height, isAscii});
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
