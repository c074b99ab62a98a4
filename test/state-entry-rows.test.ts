import test from 'ava';
import {
	entryPorts,
	entryRows,
	isEntryHighlighted,
	maxRangePorts,
} from '../source/state/entry-rows.js';
import type {LiveRow} from '../source/state/live-state.js';
import {localOwners} from '../source/state/local-target.js';
import {
	maxWatchedPorts,
	watchedPairs,
} from '../source/hooks/use-dashboard-view.js';
import type {PortState} from '../source/probe/types.js';
import {sshdSocket, testCatalogue} from './helpers/dashboard.js';

const catalogue = testCatalogue();
const entry = (port: number, protocol: 'tcp' | 'udp' = 'tcp') => {
	const found = catalogue.byPair(port, protocol);
	if (!found) {
		throw new Error(`no entry for ${port}/${protocol}`);
	}

	return found;
};

const x11 = entry(6000);
const ssh = entry(22);

const row = (
	state: PortState,
	since: number,
	answered?: string,
	address = '127.0.0.1',
): LiveRow => ({
	state,
	reason: state === 'open' ? 'connected' : 'refused',
	rttMs: 0.4,
	since,
	isSinceObserved: true,
	answered,
	addresses: `${address} ${state === 'open' ? 'open' : 'refused'}`,
	openAddresses:
		state === 'open' ? [{address, family: address.includes(':') ? 6 : 4}] : [],
	families: '',
});

test('a range is watched on every port, a single entry on its own; a huge range is capped', (t) => {
	t.deepEqual(entryPorts(ssh), [22]);
	const ports = entryPorts(x11);
	t.is(ports.length, 64);
	t.is(ports[0], 6000);
	t.is(ports.at(-1), 6063);
	const everything = entryPorts({port: 1, endPort: 65_535, protocol: 'tcp'});
	t.is(everything.length, maxRangePorts);
	t.is(everything.at(-1), maxRangePorts);
});

test('a range reads open when any of its ports is, and names the open ones', (t) => {
	const rows = new Map<string, LiveRow>([
		['6000/tcp', row('closed', 1000)],
		['6001/tcp', row('open', 3000)],
		['6002/tcp', row('closed', 1000)],
		['6010/tcp', row('open', 2000, 'X11')],
		['22/tcp', row('open', 500, 'SSH-2.0-OpenSSH_9.6')],
	]);
	const merged = entryRows([x11, ssh], rows);
	const range = merged.get(x11.id);
	t.is(range?.state, 'open');
	t.is(range?.answered, '6001, 6010', 'the open ports, in order');
	t.is(range?.reason, '2 open, 2 closed');
	t.is(range?.since, 3000, 'the latest change of any of its ports');
	t.is(range?.addresses, '6001: 127.0.0.1 open');
	t.is(merged.get(ssh.id), rows.get('22/tcp'), 'a single port keeps its row');
});

test('a range with one identified open port says what answered; one with none open reads closed', (t) => {
	const identified = entryRows(
		[x11],
		new Map([
			['6003/tcp', row('open', 10, 'X11')],
			['6004/tcp', row('closed', 10)],
		]),
	).get(x11.id);
	t.is(identified?.answered, '6003: X11');

	const many = entryRows(
		[x11],
		new Map(
			[6000, 6001, 6002, 6003, 6004].map((port) => [
				`${port}/tcp`,
				row('open', port),
			]),
		),
	).get(x11.id);
	t.is(many?.answered, '6000, 6001, 6002 +2');

	const closed = entryRows(
		[x11],
		new Map([
			['6000/tcp', row('closed', 40)],
			['6001/tcp', row('closed', 20)],
		]),
	).get(x11.id);
	t.is(closed?.state, 'closed');
	t.is(closed?.answered, undefined);
	t.is(closed?.since, 40);
	t.is(entryRows([x11], new Map()).get(x11.id), undefined, 'not probed yet');
});

test('a change on any port of a range highlights the range', (t) => {
	const highlights = new Map([['6042/tcp', Date.now() + 2000]]);
	t.true(isEntryHighlighted(x11, highlights));
	t.false(isEntryHighlighted(ssh, highlights));
	t.true(isEntryHighlighted(ssh, new Map([['22/tcp', 1]])));
});

test('the watch covers every port of a range in view or pinned, and a pinned pair outside the catalogue', (t) => {
	const {key} = watchedPairs(
		[ssh],
		['6000/tcp', '31337/udp'],
		catalogue.byPair,
	);
	const pairs = key.split(',');
	t.true(pairs.includes('22/tcp'));
	t.true(pairs.includes('6000/tcp'));
	t.true(pairs.includes('6063/tcp'));
	t.true(pairs.includes('31337/udp'));
	t.is(pairs.length, 1 + 64 + 1);
	t.is(
		watchedPairs([x11, ssh], [], catalogue.byPair).key,
		watchedPairs([ssh, x11], ['22/tcp'], catalogue.byPair).key,
		'one stable key, whatever the order',
	);
});

test('on this machine a range is held by the first of its open ports that has a socket', (t) => {
	const xorg = {...sshdSocket, port: 6001, process: 'Xorg', pid: 900};
	const owners = localOwners(
		[x11, ssh],
		[xorg, sshdSocket],
		new Map([
			['6001/tcp', row('open', 1)],
			['22/tcp', row('open', 1)],
		]),
	);
	t.is(owners.get(x11.id)?.socket, xorg);
	t.true(owners.get(x11.id)?.isExpected);
	t.is(owners.get(ssh.id)?.socket, sshdSocket);
});

test('an owner is shown only for a socket whose address takes what answered; a closed port has none', (t) => {
	const owner = (
		socket: {address: string; family: 4 | 6},
		probed: LiveRow | undefined,
	) =>
		localOwners(
			[ssh],
			[{...sshdSocket, ...socket}],
			probed ? new Map([['22/tcp', probed]]) : new Map(),
		).get(ssh.id)?.socket?.process;
	t.is(
		owner(
			{address: '0.0.0.0', family: 4},
			row('open', 1, undefined, '127.0.0.5'),
		),
		'sshd',
	);
	t.is(owner({address: '127.0.0.1', family: 4}, row('open', 1)), 'sshd');
	t.is(
		owner({address: '::', family: 6}, row('open', 1, undefined, '::1')),
		'sshd',
	);
	t.is(
		owner({address: '127.0.0.1', family: 4}, row('open', 1, undefined, '::1')),
		undefined,
		'127.0.0.1 does not take ::1',
	);
	t.is(
		owner({address: '0.0.0.0', family: 4}, row('open', 1, undefined, '::1')),
		undefined,
		'an IPv4-only daemon does not hold ::1',
	);
	t.is(
		owner({address: '0.0.0.0', family: 4}, row('closed', 1)),
		undefined,
		'closed',
	);
	t.is(
		owner({address: '0.0.0.0', family: 4}, undefined),
		undefined,
		'not probed yet',
	);
});

test('the ports a view watches are capped in all, pinned first; the rest are counted', (t) => {
	const ranges = Array.from({length: 256}, (_, index) => ({
		...x11,
		id: `r${index}`,
		port: 10_000 + index * 256,
		endPort: 10_000 + index * 256 + 255,
	}));
	const {key, leftOut} = watchedPairs(ranges, ['22/tcp'], catalogue.byPair);
	const pairs = key.split(',');
	t.is(pairs.length, maxWatchedPorts);
	t.true(
		pairs.includes('22/tcp'),
		'a pinned port is watched whatever is in view',
	);
	t.is(leftOut, 256 * 256 + 1 - maxWatchedPorts);
	t.is(watchedPairs([ssh, x11], [], catalogue.byPair).leftOut, 0);
});
