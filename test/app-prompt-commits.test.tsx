import test from 'ava';
import {recordCommits} from './helpers/commits.js';
import {
	catalogueRows,
	type Mounted,
	mountApp,
	showsSearchLine,
} from './helpers/app.js';

// A key typed into a prompt draws the prompt line, and nothing else: at 10 ms a key (typing over
// ssh) a commit of the whole dashboard a key fell behind the keys (issue 13).
const dashboardParts = new Set([
	'Dashboard',
	'PanesView',
	'CataloguePaneView',
	'LivePaneView',
	'HeaderView',
	'FooterView',
]);

/**
 * Opens a prompt and types `text` into it a key at a time; for each commit that drew the prompt
 * line, the parts of the dashboard it rendered too. React may take a key in the same commit as an
 * update of the dashboard's own (the rows that followed a pause, a sweep, the clock), so some such
 * commits are no fault; a key that renders the dashboard shows in every one.
 */
async function typeInto(
	{
		app,
		commits,
	}: {readonly app: Mounted; readonly commits: readonly string[][]},
	open: string,
	text: string,
	isOpen: (frame: string) => boolean,
): Promise<string[][]> {
	await app.press(open, isOpen, `the prompt ${open}`);
	const from = commits.length;
	for (const [index, key] of [...text].entries()) {
		// eslint-disable-next-line no-await-in-loop -- a key at a time
		await app.press(
			key,
			(frame) => frame.includes(text.slice(0, index + 1)),
			`"${text.slice(0, index + 1)}" on the prompt line`,
		);
	}

	return commits
		.slice(from)
		.filter((names) => names.includes('LineInputView'))
		.map((names) => names.filter((name) => dashboardParts.has(name)));
}

test.serial(
	'a key typed into / or : renders the prompt line alone; the rows follow once typing pauses',
	async (t) => {
		const commits = await recordCommits();
		const app = await mountApp(t);
		const search = await typeInto(
			{app, commits},
			'/',
			'telnet',
			showsSearchLine,
		);
		t.true(search.length > 0, 'the keys drew the search line');
		t.true(
			search.filter((parts) => parts.length === 0).length > search.length / 2,
			`a key rendered the search line alone: ${JSON.stringify(search)}`,
		);
		const frame = await app.press(
			'',
			(frame) =>
				catalogueRows(frame).length === 1 &&
				catalogueRows(frame)[0]!.endsWith('telnet'),
			'the rows searched once typing paused',
		);
		t.true(frame.includes('/ telnet'));

		await app.press('\u001B', (frame) => !showsSearchLine(frame), 'Esc');
		const host = await typeInto({app, commits}, ':', '127.0.22.9', (frame) =>
			frame.includes('host: '),
		);
		t.true(host.length > 0, 'the keys drew the host line');
		t.true(
			host.filter((parts) => parts.length === 0).length > host.length / 2,
			`a key rendered the host line alone: ${JSON.stringify(host)}`,
		);
	},
);
