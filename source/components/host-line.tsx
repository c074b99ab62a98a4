import {Box, Text} from 'ink';
import {memo} from 'react';
import type {HostSummary} from '../hooks/use-dashboard.js';
import {colorOf, usePalette} from './theme-context.js';

export type HostLineProps = {
	readonly width: number;
	readonly hosts: readonly HostSummary[];
	readonly isColor: boolean;
};

/** A host's figures: what its running watch observed, `pending` before its first answer. */
function figures({counts, error, isIdle}: HostSummary): string {
	if (isIdle) {
		return '';
	}

	if (counts.observed === 0) {
		return error === undefined ? ' pending' : ' error';
	}

	return ` ${counts.open} open`;
}

/**
 * Several hosts at once: each with what its watch reads now (`db1 3 open · db2 2 open 1 down`),
 * the shown one marked; `h` and `H` go through them. Down is the alarm colour, as in the header.
 */
function HostLineView({width, hosts, isColor}: HostLineProps) {
	const palette = usePalette();
	return (
		<Box width={width} height={1} flexShrink={0} overflow="hidden">
			<Text wrap="truncate">
				<Text dimColor>{'hosts (h) '}</Text>
				{hosts.map((summary, index) => (
					<Text key={summary.host}>
						{index > 0 ? ' · ' : ''}
						<Text bold={summary.isShown} inverse={summary.isShown}>
							{summary.host}
						</Text>
						{figures(summary)}
						{summary.counts.down > 0 ? (
							<Text
								bold
								inverse={!isColor}
								color={isColor ? colorOf(palette, 'alarm') : undefined}
							>
								{` ${summary.counts.down} down`}
							</Text>
						) : undefined}
					</Text>
				))}
			</Text>
		</Box>
	);
}

export const HostLine = memo(HostLineView);
