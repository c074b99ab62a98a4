import {Box, Text} from 'ink';
import {memo} from 'react';
import type {ProtocolFilter} from '../args.js';
import type {SweepClock} from '../state/sweep-clock.js';
import {useSweepAge} from '../hooks/use-sweep-age.js';
import type {StateCounts} from '../state/arrange-rows.js';
import {formatInterval} from './format.js';
import {colorOf, usePalette} from './theme-context.js';

export type HeaderProps = {
	readonly width: number;
	readonly host: string;
	/** Which address family answers, or why there is no answer: `IPv4 answers`. */
	readonly targetNote: string;
	readonly protocol: ProtocolFilter;
	/** `12/125`, `3 pinned`, `14 sockets`. */
	readonly count: string;
	/** What `o` and `s` changed: `open only · by state`, or ''. */
	readonly arrangement?: string;
	/** The watched ports that answer and those seen going down that have not come back. */
	readonly states?: StateCounts;
	readonly intervalMs: number;
	/** A protocol's cadence where it is not the interval: `{udp: '24s'}`. */
	readonly cadence: Readonly<Partial<Record<'tcp' | 'udp', string>>>;
	/** Nothing is watched: no sweep is due. */
	readonly isIdle: boolean;
	readonly isBellOn: boolean;
	readonly clock: SweepClock;
	readonly isColor: boolean;
	/**
	 * The host does not resolve: no sweep reaches it, so the header says that in the alarm colour
	 * where it would say `live` (a sweep of no address still completes on time).
	 */
	readonly isUnresolved?: boolean;
};

type SweepAgeProps = Pick<
	HeaderProps,
	'clock' | 'host' | 'intervalMs' | 'isIdle' | 'isColor'
>;

/** The only part of the screen that follows the clock: it re-renders when its text changes. */
function SweepAgeView({
	clock,
	host,
	intervalMs,
	isIdle,
	isColor,
}: SweepAgeProps) {
	const {label, isStale} = useSweepAge({clock, host, intervalMs, isIdle});
	const palette = usePalette();
	return (
		<Text
			wrap="truncate"
			bold={isStale}
			dimColor={isIdle}
			color={
				isColor && !isIdle
					? colorOf(palette, isStale ? 'caution' : 'ok')
					: undefined
			}
		>
			{label}
		</Text>
	);
}

const SweepAge = memo(SweepAgeView);

/** Target, filter, counts, interval and the age of the last sweep, on one line. */
function HeaderView({
	width,
	host,
	targetNote,
	protocol,
	count,
	arrangement,
	states,
	intervalMs,
	cadence,
	isIdle,
	isBellOn,
	clock,
	isColor,
	isUnresolved = false,
}: HeaderProps) {
	const counted = arrangement ? `${count} ${arrangement}` : count;
	const palette = usePalette();
	const every =
		cadence.tcp === undefined && cadence.udp === undefined
			? formatInterval(intervalMs)
			: `tcp ${cadence.tcp ?? formatInterval(intervalMs)} · udp ${cadence.udp ?? formatInterval(intervalMs)}`;
	return (
		<Box width={width} height={1} flexShrink={0} overflow="hidden">
			<Text wrap="truncate">
				<Text bold>portui</Text>
				{'  '}
				<Text bold>{host}</Text>
				{/* Idle, no interval is running: saying `every 2s` beside it would contradict it. */}
				{width >= 80
					? ` (${targetNote})  proto ${protocol}  ${counted}  ${isIdle ? '' : `every ${every}  `}`
					: ` (${targetNote})  ${protocol}  ${counted}  ${isIdle ? '' : `${every}  `}`}
			</Text>
			{states && states.observed > 0 && !isIdle ? (
				<Box flexShrink={0}>
					<Text>{`${states.open} open`}</Text>
					{states.down > 0 ? (
						<>
							<Text>{' · '}</Text>
							{/* Down until the port returns: the one figure that asks for action. */}
							<Text
								bold
								inverse={!isColor}
								color={isColor ? colorOf(palette, 'alarm') : undefined}
							>
								{`${states.down} down`}
							</Text>
						</>
					) : undefined}
					<Text>{'  '}</Text>
				</Box>
			) : undefined}
			<Box flexShrink={0}>
				{isUnresolved ? (
					<Text
						bold
						wrap="truncate"
						color={isColor ? colorOf(palette, 'alarm') : undefined}
					>
						no address
					</Text>
				) : (
					<SweepAge
						clock={clock}
						host={host}
						intervalMs={intervalMs}
						isIdle={isIdle}
						isColor={isColor}
					/>
				)}
				{isBellOn ? <Text>{'  bell'}</Text> : undefined}
			</Box>
		</Box>
	);
}

export const Header = memo(HeaderView);
