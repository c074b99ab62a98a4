import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import test from 'ava';
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';
import {inkTable} from '../source/commands/ink-table.js';
import {
	cellWidth,
	type ColumnSpec,
	fitText,
	formatPlainTable,
	terminalTableLines,
} from '../source/text/fit.js';
import {temporaryDirectory} from './helpers/catalogue.js';
import {ensureBuilt, runCli} from './helpers/cli.js';
import {spawnPortui} from './helpers/pty.js';

type Column = 'port' | 'protocol' | 'service' | 'state' | 'remark';

const columns: ReadonlyArray<ColumnSpec<Column>> = [
	{key: 'port', title: 'PORT', minWidth: 4, align: 'right'},
	{key: 'protocol', title: 'PROTO', minWidth: 3},
	{key: 'service', title: 'SERVICE', minWidth: 6, maxWidth: 16, grow: 1},
	{key: 'state', title: 'STATE', minWidth: 6},
	{key: 'remark', title: 'REMARK', minWidth: 10, grow: 4},
];

const row = (port: number, wide = ''): Record<Column, string> => ({
	port: String(port),
	protocol: port % 2 === 0 ? 'tcp' : 'udp',
	service: `service-${'x'.repeat(port % 23)}`,
	state: ['open', 'closed', 'filtered'][port % 3]!,
	remark: `${wide}${'remark '.repeat(port % 17)}end`,
});

const colorOf = (key: Column, value: string) =>
	key === 'state' ? (value === 'open' ? 'green' : 'red') : undefined;

// Item 6: a spread of 131,070 widths into Math.max overflowed the stack.
test('a plain table of every port of both protocols', (t) => {
	const rows = Array.from({length: 131_070}, (_, index) =>
		row(index + 1, '日本 '),
	);
	const text = formatPlainTable(columns, rows);
	const lines = text.split('\n');
	t.is(lines.length, 131_072);
	t.regex(lines[131_070]!, /^131070 {2}tcp {4}service-x+ +open {6}日本/v);
});

test('the line printer aligns wide characters by their cells', (t) => {
	const rows = Array.from({length: 40}, (_, index) => row(index, '日本 '));
	const widths = [
		...terminalTableLines(columns, rows, {width: 70, isColor: true}),
	].map((line) => stringWidth(line));
	t.deepEqual(new Set(widths), new Set([68]));
});

// The line printer must look exactly like the Ink table it stands in for (which misaligns wide
// characters: ink-table pads by UTF-16 units, so the comparison is in ASCII).
for (const width of [60, 80, 200]) {
	for (const isColor of [false, true]) {
		test(`the line printer draws what FittedTable draws: ${width} columns, colour ${isColor}`, (t) => {
			const rows = Array.from({length: 40}, (_, index) => row(index * 7 + 1));
			const ink = inkTable({columns, rows, width, isColor, colorOf});
			const lines = [
				...terminalTableLines(columns, rows, {width, isColor, colorOf}),
			];
			t.deepEqual(
				lines.map((line) => stripVTControlCharacters(line)),
				ink.split('\n').map((line) => stripVTControlCharacters(line)),
			);
			t.is(
				lines.some((line) => line.includes('\u001B[32m')),
				isColor,
			);
		});
	}
}

/** A user catalogue of every port of both protocols: 131,070 entries. */
async function everyPortCatalogue(): Promise<string> {
	const entries = [];
	for (const protocol of ['tcp', 'udp']) {
		for (let port = 1; port <= 65_535; port++) {
			entries.push({port, protocol, service: `p${port}`});
		}
	}

	const file = path.join(await temporaryDirectory(), 'catalogue.json');
	await writeFile(file, JSON.stringify({entries}));
	return file;
}

test('list of 131,070 entries through a pipe prints them all', async (t) => {
	const file = await everyPortCatalogue();
	const result = await runCli(['list', '--catalogue', file]);
	t.is(result.exitCode, 0, `${result.stderr}`);
	const lines = result.stdout.trimEnd().split('\n');
	t.true(lines.length >= 131_071, `${lines.length} lines`);
	t.regex(lines.at(-1)!, /^ *65535 {2}udp {4}p65535 /v);
});

test('list of 131,070 entries on a terminal prints them all, fitted', async (t) => {
	await ensureBuilt();
	const file = await everyPortCatalogue();
	const session = spawnPortui(['list', '--catalogue', file], {
		columns: 80,
		rows: 24,
	});
	t.teardown(async () => session.dispose());
	const status = await session.waitForExit({timeoutMs: 50_000});
	t.is(status.exitCode, 0, `${session.screen}`);
	const rows = session.lines.filter((line) => line.trim() !== '');
	t.regex(rows.at(-1)!, /^│ +65535 │ udp +│ p65535 +│/v);
	t.true(
		session.lines.every((line) => line.length <= 80),
		'fitted to the width',
	);
	const entryLines = stripVTControlCharacters(session.output)
		.split('\n')
		.filter((line) => /│ p\d+ +│/v.test(line));
	t.is(entryLines.length, 131_070);
});

test('the ASCII fast path cuts as cli-truncate does', (t) => {
	for (const text of [
		'',
		'a',
		'ab',
		'hello world',
		'x'.repeat(30),
		' lead',
		'trail ',
	]) {
		for (let width = 1; width <= 32; width++) {
			const cut =
				stringWidth(text) > width
					? cliTruncate(text, width, {position: 'end'})
					: text;
			t.is(fitText(text, width), cut + ' '.repeat(width - stringWidth(cut)));
			t.is(cellWidth(text), stringWidth(text));
		}
	}
});
