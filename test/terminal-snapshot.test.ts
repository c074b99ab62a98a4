import test from 'ava';
import type {CatalogueEntry} from '../source/catalogue/types.js';
import type {ProbeResult, Snapshot} from '../source/probe/types.js';
import {formatSnapshot, snapshotPairs} from '../source/terminal/snapshot.js';

const entry = (
	port: number,
	protocol: 'tcp' | 'udp',
	service: string,
	endPort = port,
): CatalogueEntry => ({
	id:
		port === endPort ? `${port}/${protocol}` : `${port}-${endPort}/${protocol}`,
	port,
	endPort,
	protocol,
	service,
	longName: service,
	aliases: [],
	daemons: [],
	launch: [],
	source: 'curated',
	isPrivileged: endPort < 1024,
	isTls: false,
});

const result = (
	port: number,
	protocol: 'tcp' | 'udp',
	fields: Partial<ProbeResult>,
): ProbeResult => ({
	port,
	protocol,
	host: '127.0.0.1',
	address: '127.0.0.1',
	family: 4,
	state: 'closed',
	reason: 'refused',
	addresses: [],
	at: 0,
	...fields,
});

const snapshotOf = (results: ProbeResult[]): Snapshot => ({
	host: 'localhost',
	target: {
		host: 'localhost',
		isResolved: true,
		addresses: [{address: '127.0.0.1', family: 4}],
	},
	startedAt: Date.UTC(2026, 0, 1),
	finishedAt: Date.UTC(2026, 0, 1) + 250,
	results,
});

test('sweeps each curated port once, a range by its first port, in port order', (t) => {
	const pairs = snapshotPairs([
		entry(80, 'tcp', 'http'),
		entry(6000, 'tcp', 'x11', 6063),
		entry(22, 'tcp', 'ssh'),
		entry(22, 'tcp', 'ssh'),
	]);
	t.deepEqual(pairs, [
		{port: 22, protocol: 'tcp'},
		{port: 80, protocol: 'tcp'},
		{port: 6000, protocol: 'tcp'},
	]);
});

test('one plain line a port under a header, answers sanitized', (t) => {
	const catalogue = new Map([
		['22/tcp', entry(22, 'tcp', 'ssh')],
		['53/udp', entry(53, 'udp', 'domain')],
	]);
	const lines = formatSnapshot(
		snapshotOf([
			result(53, 'udp', {state: 'open|filtered', reason: 'no-reply'}),
			result(22, 'tcp', {
				state: 'open',
				reason: 'connected',
				rttMs: 0.42,
				answered: 'SSH-2.0-Evil\u001B]0;owned\u0007\u001B[31mred',
			}),
		]),
		({port, protocol}) => catalogue.get(`${port}/${protocol}`),
	);
	t.is(
		lines[0],
		'# portui snapshot of localhost (127.0.0.1) at 2026-01-01T00:00:00.250Z: 1 open of 2 ports in 250ms',
	);
	t.true(lines[1]!.startsWith('# port'));
	t.regex(lines[2]!, /^22\/tcp\s+open\s+ssh\s+0\.4ms SSH-2\.0-Evil/v);
	t.regex(lines[3]!, /^53\/udp\s+open\|filtered\s+domain\s+-$/v);
	for (const line of lines) {
		t.notRegex(
			line,
			// eslint-disable-next-line no-control-regex
			/[\u0000-\u001F\u007F-\u009F]/v,
			'no control character reaches the output',
		);
	}
});

test('a host that does not resolve is one header line saying why', (t) => {
	const lines = formatSnapshot(
		{
			host: 'nowhere.invalid',
			target: {host: 'nowhere.invalid', isResolved: false, error: 'ENOTFOUND'},
			startedAt: 0,
			finishedAt: 0,
			results: [],
		},
		() => undefined,
	);
	t.deepEqual(lines, [
		'# portui snapshot of nowhere.invalid: cannot resolve (ENOTFOUND)',
	]);
});
