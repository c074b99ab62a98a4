import {setTimeout as delay} from 'node:timers/promises';
import test, {type ExecutionContext} from 'ava';
import {ensureBuilt} from '../helpers/cli.js';
import {type PtySession, spawnPortui} from '../helpers/pty.js';

// The prompts typed as people and pastes deliver them, in a real pseudo-terminal through the
// built binary: a key at a time 1 ms or 10 ms apart (typing over ssh, a paste split into reads),
// or everything in one write. Each round ends with a key typed right after Enter, which must act
// on the dashboard. The targets are loopback addresses of 127.0.22.0/24: nothing listens there
// and nothing leaves the machine.

test.before(async () => {
	await ensureBuilt();
});

const left = '\u001B[D';
const ctrlA = '\u0001';
const ctrlE = '\u0005';
const ctrlW = '\u0017';
const altB = '\u001Bb';
const backspace = '\u007F';

type Pace = {readonly name: string; readonly gapMs?: number};
const paces: readonly Pace[] = [
	{name: '1 ms a key', gapMs: 1},
	{name: '10 ms a key', gapMs: 10},
	{name: 'one paste'},
];

/** Writes the keys one by one `gapMs` apart (an escape sequence is one key), or all at once. */
async function typeKeys(
	session: PtySession,
	keys: readonly string[],
	pace: Pace,
): Promise<void> {
	if (pace.gapMs === undefined) {
		session.write(keys.join(''));
		return;
	}

	for (const key of keys) {
		session.write(key);
		// eslint-disable-next-line no-await-in-loop -- the pace of a typist is the point
		await delay(pace.gapMs);
	}
}

/** Each character its own key, as a typist sends them. */
const letters = (text: string) => [...text];

const header = (session: PtySession) => session.lines[0] ?? '';
const promptRow = (session: PtySession) => session.lines[1] ?? '';

/** The selected catalogue row (`>`) is the last row of the pane: G was obeyed. */
function isLastSelected(session: PtySession): boolean {
	const {lines} = session;
	const selected = lines.findIndex((line) => /^[┃│\|] >/v.test(line));
	return selected !== -1 && /^[┗└+]/v.test(lines[selected + 1] ?? '');
}

function isFirstSelected(session: PtySession): boolean {
	const {lines} = session;
	const selected = lines.findIndex((line) => /^[┃│\|] >/v.test(line));
	return selected !== -1 && /port +pro/v.test(lines[selected - 1] ?? '');
}

async function promptRounds(
	t: ExecutionContext,
	columns: number,
	rows: number,
): Promise<void> {
	const session = spawnPortui(
		['127.0.22.1', '--interval', '1s', '--timeout', '200ms'],
		{columns, rows},
	);
	t.teardown(async () => session.dispose());
	await session.waitFor((s) => isFirstSelected(s), {
		description: 'the first frame',
	});

	for (const [index, pace] of paces.entries()) {
		const host = `127.0.22.${10 + index}`;
		// A host typed with a slip mended by Ctrl-A and Ctrl-E, Enter, and G at once after it.
		// eslint-disable-next-line no-await-in-loop
		await typeKeys(
			session,
			[':', ...letters(host.slice(1)), ctrlA, '1', ctrlE, '\r', 'G'],
			pace,
		);
		// eslint-disable-next-line no-await-in-loop
		await session.waitFor(
			(s) => header(s).includes(`portui  ${host} `) && isLastSelected(s),
			{description: `${host} watched and G obeyed (${pace.name})`},
		);

		// A search with a typo erased, and `?` right after its Enter.
		// eslint-disable-next-line no-await-in-loop
		await typeKeys(
			session,
			['g', '/', ...letters('postgrex'), backspace, 's', '\r', '?'],
			pace,
		);
		// eslint-disable-next-line no-await-in-loop
		await session.waitFor((s) => s.screen.includes('this help'), {
			description: `the help opened by the key after Enter (${pace.name})`,
		});
		session.write('?');
		// eslint-disable-next-line no-await-in-loop
		await session.waitFor(
			(s) =>
				promptRow(s).startsWith('/postgres  (/ to edit') && isFirstSelected(s),
			{description: `the query kept exactly (${pace.name})`},
		);

		// Editing in the middle: Alt-B, Left, Ctrl-W and text inserted at the cursor.
		// eslint-disable-next-line no-await-in-loop
		await typeKeys(
			session,
			['/', ctrlW, ...letters('db one'), altB, left, ctrlW, 'x'],
			pace,
		);
		// eslint-disable-next-line no-await-in-loop
		await session.waitFor((s) => promptRow(s).startsWith('/ x one'), {
			description: `edits in the middle of the line (${pace.name})`,
		});
		session.write(ctrlA + '\u000B\r');
		// eslint-disable-next-line no-await-in-loop
		await session.waitFor(
			(s) => promptRow(s).startsWith('/ to search the catalogue'),
			{description: `the query cleared by Ctrl-A Ctrl-K (${pace.name})`},
		);
	}

	// Up in `:` brings back the hosts used, the current one first.
	session.write(':');
	await session.waitFor((s) => promptRow(s).startsWith('host: '), {
		description: 'the host prompt',
	});
	session.write('\u001B[A');
	await session.waitFor((s) => promptRow(s).startsWith('host: 127.0.22.12'), {
		description: 'Up: the current host',
	});
	session.write('\u001B[A');
	await session.waitFor((s) => promptRow(s).startsWith('host: 127.0.22.11'), {
		description: 'Up again: the host before',
	});
	session.write('\r');
	await session.waitFor((s) => header(s).includes('portui  127.0.22.11 '), {
		description: 'the recalled host watched',
	});
	t.pass();
}

test.serial('prompts get exactly what was typed at 80x24', async (t) => {
	await promptRounds(t, 80, 24);
});

test.serial('prompts get exactly what was typed at 120x40', async (t) => {
	await promptRounds(t, 120, 40);
});
