import test from 'ava';
import {loadCatalogue} from '../source/catalogue/load.js';
import {
	matchedSpans,
	searchCatalogue,
	suggestNames,
} from '../source/catalogue/search.js';
import {smallCatalogue, temporaryFile} from './helpers/catalogue.js';
import {runCli} from './helpers/cli.js';

const ids = (entries: ReadonlyArray<{id: string}>) =>
	entries.map((entry) => entry.id);

test('a port number finds its entry, and a port inside a range finds the range', async (t) => {
	const {entries} = await smallCatalogue();
	t.deepEqual(ids(searchCatalogue(entries, {query: '22'})), [
		'22/tcp',
		'2222/tcp',
	]);
	t.deepEqual(ids(searchCatalogue(entries, {query: '6005'})), [
		'6000-6063/tcp',
	]);
	t.deepEqual(ids(searchCatalogue(entries, {query: '6063'})), [
		'6000-6063/tcp',
	]);
	t.deepEqual(ids(searchCatalogue(entries, {query: '6064'})), []);
});

test('port/protocol form restricts the protocol', async (t) => {
	const {entries} = await smallCatalogue();
	t.deepEqual(ids(searchCatalogue(entries, {query: '53/udp'})), ['53/udp']);
	t.deepEqual(ids(searchCatalogue(entries, {query: '53/TCP'})), ['53/tcp']);
	t.deepEqual(ids(searchCatalogue(entries, {query: '22/udp'})), []);
});

test('names, aliases and daemons match, case-insensitive', async (t) => {
	const {entries} = await smallCatalogue();
	t.deepEqual(ids(searchCatalogue(entries, {query: 'DNS'})), [
		'53/tcp',
		'53/udp',
	]);
	t.deepEqual(ids(searchCatalogue(entries, {query: 'unbound'})), ['53/udp']);
	t.deepEqual(ids(searchCatalogue(entries, {query: 'xorg'})), [
		'6000-6063/tcp',
	]);
});

test('ranking: exact port, then curated, then name prefix, then substring, then remark words', async (t) => {
	const {entries} = await smallCatalogue();
	// Exact name 22/tcp before the prefix match "sshalt"; the registry's 22/tcp is folded into the curated entry.
	t.deepEqual(ids(searchCatalogue(entries, {query: 'ssh', scope: 'all'})), [
		'22/tcp',
		'2222/tcp',
	]);
	// A port query finds the ports it begins, after the exact one, curated first; not those that merely contain it.
	t.deepEqual(ids(searchCatalogue(entries, {query: '22', scope: 'all'})), [
		'22/tcp',
		'2222/tcp',
		'220/tcp',
	]);
	// Curated name prefixes, then the registry's long-name substring ("Access").
	t.deepEqual(ids(searchCatalogue(entries, {query: 'ss', scope: 'all'})), [
		'22/tcp',
		'2222/tcp',
		'220/tcp',
	]);
	// A remark word ranks below a daemon substring.
	t.deepEqual(ids(searchCatalogue(entries, {query: 'second'})), ['2222/tcp']);
	// N: names and long names first (in port order), then 22/tcp, whose remark alone has an n.
	t.deepEqual(ids(searchCatalogue(entries, {query: 'n'})), [
		'53/tcp',
		'53/udp',
		'2222/tcp',
		'6000-6063/tcp',
		'22/tcp',
	]);
	// An exact port beats a name match of a curated entry.
	t.deepEqual(ids(searchCatalogue(entries, {query: '6379', scope: 'all'})), [
		'6379/tcp',
	]);
});

test('every word must match', async (t) => {
	const {entries} = await smallCatalogue();
	t.deepEqual(ids(searchCatalogue(entries, {query: 'domain zone'})), [
		'53/tcp',
	]);
	t.deepEqual(ids(searchCatalogue(entries, {query: 'domain nothing'})), []);
});

test('protocol filter and scope', async (t) => {
	const {entries} = await smallCatalogue();
	t.deepEqual(ids(searchCatalogue(entries, {protocol: 'udp'})), ['53/udp']);
	t.deepEqual(
		ids(searchCatalogue(entries, {protocol: 'udp', scope: 'all'})),
		['53/udp', '7/udp'],
		'curated first, then the registry',
	);
	t.is(
		searchCatalogue(entries).length,
		5,
		'no query lists the curated entries',
	);
	t.deepEqual(
		ids(searchCatalogue(entries, {query: 'redis'})),
		[],
		'curated scope leaves the registry out',
	);
	t.deepEqual(ids(searchCatalogue(entries, {query: 'redis', scope: 'all'})), [
		'6379/tcp',
	]);
});

test('a number that is not the port matches only where it stands alone', async (t) => {
	const {entries} = await smallCatalogue();
	// 2222's remark says "since 2022": 22 is not in it (2222/tcp is found by its port's prefix), 2022 is.
	t.deepEqual(ids(searchCatalogue(entries, {query: '22/tcp'})), ['22/tcp']);
	t.deepEqual(ids(searchCatalogue(entries, {query: '2022'})), ['2222/tcp']);
	// X11 is not found by 11, nor imap3 ("v3") by 3.
	t.deepEqual(ids(searchCatalogue(entries, {query: '11', scope: 'all'})), []);
	t.deepEqual(ids(searchCatalogue(entries, {query: '3', scope: 'all'})), []);
});

test('digits find the ports they begin, ranked below exact ports; with a protocol only the exact port', async (t) => {
	const {entries} = await smallCatalogue();
	t.deepEqual(ids(searchCatalogue(entries, {query: '222'})), ['2222/tcp']);
	t.deepEqual(ids(searchCatalogue(entries, {query: '60'})), ['6000-6063/tcp']);
	t.deepEqual(ids(searchCatalogue(entries, {query: '637', scope: 'all'})), [
		'6379/tcp',
	]);
	t.deepEqual(ids(searchCatalogue(entries, {query: '222/tcp'})), []);
	// 022 is port 22, and the start of no port.
	t.deepEqual(ids(searchCatalogue(entries, {query: '022'})), ['22/tcp']);
});

test('the prefix search finds 40022 by 400 in the shipped catalogue and the registry, exact 400 first', async (t) => {
	const userFile = await temporaryFile({
		entries: [{port: 40_022, protocol: 'tcp', service: 'inhouse-ssh'}],
	});
	const catalogue = await loadCatalogue({
		userFile,
		systemServices: false,
	});
	const found = ids(
		searchCatalogue(catalogue.entries, {query: '400', scope: 'all'}),
	);
	t.is(found[0], '400/tcp');
	t.is(found[1], '400/udp');
	t.true(found.includes('40022/tcp'));
	t.true(
		found.indexOf('40022/tcp') < found.indexOf('4000/tcp'),
		'curated and user entries before the registry',
	);
	t.deepEqual(ids(searchCatalogue(catalogue.entries, {query: '400'})), [
		'40022/tcp',
	]);
});

test('matched spans: the digits of a port, the whole label of a range, every place of a word', (t) => {
	t.deepEqual(matchedSpans('40022', '400', 'port'), [[0, 3]]);
	t.deepEqual(matchedSpans('22', '22/tcp', 'port'), [[0, 2]]);
	t.deepEqual(matchedSpans('6000-6063', '6005', 'port'), [[0, 9]]);
	t.deepEqual(matchedSpans('6000-6063', '60', 'port'), [[0, 2]]);
	t.deepEqual(matchedSpans('1022', '22', 'port'), []);
	t.deepEqual(matchedSpans('postgresql', 'SQL post', 'name'), [
		[0, 4],
		[7, 10],
	]);
	t.deepEqual(matchedSpans('sshd, ssh-agent', 'ssh', 'name'), [
		[0, 3],
		[6, 9],
	]);
	t.deepEqual(matchedSpans('nginx, apache2', 'apache', 'name'), [[7, 13]]);
	// A number in a name is marked where the search counts it: standing alone.
	t.deepEqual(matchedSpans('x11, irc 11', '11', 'name'), [[9, 11]]);
	t.deepEqual(matchedSpans('ssh', 'ss sh', 'name'), [[0, 3]]);
});

test('a query that finds nothing suggests the nearest curated names, through Fuse.js', async (t) => {
	const catalogue = await loadCatalogue({
		userFile: false,
		registry: false,
		systemServices: false,
	});
	const suggest = (query: string) => suggestNames(catalogue.entries, query);
	t.is(suggest('postgress')[0], 'postgresql');
	t.is(suggest('ngnix')[0], 'nginx');
	t.is(suggest('dnsmask')[0], 'dnsmasq');
	t.deepEqual(suggest('apache3').slice(0, 1), ['apache2']);
	// The word that matches nothing is the one corrected.
	t.is(suggest('tcp postgress')[0], 'postgresql');
	t.deepEqual(suggest('qqqqzz'), []);
	t.deepEqual(suggest('40022'), [], 'a port number is no typo');
	t.deepEqual(suggest(''), []);
});

test('portui list says what it could not find and what is near', async (t) => {
	const result = await runCli(['list', 'postgress']);
	t.is(result.exitCode, 1);
	t.is(
		result.stderr,
		'portui: nothing in the catalogue matches "postgress"; did you mean postgresql, postgres?\n',
	);
	const found = await runCli(['list', '400', '--json']);
	t.is(found.exitCode, 0);
	t.deepEqual(
		(JSON.parse(found.stdout) as Array<{id: string}>)
			.slice(0, 2)
			.map((entry) => entry.id),
		['400/tcp', '400/udp'],
		'no curated port begins 400: the registry is searched, exact ports first',
	);
});

test('a pasted megabyte of query gets no suggestion, and at once', async (t) => {
	const catalogue = await loadCatalogue({
		userFile: false,
		registry: false,
		systemServices: false,
	});
	t.deepEqual(suggestNames(catalogue.entries, 'a'.repeat(100_000)), []);
	t.deepEqual(
		suggestNames(catalogue.entries, `postgress${'x'.repeat(60)}`),
		[],
	);
});
