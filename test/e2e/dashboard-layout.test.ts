import {spawn, type ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import {symlink} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {temporaryDirectory, temporaryFile} from '../helpers/catalogue.js';
import {ensureBuilt} from '../helpers/cli.js';
import {
	binPath,
	footer,
	isFrameDrawn,
	PtySession,
	spawnPortui,
	startDashboard,
} from '../helpers/pty.js';

// Issue 13 items 1, 2, 6, 10 and 11 through the built binary in a real pseudo-terminal, read back
// through xterm.js. Traffic: loopback only: 127.0.0.1 (the curated ports in view) and the test's
// holder on 127.0.21.3, an address of its own.

/** Fifteen characters: the most a process name (comm) holds. */
const holderName = 'portuie2eholder';
const banner = 'SSH-2.0-OpenSSH_9.6p1 Debian-e2e-layout-banner-read-in-full';
/** The holder's address: one of its own, so no other listener on 127.0.0.1 takes the port. */
const address = '127.0.21.3';
const remarkEnd = 'and this is where the remark ends.';

type Holder = {readonly port: number; readonly child: ChildProcess};

/**
 * A listener in a process of its own named `portuie2eholder` (node run through a symlink of that
 * name: the kernel names a process after the file it executed), greeting with an SSH banner.
 */
async function startHolder(t: ExecutionContext): Promise<Holder> {
	const directory = await temporaryDirectory();
	const program = path.join(directory, holderName);
	await symlink(process.execPath, program);
	const child = spawn(
		program,
		[
			'-e',
			`const s = require('node:net').createServer((c) => { c.on('error', () => {}); c.end(${JSON.stringify(`${banner}\r\n`)}); });
			s.listen(0, '127.0.21.3', () => console.log(s.address().port));`,
			'--',
			'--e2e-argument',
		],
		{stdio: ['ignore', 'pipe', 'inherit']},
	);
	t.teardown(() => {
		child.kill();
	});
	const [data] = (await once(child.stdout, 'data')) as [Uint8Array];
	return {port: Number(String(data).trim()), child};
}

async function catalogueFor(port: number): Promise<string> {
	return temporaryFile({
		entries: [
			{
				port,
				protocol: 'tcp',
				service: 'e2eholder',
				longName: 'the layout test listener',
				daemons: ['sshd'],
				launch: ['standalone'],
				verdict: 'insecure',
				pageClaim: 'the old page called this port telnet',
				remark: `A long remark that the detail strip cuts and the describe view shows whole, line after line, as many lines as it takes, ${remarkEnd}`,
			},
		],
	});
}

/**
 * Waits for the describe view's window that starts at line `first` and keeps its lines by
 * number in `byNumber`; says whether lines follow below it.
 */
async function readWindow(
	session: PtySession,
	first: number,
	byNumber: Map<number, string>,
): Promise<{hasMore: boolean}> {
	const noteOf = (s: PtySession) =>
		s.lines.find((line) => line.includes('Esc closes')) ?? '';
	await session.waitFor(
		(s) => {
			const note = noteOf(s);
			return first === 1
				? note !== '' && !/lines (?!1-)/v.test(note)
				: note.includes(`lines ${first}-`);
		},
		{description: `the describe view from line ${first}`},
	);
	const {lines} = session;
	const top = lines.findIndex((line) => /^[┏┌+]/v.test(line));
	const bottom = lines.findIndex((line) => line.includes('Esc closes'));
	for (const [index, line] of lines.slice(top + 1, bottom).entries()) {
		byNumber.set(
			first + index,
			line.replace(/^[┃│\|] /v, '').replace(/ *[┃│\|]$/v, ''),
		);
	}

	return {hasMore: lines[bottom]!.includes('j k scroll')};
}

/** The holder's row: `/e2eholder` and Enter leave it the one row in view. */
async function findHolder(session: PtySession): Promise<string> {
	session.write('/e2eholder');
	await session.waitFor(
		(s) => !s.lines.some((line) => /\b22 +tcp +ssh/v.test(line)),
		{description: 'the search to leave only the test entry'},
	);
	session.write('\r');
	await session.waitFor(
		(s) =>
			footer(s).includes('move') &&
			s.lines.some(
				(line) => line.includes(`✗ ${holderName}`) && line.includes('SSH-2.0'),
			),
		{description: 'the holder open and identified', timeoutMs: 15_000},
	);
	return session.lines.find(
		(line) => line.includes('e2eholder') && /[┃│]/v.test(line),
	)!;
}

test.before(async () => {
	await ensureBuilt();
});

for (const [columns, rows] of [
	[80, 24],
	[120, 40],
] as const) {
	test.serial(
		`at ${columns}x${rows} the live pane shows a 15-character process name and the start of the banner`,
		async (t) => {
			const holder = await startHolder(t);
			const session = await startDashboard(
				t,
				[address, '--catalogue', await catalogueFor(holder.port)],
				{columns, rows},
			);
			const row = await findHolder(session);
			// At 80 columns who and what answered share a column; wider, each has its own.
			t.regex(
				row,
				columns >= 120
					? new RegExp(String.raw`✗ ${holderName} +SSH-2\.0-OpenSSH_9\.6`, 'v')
					: new RegExp(String.raw`✗ ${holderName} SSH-2\.0-Open`, 'v'),
				`${row}`,
			);

			// Ctrl-L draws the same frame again, panes and all.
			session.write('\f');
			await session.waitFor((s) => isFrameDrawn(s) && s.lines.includes(row), {
				description: 'the frame drawn again by Ctrl-L',
			});

			// Tab: the detail strip follows the focus to the live pane.
			session.write('\t');
			await session.waitForText(/held by portuie2eholder \(pid \d+\)/v);
		},
	);

	test.serial(
		`at ${columns}x${rows} Enter describes the port in full, j scrolls it, Esc closes it`,
		async (t) => {
			const holder = await startHolder(t);
			const session = await startDashboard(
				t,
				[address, '--catalogue', await catalogueFor(holder.port)],
				{columns, rows},
			);
			await findHolder(session);
			session.write('\r');
			// The view's lines by number, read a window at a time on the way down. A window is read
			// once its note (`lines 3-20/22`, the pane's last row, the last one written) says where
			// it stands: the rows above it came in the same frame, before it.
			const byNumber = new Map<number, string>();
			let note = await readWindow(session, 1, byNumber);
			for (let first = 2; note.hasMore && first < 40; first++) {
				session.write('j');
				// eslint-disable-next-line no-await-in-loop -- one line at a time
				note = await readWindow(session, first, byNumber);
			}

			const content = [...byNumber.entries()]
				.toSorted(([a], [b]) => a - b)
				.map(([, line]) => line);
			const text = content.join('\n');
			// Wrapped at word boundaries: read across the lines as a person does.
			const prose = content.map((line) => line.trim()).join(' ');
			t.true(prose.includes(remarkEnd), 'the whole remark');
			t.regex(text, /daemons: sshd/v);
			t.regex(text, /verdict: insecure/v);
			t.regex(text, /launch: standalone/v);
			t.regex(
				text,
				/IPv4 127\.0\.21\.3 +open +connected|IPv4 127\.0\.21\.3 +open +listening/v,
			);
			t.true(text.includes(`answered: ${banner}`), 'the whole banner');
			t.regex(
				text,
				new RegExp(
					String.raw`pid ${holder.child.pid}  user root \(0\)  tcp 127\.0\.21\.3:${holder.port}  ${holderName}`,
					'v',
				),
			);
			t.regex(prose, /\/portuie2eholder -e const s = require/v);
			t.regex(prose, /-- --e2e-argument/v);
			session.write('\u001B');
			await session.waitFor(
				(s) => isFrameDrawn(s) && !s.screen.includes('Esc closes'),
				{description: 'the describe view closed'},
			);
			t.false(
				session.lines.some((line) => /^[┃│] >\*/v.test(line)),
				'Enter pinned nothing',
			);
		},
	);

	test.serial(
		`at ${columns}x${rows} the column widths do not change when a range scrolls into view`,
		async (t) => {
			const session = await startDashboard(t, ['127.0.0.1'], {columns, rows});
			const headings = () => session.lines[3] ?? '';
			const first = headings();
			session.write('G');
			await session.waitFor(
				(s) => s.lines.some((line) => line.includes('27000')),
				{description: 'the last rows, FlexLM 27000-27009 among them'},
			);
			await session.waitForQuiet(300, {timeoutMs: 5000}).catch(() => undefined);
			t.is(headings(), first);
			t.notRegex(
				session.lines.slice(4).join('\n'),
				/\bok\b/v,
				'no verdict cut to ok',
			);
		},
	);
}

/** Every pane row ends with the live pane's right border (heavy or light). */
const hasRightBorders = (session: PtySession) => {
	const {cols} = session.terminal;
	const paneRows = session.lines.filter((line) => /^[┃│┏┌┗└]/v.test(line));
	return (
		paneRows.length > 3 &&
		paneRows.every((line) => line.length === cols && /[┃│┓┐┛┘]$/v.test(line))
	);
};

test.serial(
	'resized from 140x45 to 70x20 and back during sweeps, the live pane keeps its right border; Ctrl-L repaints over stray text',
	async (t) => {
		const session = await startDashboard(
			t,
			['127.0.0.1', '--interval', '100ms'],
			{columns: 140, rows: 45},
		);
		for (let round = 0; round < 5; round++) {
			for (const [columns, rows] of [
				[70, 20],
				[140, 45],
			] as const) {
				session.resize(columns, rows);
				// eslint-disable-next-line no-await-in-loop -- each size is checked before the next
				await session.waitFor(
					(s) => isFrameDrawn(s) && s.lines[2]?.length === columns,
					{description: `the layout at ${columns}x${rows}`},
				);
				// eslint-disable-next-line no-await-in-loop
				await session
					.waitForQuiet(300, {timeoutMs: 3000})
					.catch(() => undefined);
				t.true(
					hasRightBorders(session),
					`${columns}x${rows}:\n${session.screen}`,
				);
			}
		}

		// A wall(1) message written over the frame: only a full redraw removes it.
		// Written straight into the emulator, not through the pty: no output event follows, and a
		// dashboard with nothing changing writes nothing, so check once the emulator has parsed it.
		await new Promise<void>((resolve) => {
			session.terminal.write(
				'\u001B[6;10Hbroadcast message from root',
				resolve,
			);
		});
		t.true(
			session.screen.includes('broadcast message'),
			'the stray text on the screen',
		);
		session.write('\f');
		await session.waitFor(
			(s) => !s.screen.includes('broadcast message') && hasRightBorders(s),
			{description: 'the screen drawn again by Ctrl-L'},
		);
		t.true(hasRightBorders(session));
	},
);

test.serial(
	'at 40x12 the size notice wraps; at 60x16 the help scrolls to its last line',
	async (t) => {
		const session = spawnPortui(['127.0.0.1'], {columns: 40, rows: 12});
		t.teardown(async () => session.dispose());
		await session.waitForText(/press q\./v);
		t.is(
			session.lines
				.map((line) => line.trim())
				.filter(Boolean)
				.join(' '),
			'portui needs 60x16; this terminal is 40x12. Enlarge it, or press q.',
		);
		session.resize(60, 16);
		await session.waitFor(isFrameDrawn, {description: 'the layout at 60x16'});
		session.write('?');
		await session.waitForText(/j k scroll/v);
		t.false(
			session.screen.includes('live: sweeps arrive'),
			'the last line below',
		);
		session.write('G');
		await session.waitForText(/live: sweeps arrive on time/v);
		t.false(
			session.screen.includes('PgUp PgDn'),
			'the first keys scrolled away',
		);
	},
);

for (const term of ['dumb', undefined]) {
	test.serial(
		`TERM=${term ?? '(unset)'} prints the plain snapshot, not the full-screen dashboard`,
		async (t) => {
			// Node-pty sets TERM itself: env(1) sets or unsets it for portui.
			const session = new PtySession(
				'env',
				[
					...(term ? [`TERM=${term}`] : ['-u', 'TERM']),
					process.execPath,
					binPath,
					'127.0.0.1',
				],
				{columns: 80, rows: 24},
			);
			t.teardown(async () => session.dispose());
			const {exitCode} = await session.waitForExit({timeoutMs: 20_000});
			t.is(exitCode, 0);
			t.false(session.output.includes('\u001B[?1049h'), 'no alternate screen');
			t.regex(session.output, /# portui snapshot of 127\.0\.0\.1/v);
			t.regex(session.output, /TERM is dumb or unset/v);
		},
	);
}
