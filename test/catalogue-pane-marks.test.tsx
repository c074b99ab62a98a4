import {stripVTControlCharacters} from 'node:util';
import test from 'ava';
import {smallCatalogue} from './helpers/catalogue.js';

// Styles reach the frame only when chalk (Ink's, loaded once a process) thinks the terminal has them.
// eslint-disable-next-line import-x/no-extraneous-dependencies, n/no-extraneous-import -- Ink's own chalk
const {default: chalk} = await import('chalk');
chalk.level = 1;
const {render} = await import('ink-testing-library');
const {CataloguePane} = await import('../source/components/catalogue-pane.js');

const bold = '\u001B[1m';
const underline = '\u001B[4m';
/** The stretches of a frame drawn bold and underlined, as the search marks them. */
const marked = (frame: string) =>
	// eslint-disable-next-line no-control-regex -- the escapes are what is looked for
	[...frame.matchAll(/\u001B\[4m(?:\u001B\[1m)?([^\u001B]*)/gv)].map(
		(match) => match[1],
	);

async function frameFor(
	query: string | undefined,
	width = 80,
	selected?: {port: number},
) {
	const {curated} = await smallCatalogue();
	const entry = curated.find(({port}) => port === selected?.port);
	const {lastFrame, unmount} = render(
		<CataloguePane
			isAscii
			width={width}
			height={10}
			isFocused={entry !== undefined}
			isColor={false}
			entries={curated}
			selectedId={entry?.id}
			pinned={new Set(entry ? [`${entry.port}/${entry.protocol}`] : [])}
			emptyText="nothing"
			query={query}
		/>,
	);
	const frame = lastFrame() ?? '';
	unmount();
	return frame;
}

test('what the search matched is marked in the port, service and daemons', async (t) => {
	const frame = await frameFor('ssh');
	t.true(frame.includes(`${underline}${bold}ssh`), `${JSON.stringify(frame)}`);
	// 22/tcp ssh with sshd, 2222/tcp sshalt with sshd.
	t.deepEqual(marked(frame), ['ssh', 'ssh', 'ssh', 'ssh']);
});

test('digits mark the start of a port, and a port inside a range the whole range', async (t) => {
	t.deepEqual(marked(await frameFor('22')), ['22', '22']);
	t.deepEqual(marked(await frameFor('6005')), ['6000-6063']);
});

test('no query, no marks; a mark cut with its cell stays inside the cell', async (t) => {
	t.deepEqual(marked(await frameFor(undefined)), []);
	t.deepEqual(marked(await frameFor('')), []);
	// At 36 columns the service column holds "domai…": the mark covers what is shown.
	const narrow = await frameFor('domain', 36);
	t.true(marked(narrow).every((text) => 'domain'.startsWith(text!)));
});

test('the port shares its cell with the selection and pin marks; the search marks only its digits', async (t) => {
	for (const width of [28, 80]) {
		// eslint-disable-next-line no-await-in-loop -- one width at a time
		const frame = await frameFor('22', width, {port: 22});
		t.deepEqual(marked(frame), ['22', '22'], `${width}`);
		t.regex(stripVTControlCharacters(frame), /^\| >\* +22 +tcp +ssh/mv);
	}
});
