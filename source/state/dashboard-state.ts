import type {ProtocolFilter} from '../args.js';

/** What the panes list: the catalogue, the watch list only, or this machine's listening sockets. */
export type Mode = 'catalogue' | 'watch' | 'listeners';
/** Which pane the movement keys act on. */
export type Focus = 'catalogue' | 'live' | 'events';
/** The order of the catalogue and watch rows: `s` cycles them. */
export type SortKey = 'port' | 'state' | 'verdict';
export const sortKeys: readonly SortKey[] = ['port', 'state', 'verdict'];
/** A text input that has the keys, if any. */
export type Prompt = 'none' | 'search' | 'target';

export type DashboardState = {
	readonly query: string;
	readonly protocol: ProtocolFilter;
	readonly mode: Mode;
	readonly focus: Focus;
	/** Which prompt has the keys; its line is in PromptText, not here (a key draws that line alone). */
	readonly prompt: Prompt;
	readonly isHelpOpen: boolean;
	readonly isBellOn: boolean;
	readonly intervalMs: number;
	/** Pinned port/protocol pairs (`22/tcp`), in the order they were pinned. */
	readonly pinned: readonly string[];
	/** The selected row of each mode, by id, so a mode keeps its place while another is shown. */
	readonly selected: Readonly<Record<Mode, string | undefined>>;
	/** The first row shown in each mode. */
	readonly tops: Readonly<Record<Mode, number>>;
	/** How many events the log is scrolled back from the newest. */
	readonly eventsBack: number;
	/** `o`: only the rows that answer open (or open|filtered). */
	readonly isOpenOnly: boolean;
	readonly sortBy: SortKey;
	/** `e`: the event log fills the screen. */
	readonly isEventsOpen: boolean;
	/** In the full event log, `p`: only the pinned ports' events. */
	readonly isEventsPinnedOnly: boolean;
	/** Enter: the selected port in full, in place of the panes. */
	readonly isDescribeOpen: boolean;
	/** The first line shown of the describe view, and of the help. */
	readonly describeTop: number;
	readonly helpTop: number;
};

export type DashboardAction =
	| {readonly type: 'open-search'; readonly query?: string}
	/** The search the rows follow: the search line's once typing pauses. */
	| {readonly type: 'set-query'; readonly query: string}
	| {readonly type: 'close-search'; readonly isKept: boolean}
	| {readonly type: 'open-target'}
	| {readonly type: 'close-target'}
	| {readonly type: 'set-protocol'; readonly protocol: ProtocolFilter}
	| {
			readonly type: 'select';
			readonly id: string | undefined;
			readonly top: number;
	  }
	| {readonly type: 'toggle-pin'; readonly key: string}
	/** Another host's pins, as kept for it. */
	| {readonly type: 'set-pins'; readonly pins: readonly string[]}
	| {readonly type: 'toggle-mode'; readonly mode: Exclude<Mode, 'catalogue'>}
	| {readonly type: 'cycle-focus'; readonly isBackward?: boolean}
	| {
			readonly type: 'scroll-events';
			readonly by: number;
			readonly count: number;
	  }
	| {readonly type: 'step-interval'; readonly direction: 1 | -1}
	| {readonly type: 'toggle-bell'}
	| {readonly type: 'toggle-help'}
	| {readonly type: 'close-help'}
	| {readonly type: 'toggle-open-only'}
	| {readonly type: 'cycle-sort'}
	| {readonly type: 'toggle-events'}
	| {readonly type: 'toggle-events-pinned'}
	| {readonly type: 'toggle-describe'}
	| {
			readonly type: 'scroll-describe' | 'scroll-help';
			readonly by: number;
			/** The last first line that still fills the view. */
			readonly max: number;
	  };

/** The intervals `+` and `-` step through. */
export const intervalSteps: readonly number[] = [
	500, 1000, 2000, 5000, 10_000, 30_000, 60_000,
];

export function stepInterval(current: number, direction: 1 | -1): number {
	if (direction > 0) {
		return intervalSteps.find((step) => step > current) ?? current;
	}

	return intervalSteps.findLast((step) => step < current) ?? current;
}

const focusOrder: readonly Focus[] = ['catalogue', 'live', 'events'];

export type InitialDashboard = {
	readonly intervalMs: number;
	readonly protocol?: ProtocolFilter;
	readonly query?: string;
	readonly pinned?: readonly string[];
	/** Ports given on the command line start in the watch list. */
	readonly mode?: Mode;
};

export const initialDashboardState = ({
	intervalMs,
	protocol = 'all',
	query = '',
	pinned = [],
	mode = 'catalogue',
}: InitialDashboard): DashboardState => ({
	query,
	protocol,
	mode,
	focus: 'catalogue',
	prompt: 'none',
	isHelpOpen: false,
	isBellOn: false,
	intervalMs,
	pinned,
	selected: {catalogue: undefined, watch: undefined, listeners: undefined},
	tops: {catalogue: 0, watch: 0, listeners: 0},
	eventsBack: 0,
	isOpenOnly: false,
	sortBy: 'port',
	isEventsOpen: false,
	isEventsPinnedOnly: false,
	isDescribeOpen: false,
	describeTop: 0,
	helpTop: 0,
});

/** A new query lists other entries: start again at the best match. */
const withQuery = (state: DashboardState, query: string): DashboardState =>
	query === state.query
		? state
		: {
				...state,
				query,
				selected: {...state.selected, catalogue: undefined, watch: undefined},
				tops: {...state.tops, catalogue: 0, watch: 0},
			};

type Handlers = {
	readonly [Type in DashboardAction['type']]: (
		state: DashboardState,
		action: Extract<DashboardAction, {type: Type}>,
	) => DashboardState;
};

/** The reducer, an action type at a time; a handler returns the same state where nothing changes, so nothing re-renders. */
const handlers: Handlers = {
	'open-search'(state, action) {
		const query = action.query ?? state.query;
		return {
			...withQuery(state, query),
			prompt: 'search',
			isHelpOpen: false,
			isDescribeOpen: false,
		};
	},
	'set-query': (state, action) => withQuery(state, action.query),
	'close-search': (state, action) => ({
		...withQuery(state, action.isKept ? state.query : ''),
		prompt: 'none',
	}),
	'open-target': (state) => ({
		...state,
		prompt: 'target',
		isHelpOpen: false,
		isDescribeOpen: false,
	}),
	'close-target': (state) => ({...state, prompt: 'none'}),
	// The selected entry stays selected when the new filter still lists it.
	'set-protocol': (state, action) =>
		action.protocol === state.protocol
			? state
			: {...state, protocol: action.protocol},
	select(state, action) {
		const {mode} = state;
		if (state.selected[mode] === action.id && state.tops[mode] === action.top) {
			return state;
		}

		return {
			...state,
			selected: {...state.selected, [mode]: action.id},
			tops: {...state.tops, [mode]: action.top},
		};
	},
	'toggle-pin'(state, action) {
		const pinned = state.pinned.includes(action.key)
			? state.pinned.filter((key) => key !== action.key)
			: [...state.pinned, action.key];
		return {...state, pinned};
	},
	'set-pins': (state, action) => ({...state, pinned: action.pins}),
	'toggle-mode'(state, action) {
		const mode = state.mode === action.mode ? 'catalogue' : action.mode;
		// The listeners view has one pane: focus goes back to it.
		const focus =
			mode === 'listeners' && state.focus === 'live'
				? 'catalogue'
				: state.focus;
		return {...state, mode, focus};
	},
	'cycle-focus'(state, action) {
		const order =
			state.mode === 'listeners'
				? focusOrder.filter((focus) => focus !== 'live')
				: focusOrder;
		const index = order.indexOf(state.focus);
		const next =
			order[
				(index + (action.isBackward ? order.length - 1 : 1)) % order.length
			]!;
		return {
			...state,
			focus: next,
			eventsBack: next === 'events' ? state.eventsBack : 0,
		};
	},
	'scroll-events'(state, action) {
		const eventsBack = Math.max(
			0,
			Math.min(action.count - 1, state.eventsBack + action.by),
		);
		return eventsBack === state.eventsBack ? state : {...state, eventsBack};
	},
	'step-interval'(state, action) {
		const intervalMs = stepInterval(state.intervalMs, action.direction);
		return intervalMs === state.intervalMs ? state : {...state, intervalMs};
	},
	'toggle-bell': (state) => ({...state, isBellOn: !state.isBellOn}),
	'toggle-help': (state) => ({
		...state,
		isHelpOpen: !state.isHelpOpen,
		helpTop: 0,
	}),
	'toggle-describe': (state) => ({
		...state,
		isDescribeOpen: !state.isDescribeOpen,
		describeTop: 0,
	}),
	'scroll-describe'(state, action) {
		const describeTop = clampTop(state.describeTop, action);
		return describeTop === state.describeTop ? state : {...state, describeTop};
	},
	'scroll-help'(state, action) {
		const helpTop = clampTop(state.helpTop, action);
		return helpTop === state.helpTop ? state : {...state, helpTop};
	},
	'close-help': (state) =>
		state.isHelpOpen ? {...state, isHelpOpen: false} : state,
	'toggle-open-only': (state) => ({...state, isOpenOnly: !state.isOpenOnly}),
	'cycle-sort': (state) => ({
		...state,
		sortBy: sortKeys[(sortKeys.indexOf(state.sortBy) + 1) % sortKeys.length]!,
	}),
	'toggle-events': (state) => ({
		...state,
		isEventsOpen: !state.isEventsOpen,
		eventsBack: 0,
	}),
	'toggle-events-pinned': (state) => ({
		...state,
		isEventsPinnedOnly: !state.isEventsPinnedOnly,
		eventsBack: 0,
	}),
};

/** A scrolled view's first line after moving `by`, within 0 and `max`. */
const clampTop = (top: number, {by, max}: {by: number; max: number}) =>
	Math.max(0, Math.min(max, Math.min(top, max) + by));

export function dashboardReducer(
	state: DashboardState,
	action: DashboardAction,
): DashboardState {
	// TypeScript cannot pair a union's member with its handler here; the table's type does that.
	const handle = handlers[action.type] as (
		state: DashboardState,
		action: DashboardAction,
	) => DashboardState;
	return handle(state, action);
}

/**
 * The first row shown so that `cursor` stays in a window of `page` rows over `count` rows, moving
 * the window as little as possible from `top`.
 */
export function scrollTop(
	cursor: number,
	top: number,
	page: number,
	count: number,
): number {
	const maxTop = Math.max(0, count - page);
	let next = Math.min(Math.max(0, top), maxTop);
	if (cursor < next) {
		next = cursor;
	} else if (cursor >= next + page) {
		next = cursor - page + 1;
	}

	return Math.max(0, Math.min(next, maxTop));
}
