import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import {bundle} from '../scripts/build.js';
import {temporaryDirectory} from './helpers/catalogue.js';

const root = path.join(import.meta.dirname, '..');

/** Source/commands/ink-table.tsx as a relative import from `directory`, as portui imports it. */
const tableFrom = (directory: string) =>
	JSON.stringify(
		path.relative(
			directory,
			path.join(root, 'source', 'commands', 'ink-table.js'),
		),
	);

async function entry(directory: string, text: string): Promise<string> {
	const file = path.join(directory, 'entry.ts');
	await writeFile(file, text);
	return file;
}

test('a part of the build imported with import() becomes a script of its own, loaded when it is asked for', async (t) => {
	const directory = await temporaryDirectory();
	const outfile = path.join(directory, 'dist', 'cli.js');
	await mkdir(path.dirname(outfile));
	await bundle({
		entryPoint: await entry(
			directory,
			`globalThis.load = async () => import(${tableFrom(directory)});`,
		),
		outfile,
	});
	const [main, part] = await Promise.all([
		readFile(outfile, 'utf8'),
		readFile(path.join(directory, 'dist', 'ink-table.js'), 'utf8'),
	]);
	t.regex(main, /__portuiPart\("ink-table"\)/v);
	t.false(main.includes('renderToString'), 'Ink stays out of the main script');
	t.regex(part, /__portuiExports\(\{inkTable:/v);
});

test('a part imported statically fails the build, naming it', async (t) => {
	const directory = await temporaryDirectory();
	const error = await t.throwsAsync(
		bundle({
			entryPoint: await entry(
				directory,
				`import {inkTable} from ${tableFrom(directory)};\nconsole.log(inkTable);`,
			),
			outfile: path.join(directory, 'dist', 'cli.js'),
			logLevel: 'silent',
		}),
	);
	t.regex(error?.message ?? '', /is the part "ink-table"/v);
});
