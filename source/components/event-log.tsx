import {Box, Text} from 'ink';
import {memo} from 'react';
import type {LiveEvent} from '../state/live-state.js';
import type {PortState} from '../probe/types.js';
import {changeParts} from '../text/change.js';
import {formatClock, formatDuration} from './format.js';
import {colorOf, stateRole, usePalette} from './theme-context.js';

export type EventLogProps = {
	/** Oldest first. */
	readonly events: readonly LiveEvent[];
	readonly height: number;
	/** How many events the view is scrolled back from the newest. */
	readonly back: number;
	readonly isFocused: boolean;
	readonly isColor: boolean;
	/** Whether more than one host was watched this session: then each line names its host. */
	readonly isHostShown: boolean;
	/** `e`: the log fills the screen, under a title line, and each change says why (`refused`). */
	readonly isFull?: boolean;
	readonly title?: string;
	/** The reason of each change after its state: `closed (refused)`. */
	readonly isReasonShown?: boolean;
	/** The service name of a port, for the reader: `ssh`. */
	readonly nameOf: (
		port: number,
		protocol: 'tcp' | 'udp',
	) => string | undefined;
};

function State({
	state,
	isColor,
}: {
	readonly state: PortState;
	readonly isColor: boolean;
}) {
	const palette = usePalette();
	return (
		<Text color={isColor ? colorOf(palette, stateRole(state)) : undefined}>
			{state}
		</Text>
	);
}

/** The latest changes of state: time, port/protocol, from -> to, and the downtime on a return to open. */
function EventLogView({
	events,
	height,
	back,
	isFocused,
	isColor,
	isReasonShown = false,
	isHostShown,
	isFull = false,
	title,
	nameOf,
}: EventLogProps) {
	if (isFull) {
		return (
			<Box flexDirection="column" height={height} flexShrink={0}>
				<Text bold wrap="truncate">
					{title}
				</Text>
				<EventLogView
					isReasonShown
					events={events}
					height={height - 1}
					back={back}
					isFocused={isFocused}
					isColor={isColor}
					isHostShown={isHostShown}
					nameOf={nameOf}
				/>
			</Box>
		);
	}

	if (events.length === 0) {
		return (
			<Box height={height} flexShrink={0}>
				<Text dimColor wrap="truncate">
					events: none yet; a watched port that changes state shows here
				</Text>
			</Box>
		);
	}

	// The cursor is the event scrolled back to; the window keeps it in view and stays full.
	const cursor = Math.max(0, events.length - 1 - back);
	const end = Math.max(cursor + 1, Math.min(events.length, height));
	const start = Math.max(0, end - height);
	const shown = events.slice(start, end);
	return (
		<Box
			flexDirection="column"
			height={height}
			flexShrink={0}
			overflow="hidden"
		>
			{shown.map((event, index) => {
				const name = nameOf(event.port, event.protocol);
				const isCursor = isFocused && start + index === cursor;
				const head = `${formatClock(event.at)}  ${isHostShown ? `${event.host}  ` : ''}${event.port}/${event.protocol}${name ? ` ${name}` : ''}  `;
				if (event.kind === 'listener') {
					return (
						<Text key={event.id} wrap="truncate" inverse={isCursor}>
							{head}
							{event.hasAppeared ? 'new listener ' : 'listener gone '}
							{`${event.socket}${event.owner ? ` ${event.owner}` : ''}`}
						</Text>
					);
				}

				if (event.isOwnerChange) {
					return (
						<Text key={event.id} wrap="truncate" inverse={isCursor}>
							{head}
							{`owner changed, no downtime: ${event.owners ?? ''}`}
						</Text>
					);
				}

				const {before, after} = changeParts(event);
				return (
					<Text key={event.id} wrap="truncate" inverse={isCursor}>
						{head}
						{before}
						<State state={event.to} isColor={isColor} />
						{isReasonShown && event.reason ? ` (${event.reason})` : ''}
						{after}
						{event.downMs === undefined
							? ''
							: `  down ${formatDuration(event.downMs)}`}
						{event.owners ? ` · ${event.owners}` : ''}
					</Text>
				);
			})}
		</Box>
	);
}

export const EventLog = memo(EventLogView);
