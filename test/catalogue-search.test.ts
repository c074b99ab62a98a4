import test from 'ava';
import {searchCatalogue} from '../source/catalogue/search.js';
import {smallCatalogue} from './helpers/catalogue.js';

const ids = (entries: ReadonlyArray<{id: string}>) =>
	entries.map((entry) => entry.id);

test('a port number finds its entry, and a port inside a range finds the range', async (t) => {
	const {entries} = await smallCatalogue();
	t.deepEqual(ids(searchCatalogue(entries, {query: '22'})), ['22/tcp']);
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
	// A port query does not match ports that merely contain its digits.
	t.deepEqual(ids(searchCatalogue(entries, {query: '22', scope: 'all'})), [
		'22/tcp',
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
	// 2222's remark says "since 2022": 22 is not in it, 2022 is.
	t.deepEqual(ids(searchCatalogue(entries, {query: '22', scope: 'all'})), [
		'22/tcp',
	]);
	t.deepEqual(ids(searchCatalogue(entries, {query: '2022'})), ['2222/tcp']);
	// X11 is not found by 11, nor imap3 ("v3") by 3.
	t.deepEqual(ids(searchCatalogue(entries, {query: '11', scope: 'all'})), []);
	t.deepEqual(ids(searchCatalogue(entries, {query: '3', scope: 'all'})), []);
});
