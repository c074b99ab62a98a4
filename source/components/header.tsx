import {Box, Text} from 'ink';
import {memo} from 'react';
import type {ProtocolFilter} from '../args.js';
import type {SweepClock} from '../state/sweep-clock.js';
import {useSweepAge} from '../hooks/use-sweep-age.js';
import type {StateCounts} from '../state/arrange-rows.js';
import {cellWidth} from '../text/fit.js';
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

export type HeaderFit = {
	readonly host: string;
	readonly targetNote: string;
	readonly protocol: ProtocolFilter;
	readonly count: string;
	readonly arrangement?: string;
	/** `2s`, `tcp 2s · udp 24s`; undefined while idle (no interval runs). */
	readonly every: string | undefined;
	/** Cells the parts after the text take: the open and down counts, the sweep age, the bell. */
	readonly rightWidth: number;
	readonly width: number;
};

/** What gives way when the header does not fit, first to last. */
const givesWay = [
	'words',
	'same note',
	'protocol all',
	'note',
	'every',
	'brand',
	'open only',
] as const;

export type HeaderLine = {
	/** `portui` before the host: the first thing a crowded header leaves out. */
	readonly isBranded: boolean;
	/** What follows the host. */
	readonly text: string;
};

/**
 * The header's text around the host, made to fit: whole where it fits, and where it does not, the
 * least useful part gives way first: the words `proto` and `every`, an address that repeats the
 * host, the protocol while it filters nothing, the address, the interval, the name `portui`, then
 * `open only` turns into `open`. The filter and sort state, the counts and the age of the sweep
 * stay; a text still too long is cut at the margin.
 */
export function headerText({
	host,
	targetNote,
	protocol,
	count,
	arrangement = '',
	every,
	rightWidth,
	width,
}: HeaderFit): HeaderLine {
	let line: HeaderLine = {isBranded: true, text: ''};
	for (let given = 0; given <= givesWay.length; given++) {
		const gone = new Set(givesWay.slice(0, given));
		const isWordy = !gone.has('words');
		const isNoteShown = !(
			gone.has('note') ||
			(gone.has('same note') && targetNote === host)
		);
		const isProtocolShown = !(gone.has('protocol all') && protocol === 'all');
		const shownArrangement = gone.has('open only')
			? arrangement.replace('open only', 'open')
			: arrangement;
		const isBranded = !gone.has('brand');
		const text = [
			isNoteShown ? ` (${targetNote})` : '',
			isProtocolShown ? `  ${isWordy ? 'proto ' : ''}${protocol}` : '',
			`  ${shownArrangement ? `${count} ${shownArrangement}` : count}`,
			every === undefined || gone.has('every')
				? ''
				: `  ${isWordy ? 'every ' : ''}${every}`,
			'  ',
		].join('');
		line = {isBranded, text};
		if (
			cellWidth(`${isBranded ? 'portui  ' : ''}${host}${text}`) <=
			width - rightWidth
		) {
			return line;
		}
	}

	return line;
}

/** The open and down counts as the header shows them, before the sweep age: `3 open · 1 down  `. */
const statesText = (states: StateCounts) =>
	`${states.open} open${states.down > 0 ? ` · ${states.down} down` : ''}  `;

type AgeTextProps = {
	readonly label: string;
	readonly isStale: boolean;
	readonly isIdle: boolean;
	/** `no address` in the alarm colour where the age would be. */
	readonly isUnresolved: boolean;
	readonly isColor: boolean;
};

/** The age of the last sweep: `live`, `last sweep 12s ago` (stale, bold), or `no address`. */
function AgeText({
	label,
	isStale,
	isIdle,
	isUnresolved,
	isColor,
}: AgeTextProps) {
	const palette = usePalette();
	const role = isUnresolved ? 'alarm' : isStale ? 'caution' : 'ok';
	return (
		<Text
			bold={isUnresolved || isStale}
			wrap="truncate"
			dimColor={!isUnresolved && isIdle}
			color={
				isColor && (isUnresolved || !isIdle)
					? colorOf(palette, role)
					: undefined
			}
		>
			{label}
		</Text>
	);
}

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
	// The age decides how much room the rest has: it is read here, and changes its text seldom.
	const age = useSweepAge({clock, host, intervalMs, isIdle});
	const palette = usePalette();
	const every =
		cadence.tcp === undefined && cadence.udp === undefined
			? formatInterval(intervalMs)
			: `tcp ${cadence.tcp ?? formatInterval(intervalMs)} · udp ${cadence.udp ?? formatInterval(intervalMs)}`;
	const isStatesShown = states !== undefined && states.observed > 0 && !isIdle;
	const ageLabel = isUnresolved ? 'no address' : age.label;
	const line = headerText({
		host,
		targetNote,
		protocol,
		count,
		arrangement,
		// Idle, no interval is running: saying `every 2s` beside it would contradict it.
		every: isIdle ? undefined : every,
		rightWidth:
			(isStatesShown ? cellWidth(statesText(states)) : 0) +
			cellWidth(ageLabel) +
			(isBellOn ? 6 : 0),
		width,
	});
	return (
		<Box width={width} height={1} flexShrink={0} overflow="hidden">
			<Text wrap="truncate">
				{line.isBranded ? <Text bold>portui{'  '}</Text> : undefined}
				<Text bold>{host}</Text>
				{line.text}
			</Text>
			{isStatesShown ? (
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
				<AgeText
					label={ageLabel}
					isStale={age.isStale}
					isIdle={isIdle}
					isUnresolved={isUnresolved}
					isColor={isColor}
				/>
				{isBellOn ? <Text>{'  bell'}</Text> : undefined}
			</Box>
		</Box>
	);
}

export const Header = memo(HeaderView);
