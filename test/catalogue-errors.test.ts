import {mkdir, writeFile} from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import process from 'node:process';
import test from 'ava';
import {
	CatalogueError,
	loadCatalogue,
	type LoadOptions,
} from '../source/catalogue/load.js';
import {maxProblems} from '../source/catalogue/validate.js';
import {
	fixture,
	temporaryDirectory,
	temporaryFile,
} from './helpers/catalogue.js';
import {runCli} from './helpers/cli.js';
import {hasUnsafeCharacter} from './helpers/probe-servers.js';

// Issue 13 item 13: a user catalogue's errors teach: all of them, where they are, what was meant.

const small: LoadOptions = {
	curatedFile: fixture('curated-small.json'),
	registry: false,
	systemServices: false,
};

async function problemsOf(content: unknown): Promise<readonly string[]> {
	const userFile = await temporaryFile(content);
	try {
		await loadCatalogue({...small, userFile});
	} catch (error) {
		if (error instanceof CatalogueError) {
			return error.problems;
		}

		throw error;
	}

	throw new Error('the file was accepted');
}

const entry = {port: 22, protocol: 'tcp', service: 'ssh'};

test('every error of the file is reported, one line each, in file order', async (t) => {
	const problems = await problemsOf({
		entries: [
			{...entry, verdict: 'meh'},
			{port: 80, protocol: 'tcp', service: 'http'},
			{port: 70_000, protocol: 'sctp', service: 'x'},
			'ssh',
		],
		colour: 'red',
	});
	t.is(problems.length, 5, `${problems.join('\n')}`);
	t.regex(problems[0]!, /: unknown top-level field "colour"; accepted/v);
	t.regex(problems[1]!, /: entry 1 \(22\/tcp\): field "verdict" is "meh"/v);
	t.regex(problems[2]!, /: entry 3: field "port" is 70000/v);
	t.regex(problems[3]!, /: entry 3: field "protocol" is "sctp"/v);
	t.regex(problems[4]!, /: entry 4: expected an object .*, not "ssh"$/v);
	t.true(problems.every((line) => !line.includes('\n')));
});

test('at most 20 errors, then one line that says it stopped', async (t) => {
	const problems = await problemsOf({
		entries: Array.from({length: 50}, (_, index) => ({
			port: index + 1,
			protocol: 'tcp',
		})),
	});
	t.is(problems.length, maxProblems + 1);
	t.regex(
		problems.at(-1)!,
		/stopped after 20 errors; fix these and run again$/v,
	);
	t.regex(problems[19]!, /entry 20 \(20\/tcp\): field "service" is missing/v);
});

test('a misspelt field is named with the field it is near, and not again as missing', async (t) => {
	const problems = await problemsOf({
		entries: [
			{port: 22, proto: 'tcp', service: 'ssh'},
			{...entry, deamons: ['sshd'], verdict: 'insecur', launch: ['inet']},
			{...entry, port: 23, desc: 'x'},
		],
	});
	t.is(problems.length, 5, `${problems.join('\n')}`);
	t.regex(
		problems[0]!,
		/entry 1: unknown field "proto" \(did you mean "protocol"\?\); accepted: port, endPort, protocol,/v,
	);
	t.regex(
		problems[1]!,
		/entry 2 \(22\/tcp\): unknown field "deamons" \(did you mean "daemons"\?\)/v,
	);
	t.regex(
		problems[2]!,
		/field "verdict" is "insecur" \(did you mean "insecure"\?\); expected one of/v,
	);
	t.regex(
		problems[3]!,
		/field "launch" is \["inet"\] \(did you mean "inetd"\?\); expected a list of/v,
	);
	t.regex(
		problems[4]!,
		/entry 3 \(23\/tcp\): unknown field "desc"; accepted/v,
		'nothing near',
	);
});

test('"TCP" and "Udp" are read as tcp and udp', async (t) => {
	const userFile = await temporaryFile({
		entries: [
			{port: 9999, protocol: 'TCP', service: 'inhouse'},
			{port: 9999, protocol: 'Udp', service: 'inhouse'},
		],
	});
	const catalogue = await loadCatalogue({...small, userFile});
	t.is(catalogue.byPair(9999, 'tcp')?.id, '9999/tcp');
	t.is(catalogue.byPair(9999, 'udp')?.protocol, 'udp');
});

test('a port and protocol given twice is an error naming both entries, in any case of protocol', async (t) => {
	const problems = await problemsOf({
		entries: [
			entry,
			{port: 80, protocol: 'tcp', service: 'http'},
			{...entry, protocol: 'TCP', service: 'ssh-alt'},
			{port: 6000, endPort: 6009, protocol: 'tcp', service: 'x11'},
			{port: 6000, endPort: 6009, protocol: 'tcp', service: 'x11-again'},
			{port: 6000, protocol: 'tcp', service: 'x0'},
		],
	});
	t.deepEqual(
		problems.map((line) => line.replace(/^"[^"]+": /v, '')),
		[
			'entry 3 (22/tcp "ssh-alt") repeats entry 1 (22/tcp "ssh"); give each port and protocol one entry',
			'entry 5 (6000-6009/tcp "x11-again") repeats entry 4 (6000-6009/tcp "x11"); give each port and protocol one entry',
		],
	);
});

for (const [name, text, where] of [
	[
		'a comma after the last field',
		'{\n  "entries": [\n    {"port": 22, "protocol": "tcp", "service": "ssh",}\n  ]\n}\n',
		/line 3, column 54: found "\}"; expected another item after the comma/v,
	],
	[
		'a missing comma',
		'{"entries": [\n{"port": 22\n "protocol": "tcp"}]}',
		/line 3, column 2: found "\\""; expected "," or "\}"/v,
	],
	[
		'a comment',
		'// mine\n{"entries": []}',
		/line 1, column 1: found "\/" \(JSON has no comments\)/v,
	],
	[
		'a file cut short',
		'{"entries": [',
		/line 1, column 14: the file ends; expected a value/v,
	],
	[
		'single quotes',
		"{'entries': []}",
		/line 1, column 2: found "'"; expected a field name in double quotes/v,
	],
	[
		'a bad escape',
		String.raw`{"entries": [], "$schema": "c:\x"}`,
		/line 1, column 32: found "x"; expected an escape/v,
	],
	[
		'a line break in a string',
		'{"$schema": "a\nb", "entries": []}',
		/line 1, column 15: found "\\n"; expected no control character/v,
	],
	[
		'text after the end',
		'{"entries": []} x',
		/line 1, column 17: found "x"; expected the end of the file/v,
	],
	[
		'a word cut short',
		'{"entries": [], "x": tru }',
		/line 1, column 25: found " "; expected the rest of true/v,
	],
	[
		'columns count characters',
		'{"$schema": "ü€😀", "entries": [}',
		/line 1, column 32: found "\}"; expected a value/v,
	],
] as const) {
	test(`JSON syntax errors give line and column: ${name}`, async (t) => {
		const problems = await problemsOf(text);
		t.is(problems.length, 1);
		t.regex(problems[0]!, /^"[^"]+": not valid JSON at /v);
		t.regex(problems[0]!, where);
	});
}

test('the scan agrees with JSON.parse on what is valid: deep nesting parses, an unclosed one does not', async (t) => {
	const deep = `{"entries": [], "$schema": "x", "y": ${'['.repeat(3000)}${']'.repeat(3000)}}`;
	const problems = await problemsOf(deep);
	t.regex(
		problems[0]!,
		/unknown top-level field "y"/v,
		'valid JSON goes on to the schema',
	);
	const open = await problemsOf(`{"entries": ${'['.repeat(3000)}`);
	t.regex(open[0]!, /line 1, column 3013: the file ends/v);
});

async function defaultFile(
	content: unknown,
): Promise<{home: string; file: string}> {
	const home = await temporaryDirectory();
	await mkdir(path.join(home, 'portui'));
	const file = path.join(home, 'portui', 'catalogue.json');
	await writeFile(
		file,
		typeof content === 'string' ? content : JSON.stringify(content),
	);
	return {home, file};
}

const broken = {
	entries: [
		{port: 22, proto: 'tcp', service: 'ssh'},
		{port: 9999, protocol: 'udp', service: 'x', verdict: 'bad'},
	],
};

test('a broken default file is one warning and is left out; a named one is refused', async (t) => {
	const {file} = await defaultFile(broken);
	const warnings: string[] = [];
	// The default file is found through $XDG_CONFIG_HOME when userFile is left out.
	const env = process.env.XDG_CONFIG_HOME;
	process.env.XDG_CONFIG_HOME = path.dirname(path.dirname(file));
	try {
		const loaded = await loadCatalogue({
			...small,
			onWarning(line) {
				warnings.push(line);
			},
		});
		t.is(loaded.curated.length, 5, 'the curated entries carry on');
		t.is(loaded.byPair(9999, 'udp'), undefined, 'nothing of the broken file');
		t.is(warnings.length, 1);
		t.regex(
			warnings[0]!,
			/^"[^"]+catalogue\.json": entry 1: unknown field "proto" \(did you mean "protocol"\?\).* \(and 1 more\); this file is ignored until fixed \(every error: portui list --catalogue "[^"]+catalogue\.json"\)$/v,
		);
		await t.throwsAsync(loadCatalogue({...small, userFile: file}), {
			instanceOf: CatalogueError,
		});
	} finally {
		if (env === undefined) {
			delete process.env.XDG_CONFIG_HOME;
		} else {
			process.env.XDG_CONFIG_HOME = env;
		}
	}
});

test('portui wait carries on past a broken default file, with one warning line', async (t) => {
	const {home, file} = await defaultFile(
		'{"entries": [\n  {"port": 6379, "protocol": "tcp", "service": "redis",}\n]}',
	);
	const server = net.createServer((socket) => {
		socket.destroy();
	});
	await new Promise<void>((resolve) => {
		server.listen(6379, '127.0.25.13', resolve);
	});
	t.teardown(() => {
		server.close();
	});
	const result = await runCli(
		['wait', '127.0.25.13:redis', '--timeout', '10s', '--quiet'],
		{env: {XDG_CONFIG_HOME: home}},
	);
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	const lines = result.stderr.trimEnd().split('\n');
	t.is(lines.length, 1, `stderr: ${result.stderr}`);
	t.is(
		lines[0],
		`portui: warning: ${JSON.stringify(file)}: not valid JSON at line 2, column 56: found "}"; expected another item after the comma (JSON allows no comma after the last one); this file is ignored until fixed (every error: portui list --catalogue ${JSON.stringify(file)})`,
	);
});

test('--catalogue with the same file: exit 2, one line an error, no stack trace', async (t) => {
	const {file} = await defaultFile(broken);
	const result = await runCli(['list', 'ssh', '--catalogue', file]);
	t.is(result.exitCode, 2);
	t.is(result.stdout, '');
	const lines = result.stderr.trimEnd().split('\n');
	t.is(lines.length, 2, `stderr: ${result.stderr}`);
	t.true(
		lines.every((line) =>
			line.startsWith(`portui: ${JSON.stringify(file)}: entry `),
		),
	);
	t.regex(
		lines[1]!,
		/entry 2 \(9999\/udp\): field "verdict" is "bad"; expected one of/v,
	);
	t.notRegex(result.stderr, /\n\s+at /v, 'no stack trace');
	t.false(hasUnsafeCharacter(result.stderr.replaceAll('\n', '')));
});

test('hostile text in a misspelt field is escaped in the hint too', async (t) => {
	const problems = await problemsOf({
		entries: [{port: 22, service: 'ssh', 'protocl\u001B': 'tcp'}],
	});
	t.is(problems.length, 1);
	t.regex(
		problems[0]!,
		/entry 1: unknown field "protocl\\u001b" \(did you mean "protocol"\?\)/v,
	);
	t.false(hasUnsafeCharacter(problems[0]!));
});
