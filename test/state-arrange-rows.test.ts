import test from 'ava';
import type {CatalogueEntry, Verdict} from '../source/catalogue/types.js';
import type {PortState} from '../source/probe/types.js';
import {arrangeEntries, stateCounts} from '../source/state/arrange-rows.js';
import type {LiveRow, PortEvent} from '../source/state/live-state.js';

const entry = (port: number, verdict?: Verdict): CatalogueEntry => ({
	id: `${port}/tcp`,
	port,
	endPort: port,
	protocol: 'tcp',
	service: `s${port}`,
	longName: '',
	aliases: [],
	daemons: [],
	launch: [],
	source: 'curated',
	isPrivileged: port < 1024,
	isTls: false,
	...(verdict && {verdict}),
});

const row = (state: PortState): LiveRow => ({
	state,
	reason: '',
	since: 0,
	isSinceObserved: false,
	addresses: '',
	openAddresses: [],
	families: '',
});

const entries = [
	entry(21, 'insecure'),
	entry(22, 'secure'),
	entry(53, 'caution'),
	entry(80, 'caution'),
	entry(161),
];
const rows = new Map<string, LiveRow>([
	['21/tcp', row('closed')],
	['22/tcp', row('open')],
	['53/tcp', row('open|filtered')],
	['80/tcp', row('filtered')],
]);
const ports = (list: readonly CatalogueEntry[]) =>
	list.map((item) => item.port);

test('o keeps open and open|filtered; s orders by state (pending last) or by verdict (risk first)', (t) => {
	t.is(
		arrangeEntries(entries, rows, {isOpenOnly: false, sortBy: 'port'}),
		entries,
	);
	t.deepEqual(
		ports(arrangeEntries(entries, rows, {isOpenOnly: true, sortBy: 'port'})),
		[22, 53],
	);
	t.deepEqual(
		ports(arrangeEntries(entries, rows, {isOpenOnly: false, sortBy: 'state'})),
		[22, 53, 21, 80, 161],
	);
	t.deepEqual(
		ports(
			arrangeEntries(entries, rows, {isOpenOnly: false, sortBy: 'verdict'}),
		),
		[21, 53, 80, 22, 161],
	);
});

function event(
	port: number,
	from: PortState,
	to: PortState,
	extra: Partial<PortEvent> = {},
): PortEvent {
	return {
		kind: 'port',
		id: port,
		host: 'h',
		at: 0,
		port,
		protocol: 'tcp',
		from,
		to,
		reason: 'refused',
		...extra,
	};
}

test('down counts a watched port seen open, then not, until it returns', (t) => {
	const keys = ['21/tcp', '22/tcp', '53/tcp', '80/tcp', '161/tcp'];
	t.deepEqual(stateCounts(keys, rows, [], 'h'), {
		observed: 4,
		open: 2,
		down: 0,
	});
	const events = [
		event(21, 'open', 'closed'),
		event(80, 'open', 'filtered', {host: 'other'}),
		event(22, 'open', 'closed'),
		event(22, 'closed', 'open'),
	];
	t.deepEqual(stateCounts(keys, rows, events, 'h'), {
		observed: 4,
		open: 2,
		down: 1,
	});
	// One family going down while the other answers is not the port going down.
	t.is(
		stateCounts(
			keys,
			rows,
			[event(21, 'open', 'closed', {address: '::1'})],
			'h',
		).down,
		0,
	);
	t.is(stateCounts([], new Map(), events, 'h').observed, 0);
});
