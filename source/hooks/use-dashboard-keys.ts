import {type Key, useInput} from 'ink';
import {
	useCallback,
	useEffect,
	useLayoutEffect,
	useRef,
	type Dispatch,
} from 'react';
import {
	scrollTop,
	type DashboardAction,
	type DashboardState,
} from '../state/dashboard-state.js';
import {keyCommands, type Command} from '../state/key-commands.js';
import {
	editLine,
	emptyLine,
	lineAtEnd,
	noKey,
	recall,
	remember,
	startHistory,
	strokesOf,
	type History,
	type Line,
	type Stroke,
} from '../state/line-editor.js';
import type {PromptText} from '../state/prompt-text.js';

/** How long typing in the search line pauses before the rows follow it. */
export const typingSettleMs = 40;

export type UseDashboardKeysOptions = {
	readonly state: DashboardState;
	readonly dispatch: Dispatch<DashboardAction>;
	/** The open prompt's line, which the prompt line draws: set here at every key. */
	readonly promptText: PromptText;
	/** The rows of the current mode, in order, by id. */
	readonly rowIds: readonly string[];
	readonly selectedIndex: number;
	readonly top: number;
	/** Rows in view: a page. */
	readonly page: number;
	readonly eventCount: number;
	readonly eventLines: number;
	/** Space: pin or unpin the row at this index. */
	readonly onPin: (index: number) => void;
	/** The host watched now: the first of the `:` prompt's history (Up brings it back). */
	readonly host: string;
	/** Enter in the `:` prompt: change the target (the prompt is closed by then). */
	readonly onTarget: (host: string) => void;
	/** `h` and `H`: show the next or the previous of several hosts. */
	readonly onHost?: (by: 1 | -1) => void;
	/** Any key: transient messages (a refused host, a notice) make way. */
	readonly onKey: () => void;
	readonly onExit: () => void;
	/** Ctrl-L: draw the whole screen again. */
	readonly onRedraw?: () => void;
	/** The describe view's and the help's last first line, and the lines a page of each scrolls. */
	readonly describeScroll?: Scroll;
	readonly helpScroll?: Scroll;
};

type Scroll = {readonly max: number; readonly page: number};

/** How far a move scrolls a text view (the help, the describe view). */
const textMoves: Partial<Record<Command, (scroll: Scroll) => number>> = {
	up: () => -1,
	down: () => 1,
	'page-up': ({page}) => -page,
	'page-down': ({page}) => page,
	first: ({max}) => -max,
	last: ({max}) => max,
};

const moves: Partial<
	Record<Command, (index: number, page: number, count: number) => number>
> = {
	up: (index) => index - 1,
	down: (index) => index + 1,
	'page-up': (index, page) => index - page,
	'page-down': (index, page) => index + page,
	first: () => 0,
	last: (_index, _page, count) => count - 1,
};

const eventMoves: Partial<
	Record<Command, (page: number, count: number) => number>
> = {
	up: () => 1,
	down: () => -1,
	'page-up': (page) => page,
	'page-down': (page) => -page,
	first: (_page, count) => count,
	last: (_page, count) => -count,
};

/** A key in a scrolled text view (the help, the describe view): whether it closed the view. */
function textViewKey(
	command: Command,
	{
		isClose,
		close,
		scroll,
		scrollType,
		dispatch,
	}: {
		readonly isClose: boolean;
		readonly close: DashboardAction;
		readonly scroll: Scroll;
		readonly scrollType: 'scroll-help' | 'scroll-describe';
		readonly dispatch: Dispatch<DashboardAction>;
	},
): boolean {
	if (isClose) {
		dispatch(close);
		return true;
	}

	const move = textMoves[command];
	if (move) {
		dispatch({type: scrollType, by: move(scroll), max: scroll.max});
	}

	return false;
}

/** What each command that is neither a move nor a pin does to the dashboard's state. */
const actions: Partial<Record<Command, DashboardAction>> = {
	tcp: {type: 'set-protocol', protocol: 'tcp'},
	udp: {type: 'set-protocol', protocol: 'udp'},
	all: {type: 'set-protocol', protocol: 'all'},
	focus: {type: 'cycle-focus', isBackward: false},
	'focus-back': {type: 'cycle-focus', isBackward: true},
	watch: {type: 'toggle-mode', mode: 'watch'},
	listeners: {type: 'toggle-mode', mode: 'listeners'},
	slower: {type: 'step-interval', direction: 1},
	faster: {type: 'step-interval', direction: -1},
	bell: {type: 'toggle-bell'},
	help: {type: 'toggle-help'},
	'open-only': {type: 'toggle-open-only'},
	sort: {type: 'cycle-sort'},
	events: {type: 'toggle-events'},
};

function actionOf(
	command: Command,
	state: DashboardState,
): DashboardAction | undefined {
	if (command === 'escape') {
		if (state.isEventsOpen) {
			return {type: 'toggle-events'};
		}

		// Outside the search line Esc still clears a kept query.
		return state.query ? {type: 'close-search', isKept: false} : undefined;
	}

	if (command === 'events-pinned') {
		return state.isEventsOpen ? {type: 'toggle-events-pinned'} : undefined;
	}

	return actions[command];
}

/** The prompt that has the keys: its line and, for `:`, the hosts Up and Down go through. */
type PromptSession = {
	readonly kind: 'search' | 'target';
	readonly line: Line;
	readonly history: History;
};

/**
 * Every key of the dashboard, its prompts' included, through one listener that lives as long as
 * the dashboard. ink-text-input could not be made to keep up (read in its 6.0.0 source and in
 * Ink 6.8's use-input.js): its handler computes the next text from the value and cursor of the
 * render it was created in, and Ink subscribes a new handler only in a passive effect after each
 * commit, so two keys read before that effect ran were both applied to the same old text
 * (`/postgres` came out `/ posresg`); a key that came between `/` and the input's first effect
 * found no listener at all (`/22` lost the query); and its cursor cannot be set from outside, so
 * Ctrl-A, Ctrl-W or history could not be built on it. Here the open prompt's line lives in a ref
 * that each key updates at once, and in `promptText`, which only the prompt line reads: a key
 * draws that line, not the dashboard (a commit of the whole tree a key made typing at 10 ms a key
 * fall behind). The search reaches the dashboard's state once typing pauses for typingSettleMs,
 * and at once on Enter or Esc; the keys that follow an Enter or Esc in the same read go to the
 * dashboard after the frame that closed the prompt.
 */
export function useDashboardKeys(options: UseDashboardKeysOptions): void {
	const latest = useRef(options);
	useLayoutEffect(() => {
		latest.current = options;
	});
	const session = useRef<PromptSession | undefined>(undefined);
	const hosts = useRef<string[]>([]);
	/** Keys read after a prompt closed, for the dashboard once its frame is committed. */
	const pending = useRef('');
	/** The search typed so far, for the dashboard once typing pauses. */
	const settleTimer = useRef<NodeJS.Timeout | undefined>(undefined);
	const settleCheck = useRef<NodeJS.Immediate | undefined>(undefined);
	const cancelSettle = useCallback(() => {
		clearTimeout(settleTimer.current);
		clearImmediate(settleCheck.current);
		settleTimer.current = undefined;
		settleCheck.current = undefined;
	}, []);
	useEffect(() => cancelSettle, [cancelSettle]);

	const closePrompt = useCallback(
		(rest: readonly Stroke[]) => {
			cancelSettle();
			session.current = undefined;
			pending.current += rest.map((stroke) => stroke.raw).join('');
		},
		[cancelSettle],
	);

	const settleQuery = useCallback(() => {
		cancelSettle();
		settleTimer.current = setTimeout(() => {
			// Keys that came while the dashboard was busy drawing wait in the terminal: they are read
			// before an immediate runs, and a key cancels this. Only a pause in the typing itself
			// searches (a search drawn in the middle of typing made the keys after it wait).
			settleCheck.current = setImmediate(() => {
				settleTimer.current = undefined;
				settleCheck.current = undefined;
				const {current} = session;
				if (current?.kind === 'search') {
					latest.current.dispatch({
						type: 'set-query',
						query: current.line.value,
					});
				}
			});
		}, typingSettleMs);
	}, [cancelSettle]);

	const feedPrompt = useCallback(
		(strokes: readonly Stroke[]) => {
			const {dispatch, onTarget, onExit, promptText} = latest.current;
			for (const [index, stroke] of strokes.entries()) {
				const {current} = session;
				if (!current) {
					return;
				}

				const edit = stroke.type === 'edit' ? stroke.edit : undefined;
				if (edit === 'quit') {
					onExit();
					return;
				}

				if (edit === 'escape' || edit === 'enter') {
					closePrompt(strokes.slice(index + 1));
					if (current.kind === 'search') {
						if (edit === 'enter') {
							// The typing may not have paused: the search the rows follow is the one on the line.
							dispatch({type: 'set-query', query: current.line.value});
						}

						dispatch({type: 'close-search', isKept: edit === 'enter'});
					} else if (edit === 'escape') {
						dispatch({type: 'close-target'});
					} else {
						hosts.current = remember(hosts.current, current.line.value.trim());
						onTarget(current.line.value);
					}

					return;
				}

				let {line, history} = current;
				if (edit === 'history-back' || edit === 'history-forward') {
					if (current.kind === 'search') {
						continue;
					}

					({line, history} = recall(
						history,
						line,
						edit === 'history-back' ? -1 : 1,
					));
				} else {
					line = editLine(line, stroke);
				}

				session.current = {...current, line, history};
				promptText.set(line);
				if (current.kind === 'search') {
					settleQuery();
				}
			}
		},
		[closePrompt, settleQuery],
	);

	const openPrompt = useCallback(
		(kind: PromptSession['kind'], rest: string) => {
			const {dispatch, state, host, promptText} = latest.current;
			if (kind === 'search') {
				session.current = {
					kind,
					line: lineAtEnd(state.query),
					history: startHistory([]),
				};
				dispatch({type: 'open-search'});
			} else {
				session.current = {
					kind,
					line: emptyLine,
					history: startHistory(remember(hosts.current, host)),
				};
				dispatch({type: 'open-target'});
			}

			promptText.set(session.current.line);

			feedPrompt(strokesOf(rest, noKey));
		},
		[feedPrompt],
	);

	const dashboardKeys = useCallback(
		(input: string, key: Key) => {
			const {prompt, ...result} = applyKeys(latest.current, input, key);
			if (!result.isQuit && prompt) {
				openPrompt(prompt.kind, prompt.rest);
			}
		},
		[openPrompt],
	);

	const drainPending = useCallback(() => {
		while (pending.current !== '' && !session.current) {
			const keys = pending.current;
			pending.current = '';
			dashboardKeys(keys, noKey);
		}
	}, [dashboardKeys]);

	// After each commit: the keys that followed a closed prompt meet the rows of the new frame.
	useLayoutEffect(() => {
		drainPending();
	});

	const onInput = useCallback(
		(input: string, key: Key) => {
			drainPending();
			if (session.current) {
				feedPrompt(strokesOf(input, key));
			} else {
				dashboardKeys(input, key);
			}
		},
		[drainPending, feedPrompt, dashboardKeys],
	);
	useInput(onInput);
}

/**
 * The keys of one read while no prompt has them. Keys that arrived in one read are applied in
 * order: the moves add up, and the selection is dispatched once.
 */
function applyKeys(
	options: UseDashboardKeysOptions,
	input: string,
	key: Key,
): ReturnType<typeof keyCommands> & {readonly isQuit: boolean} {
	const {state, dispatch, rowIds, selectedIndex, top, page} = options;
	const {eventCount, eventLines, onPin, onKey, onExit, onRedraw, onHost} =
		options;
	const {describeScroll = {max: 0, page: 1}, helpScroll = {max: 0, page: 1}} =
		options;
	onKey();
	const {commands, prompt} = keyCommands(input, key);
	let index = selectedIndex;
	let {isHelpOpen, isDescribeOpen} = state;
	for (const command of commands) {
		if (command === 'quit') {
			onExit();
			return {commands, isQuit: true};
		}

		if (command === 'redraw') {
			onRedraw?.();
			continue;
		}

		// The help takes only the keys that close or scroll it; the keys after those act as usual.
		if (isHelpOpen) {
			isHelpOpen = !textViewKey(command, {
				isClose: command === 'help' || command === 'escape',
				close: {type: 'close-help'},
				scroll: helpScroll,
				scrollType: 'scroll-help',
				dispatch,
			});
			continue;
		}

		// The describe view scrolls, pins and closes; ? opens the help over it.
		if (isDescribeOpen && command !== 'help') {
			isDescribeOpen = !textViewKey(command, {
				isClose: command === 'escape' || command === 'describe',
				close: {type: 'toggle-describe'},
				scroll: describeScroll,
				scrollType: 'scroll-describe',
				dispatch,
			});
			if (command === 'pin') {
				onPin(index);
			}

			continue;
		}

		if (command === 'describe') {
			if (rowIds.length > 0) {
				dispatch({type: 'toggle-describe'});
				isDescribeOpen = true;
			}

			continue;
		}

		if (command === 'help') {
			isHelpOpen = true;
		}

		const move = moves[command];
		if (move && (state.focus === 'events' || state.isEventsOpen)) {
			dispatch({
				type: 'scroll-events',
				by: eventMoves[command]!(
					state.isEventsOpen ? page : eventLines,
					eventCount,
				),
				count: eventCount,
			});
		} else if (move) {
			index = Math.max(
				0,
				Math.min(rowIds.length - 1, move(index, page, rowIds.length)),
			);
		} else if (command === 'pin') {
			onPin(index);
		} else if (command === 'next-host' || command === 'previous-host') {
			onHost?.(command === 'next-host' ? 1 : -1);
		} else {
			const action = actionOf(command, state);
			if (action) {
				dispatch(action);
			}
		}
	}

	if (index !== selectedIndex && rowIds.length > 0) {
		dispatch({
			type: 'select',
			id: rowIds[index],
			top: scrollTop(index, top, page, rowIds.length),
		});
	}

	return {commands, prompt, isQuit: false};
}
