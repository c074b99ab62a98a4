import test from 'ava';
import {
	dashboardReducer,
	initialDashboardState,
	scrollTop,
	stepInterval,
} from '../source/state/dashboard-state.js';

const initial = initialDashboardState({intervalMs: 2000});

test('a new query starts at the best match; a protocol filter keeps the selection', (t) => {
	let state = dashboardReducer(initial, {type: 'select', id: '80/tcp', top: 5});
	state = dashboardReducer(state, {type: 'set-protocol', protocol: 'tcp'});
	t.is(state.selected.catalogue, '80/tcp');
	state = dashboardReducer(state, {type: 'open-search', query: 'ss'});
	t.is(state.prompt, 'search');
	t.is(state.selected.catalogue, undefined);
	t.is(state.tops.catalogue, 0);
	state = dashboardReducer(state, {type: 'close-search', isKept: true});
	t.is(state.query, 'ss');
	t.is(state.prompt, 'none');
	state = dashboardReducer(state, {type: 'close-search', isKept: false});
	t.is(state.query, '');
});

test('pins toggle, in the order they were pinned', (t) => {
	let state = dashboardReducer(initial, {type: 'toggle-pin', key: '22/tcp'});
	state = dashboardReducer(state, {type: 'toggle-pin', key: '53/udp'});
	t.deepEqual(state.pinned, ['22/tcp', '53/udp']);
	state = dashboardReducer(state, {type: 'toggle-pin', key: '22/tcp'});
	t.deepEqual(state.pinned, ['53/udp']);
});

test('each mode keeps its own selection; focus cycles and skips the live pane in the listeners view', (t) => {
	let state = dashboardReducer(initial, {type: 'select', id: '22/tcp', top: 0});
	state = dashboardReducer(state, {type: 'toggle-mode', mode: 'listeners'});
	state = dashboardReducer(state, {
		type: 'select',
		id: 'tcp 0.0.0.0:22',
		top: 0,
	});
	t.is(state.selected.catalogue, '22/tcp');
	state = dashboardReducer(state, {type: 'cycle-focus'});
	t.is(state.focus, 'events');
	state = dashboardReducer(state, {type: 'cycle-focus'});
	t.is(state.focus, 'catalogue');
	state = dashboardReducer(state, {type: 'toggle-mode', mode: 'listeners'});
	t.is(state.mode, 'catalogue');
	state = dashboardReducer(state, {type: 'cycle-focus', isBackward: true});
	t.is(state.focus, 'events');
});

test('+ and - step the interval and stop at the ends', (t) => {
	t.is(stepInterval(2000, 1), 5000);
	t.is(stepInterval(2000, -1), 1000);
	t.is(stepInterval(1500, 1), 2000);
	t.is(stepInterval(1500, -1), 1000);
	t.is(stepInterval(500, -1), 500);
	t.is(stepInterval(60_000, 1), 60_000);
});

test('the window follows the cursor and moves as little as it can', (t) => {
	t.is(scrollTop(0, 0, 10, 100), 0);
	t.is(scrollTop(9, 0, 10, 100), 0);
	t.is(scrollTop(10, 0, 10, 100), 1);
	t.is(scrollTop(5, 8, 10, 100), 5);
	t.is(scrollTop(99, 0, 10, 100), 90);
	t.is(scrollTop(3, 50, 10, 5), 0, 'fewer rows than the window');
});
