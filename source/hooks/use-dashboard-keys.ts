import {useInput} from 'ink';
import {useLayoutEffect, useRef, type Dispatch} from 'react';
import {
	scrollTop,
	type DashboardAction,
	type DashboardState,
} from '../state/dashboard-state.js';
import {
	keyCommands,
	type Command,
	type KeyCommands,
} from '../state/key-commands.js';

export type UseDashboardKeysOptions = {
	readonly state: DashboardState;
	readonly dispatch: Dispatch<DashboardAction>;
	/** The rows of the current mode, in order, by id. */
	readonly rowIds: readonly string[];
	readonly selectedIndex: number;
	readonly top: number;
	/** Rows in view: a page. */
	readonly page: number;
	readonly eventCount: number;
	readonly eventLines: number;
	/** Space or Enter: pin or unpin the row at this index. */
	readonly onPin: (index: number) => void;
	/** `:host` and Enter in one read (a paste): change the target at once. */
	readonly onTarget: (host: string) => void;
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
};

function actionOf(
	command: Command,
	state: DashboardState,
): DashboardAction | undefined {
	if (command === 'escape') {
		// Outside the search line Esc still clears a kept query.
		return state.query ? {type: 'close-search', isKept: false} : undefined;
	}

	return actions[command];
}

/** A `/` or `:` in the read opens its text input with what followed it; Enter there submits it. */
function openPrompt(
	prompt: NonNullable<KeyCommands['prompt']>,
	dispatch: Dispatch<DashboardAction>,
	onTarget: (host: string) => void,
): void {
	if (prompt.kind === 'search') {
		dispatch({type: 'open-search', query: prompt.text || undefined});
		if (prompt.isSubmitted) {
			dispatch({type: 'close-search', isKept: true});
		}
	} else if (prompt.isSubmitted) {
		onTarget(prompt.text);
	} else {
		dispatch({type: 'open-target', draft: prompt.text});
	}
}

/**
 * The keys of the dashboard while no text input has them. Keys that arrived in one read are
 * applied in order: the moves add up, and the selection is dispatched once.
 */
export function useDashboardKeys(options: UseDashboardKeysOptions): void {
	const {
		state,
		dispatch,
		rowIds,
		selectedIndex,
		top,
		page,
		eventCount,
		eventLines,
		onPin,
		onTarget,
		onKey,
		onExit,
		onRedraw,
		describeScroll = {max: 0, page: 1},
		helpScroll = {max: 0, page: 1},
	} = options;
	const promptRef = useCurrentPrompt(state.prompt);

	useInput((input, key) => {
		// Switched by the prompt set at layout time, not by isActive (see usePromptKeys).
		if (promptRef.current !== 'none') {
			return;
		}

		onKey();
		const {commands, prompt} = keyCommands(input, key);
		let index = selectedIndex;
		let {isHelpOpen, isDescribeOpen} = state;
		for (const command of commands) {
			if (command === 'quit') {
				onExit();
				return;
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
			if (move && state.focus === 'events') {
				dispatch({
					type: 'scroll-events',
					by: eventMoves[command]!(eventLines, eventCount),
					count: eventCount,
				});
			} else if (move) {
				index = Math.max(
					0,
					Math.min(rowIds.length - 1, move(index, page, rowIds.length)),
				);
			} else if (command === 'pin') {
				onPin(index);
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

		if (prompt) {
			openPrompt(prompt, dispatch, onTarget);
		}
	});
}

/** The prompt as of the last commit, set before Ink's next input event can arrive. */
function useCurrentPrompt(prompt: DashboardState['prompt']) {
	const promptRef = useRef(prompt);
	useLayoutEffect(() => {
		promptRef.current = prompt;
	}, [prompt]);
	return promptRef;
}

export type UsePromptKeysOptions = {
	readonly prompt: DashboardState['prompt'];
	readonly dispatch: Dispatch<DashboardAction>;
	readonly onExit: () => void;
};

/**
 * While a text input has the keys only Enter (keep the search), Esc (leave it) and Ctrl-C (quit)
 * mean anything else. Listening from mount with the prompt in a ref set at layout time, rather
 * than switching on with the prompt: a listener switched on in an effect misses a key that
 * arrives between the frame that opened the prompt and that effect (an Enter right after a
 * pasted search was lost that way on a busy machine).
 */
export function usePromptKeys({
	prompt,
	dispatch,
	onExit,
}: UsePromptKeysOptions): void {
	const promptRef = useCurrentPrompt(prompt);
	useInput((input, key) => {
		const {current} = promptRef;
		if (current === 'none') {
			return;
		}

		if ((key.ctrl && input === 'c') || input.includes('\u0003')) {
			onExit();
		} else if (key.escape) {
			dispatch(
				current === 'search'
					? {type: 'close-search', isKept: false}
					: {type: 'close-target'},
			);
		} else if (key.return && current === 'search') {
			// The text input submits too; closing a closed search changes nothing.
			dispatch({type: 'close-search', isKept: true});
		}
	});
}
