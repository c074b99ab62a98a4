import {readFile} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import test from 'ava';
import {loadCatalogue, parseServices} from '../source/catalogue/load.js';
import {validateCatalogueFile} from '../source/catalogue/validate.js';
import {fixture, smallCatalogue, temporaryFile} from './helpers/catalogue.js';

test('curated entries win over the registry and keep its names searchable', async (t) => {
	const catalogue = await smallCatalogue();
	const ssh = catalogue.byPair(22, 'tcp');
	t.is(ssh?.source, 'curated');
	t.deepEqual(ssh?.daemons, ['sshd']);
	t.is(catalogue.byPair(6379, 'tcp')?.source, 'iana');
	t.is(
		catalogue.byPair(4, 'tcp'),
		undefined,
		'unassigned registry lines are not entries',
	);
});

test('a port inside a curated range finds the range, and the registry duplicate is folded into it', async (t) => {
	const catalogue = await smallCatalogue();
	t.is(catalogue.byPair(6005, 'tcp')?.id, '6000-6063/tcp');
	t.false(catalogue.entries.some((entry) => entry.id === '6005/tcp'));
	t.is(catalogue.byPair(6064, 'tcp'), undefined);
});

test('privileged is derived from the port', async (t) => {
	const catalogue = await smallCatalogue();
	t.true(catalogue.byPair(22, 'tcp')!.isPrivileged);
	t.false(catalogue.byPair(2222, 'tcp')!.isPrivileged);
	t.false(catalogue.byPair(6000, 'tcp')!.isPrivileged);
});

test('byName finds service names and aliases, curated first', async (t) => {
	const catalogue = await smallCatalogue();
	t.deepEqual(
		catalogue.byName('DNS').map((entry) => entry.id),
		['53/tcp', '53/udp'],
	);
	t.deepEqual(
		catalogue.byName('ssh').map((entry) => entry.id),
		['22/tcp'],
	);
});

test('a user file overrides only the fields it names and adds new entries', async (t) => {
	const userFile = await temporaryFile({
		entries: [
			{
				port: 22,
				protocol: 'tcp',
				service: 'ssh',
				verdict: 'caution',
				remark: 'Keys only on this site.',
			},
			{port: 9999, protocol: 'udp', service: 'inhouse', daemons: ['inhoused']},
		],
	});
	const catalogue = await smallCatalogue({userFile});
	const ssh = catalogue.byPair(22, 'tcp')!;
	t.is(ssh.source, 'user');
	t.is(ssh.verdict, 'caution');
	t.is(ssh.remark, 'Keys only on this site.');
	t.deepEqual(
		ssh.daemons,
		['sshd'],
		'fields the user did not name stay curated',
	);
	t.is(ssh.longName, 'Secure Shell');
	t.is(catalogue.byPair(9999, 'udp')?.service, 'inhouse');
	t.true(catalogue.curated.some((entry) => entry.id === '9999/udp'));
});

test('schema errors name the file, the entry and the field', async (t) => {
	const file = await temporaryFile({
		entries: [
			{port: 22, protocol: 'tcp', service: 'ssh'},
			{port: 80, protocol: 'tcp', service: 'http', verdict: 'meh'},
		],
	});
	const error = await t.throwsAsync(smallCatalogue({userFile: file}));
	t.regex(
		error.message,
		new RegExp(
			String.raw`^"${file.replaceAll(/[\/.]/gv, String.raw`\$&`)}": entry 2 \(80/tcp\): field "verdict" is "meh"; expected one of secure, caution, insecure, obsolete$`,
			'v',
		),
	);
	t.is(error.name, 'CatalogueError');
});

for (const [entry, pattern] of [
	[{protocol: 'tcp', service: 'x'}, /entry 1: field "port" is missing/v],
	[
		{port: 70_000, protocol: 'tcp', service: 'x'},
		/field "port" is 70000; expected an integer from 1 to 65535/v,
	],
	[
		{port: 7, protocol: 'sctp', service: 'x'},
		/field "protocol" is "sctp"; expected one of tcp, udp/v,
	],
	[
		{port: 7, protocol: 'tcp', service: 'x', colour: 'red'},
		/unknown field "colour"/v,
	],
	[
		{port: 7, endPort: 5, protocol: 'tcp', service: 'x'},
		/field "endPort" is 5; expected .* at least port/v,
	],
	[
		{
			port: 7,
			protocol: 'tcp',
			service: 'x',
			remark: 'bad \u001B]0;title\u0007',
		},
		/field "remark"/v,
	],
	[{port: 7, protocol: 'tcp', service: 'x y'}, /field "service" is "x y"/v],
] as const) {
	test(`schema rejects ${JSON.stringify(entry)}`, async (t) => {
		const file = await temporaryFile({entries: [entry]});
		const error = await t.throwsAsync(smallCatalogue({userFile: file}));
		t.regex(error.message, pattern);
		t.true(error.message.startsWith(JSON.stringify(file)));
	});
}

test('a file that is not JSON, or not there when named, is one clear error', async (t) => {
	const broken = await temporaryFile('{"entries": [', 'broken.json');
	await t.throwsAsync(smallCatalogue({userFile: broken}), {
		message: /broken\.json": not valid JSON/v,
	});
	await t.throwsAsync(smallCatalogue({userFile: '/nonexistent/portui.json'}), {
		message:
			/cannot read catalogue file "\/nonexistent\/portui\.json" \(ENOENT\)/v,
	});
	const notAList = await temporaryFile({entries: {}});
	await t.throwsAsync(smallCatalogue({userFile: notAList}), {
		message: /"entries" must be a list/v,
	});
});

test('the default user file may be absent', async (t) => {
	process.env.XDG_CONFIG_HOME = '/nonexistent-portui-config';
	const catalogue = await loadCatalogue({
		curatedFile: fixture('curated-small.json'),
		registry: false,
		systemServices: false,
	});
	t.is(catalogue.curated.length, 5);
});

test('/etc/services lines give aliases and skip what libc skips', (t) => {
	const entries = parseServices(
		[
			'# comment',
			'ssh\t\t22/tcp\t\t\t# SSH Remote Login Protocol',
			'domain 53/udp dns nameserver',
			'bad 99999/tcp',
			'sctp-only 9/sctp',
			'  ',
			'x\u001B[2J 1/tcp',
		].join('\n'),
	);
	t.deepEqual(
		entries.map((entry) => [entry.id, entry.service, entry.aliases]),
		[
			['22/tcp', 'ssh', []],
			['53/udp', 'domain', ['dns', 'nameserver']],
		],
	);
	t.true(entries.every((entry) => entry.source === 'services'));
});

test('the shipped catalogue loads with the registry and the system services', async (t) => {
	const catalogue = await loadCatalogue({userFile: false});
	t.true(catalogue.entries.length > 10_000, 'IANA registry is merged');
	t.true(catalogue.curated.length >= 35);
	t.is(catalogue.byPair(6005, 'tcp')?.service, 'x11');
	t.true(
		new Set(catalogue.entries.map((entry) => entry.id)).size ===
			catalogue.entries.length,
		'ids are unique',
	);
});

test('the check leaves the shipped curated file as it is: the bundle trusts that text unchecked', async (t) => {
	const file = path.join(
		import.meta.dirname,
		'..',
		'catalogue',
		'curated.json',
	);
	const data = JSON.parse(await readFile(file, 'utf8')) as {entries: unknown[]};
	t.deepEqual(validateCatalogueFile(data, file), data.entries);
});
