import {once} from 'node:events';
import {createServer, type Server} from 'node:net';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {temporaryFile} from '../helpers/catalogue.js';
import {ensureBuilt, startCli} from '../helpers/cli.js';
import {
	binPath,
	footer,
	headerPattern,
	isFrameDrawn,
	type PtyOptions,
	PtySession,
	spawnPortui,
	startDashboard,
} from '../helpers/pty.js';

// End to end through the built binary in a real pseudo-terminal, read back through xterm.js.
// Every probe goes to 127.0.0.1: the curated ports in view (all below 1000) and the one port
// the test opens. The tests run one at a time: each starts a dashboard that sweeps four times a
// second, and the machine is small and shared.

const service = 'e2eprobe';

async function listen(port = 0): Promise<Server> {
	const server = createServer((socket) => {
		socket.destroy();
	});
	server.listen(port, '127.0.0.1');
	await once(server, 'listening');
	return server;
}

async function close(server: Server): Promise<void> {
	await new Promise<void>((resolve) => {
		server.close(() => {
			resolve();
		});
	});
}

const portOf = (server: Server) => (server.address() as {port: number}).port;

/** A user catalogue naming the test's port, so a search finds it and the live pane watches it. */
async function catalogueWith(port: number): Promise<string> {
	return temporaryFile({
		entries: [
			{
				port,
				protocol: 'tcp',
				service,
				longName: 'the end-to-end test listener',
				verdict: 'caution',
				remark: 'Opened and closed by test/e2e/dashboard.test.ts.',
			},
		],
	});
}

async function startTestDashboard(
	t: ExecutionContext,
	port: number,
	options: PtyOptions = {},
): Promise<PtySession> {
	return startDashboard(
		t,
		[
			'127.0.0.1',
			'--interval',
			'250ms',
			'--timeout',
			'500ms',
			'--catalogue',
			await catalogueWith(port),
		],
		options,
	);
}

/**
 * Searches for the test's entry, so that it is the one row in view and watched: `/` and the name
 * in one read (as a paste, or quick typing over ssh, delivers them), then Enter.
 */
async function findTestEntry(session: PtySession): Promise<void> {
	session.write(`/${service}`);
	await session.waitFor(
		(s) =>
			s.lines.some((line) => line.includes(service)) &&
			!s.lines.some((line) => /\b22 +tcp +ssh/v.test(line)),
		{description: 'the search to leave only the test entry'},
	);
	session.write('\r');
	await session.waitFor((s) => footer(s).includes('move'), {
		description: 'the search kept and the keys back on the panes',
	});
}

/** The row of the catalogue/live panes that shows the test entry. */
const paneRow = (session: PtySession) =>
	session.lines.find(
		(line) => line.includes(service) && /[┃│\|]/v.test(line),
	) ?? '';

/** The frame fits: never taller than rows-1 (Ink redraws the whole screen on every update from there). */
function assertFits(t: ExecutionContext, session: PtySession) {
	const {rows} = session.terminal;
	t.true(
		session.usedRows <= rows - 1,
		`frame of ${session.usedRows} rows in a terminal of ${rows}:\n${session.screen}`,
	);
}

/** The layout as drawn fresh: header once on top, the panes' top and bottom borders once each and as wide as the terminal, the footer last. */
function assertCleanLayout(t: ExecutionContext, session: PtySession) {
	const {lines} = session;
	const {cols} = session.terminal;
	const used = lines.slice(0, session.usedRows);
	const {screen} = session;
	t.regex(used[0] ?? '', headerPattern, screen);
	t.is(
		used.filter((line) => headerPattern.test(line)).length,
		1,
		`one header:\n${screen}`,
	);
	const tops = used.filter(
		(line) =>
			/^[┏┌+]/v.test(line) &&
			/[┓┐+]$/v.test(line) &&
			/^[┏┌+][━─\-]/v.test(line),
	);
	t.true(tops.length > 0, `pane borders drawn:\n${screen}`);
	for (const border of tops) {
		t.is(border.length, cols, `a border as wide as the terminal:\n${screen}`);
	}

	const topRows = used.filter((line) => /^[┏┌]/v.test(line)).length;
	const bottomRows = used.filter((line) => /^[┗└]/v.test(line)).length;
	t.is(topRows, 1, `one row of top borders:\n${screen}`);
	t.is(bottomRows, 1, `one row of bottom borders:\n${screen}`);
	t.regex(used.at(-1)!, /move|Esc/v, `the footer is the last row:\n${screen}`);
	assertFits(t, session);
}

function assertRestored(t: ExecutionContext, session: PtySession) {
	t.is(session.bufferType, 'normal', 'back on the main screen');
	t.true(session.isCursorVisible, 'cursor shown');
	t.true(session.terminal.modes.wraparoundMode, 'autowrap back on');
	t.true(session.output.includes('\u001B[?1049h'), 'used the alternate screen');
	t.true(
		session.output.lastIndexOf('\u001B[?1049l') >
			session.output.lastIndexOf('\u001B[?1049h'),
		'left it last',
	);
}

test.before(async () => {
	await ensureBuilt();
});

test.serial(
	'at 80x24 both panes show; a listener closed and reopened reads open -> closed -> open with its downtime; q restores the terminal',
	async (t) => {
		let server = await listen();
		const port = portOf(server);
		t.teardown(async () => close(server));
		const session = await startTestDashboard(t, port);
		t.regex(session.screen, /\bstate\b/v, 'the live pane heading');
		t.regex(session.screen, /\bservice\b/v, 'the catalogue pane heading');
		assertCleanLayout(t, session);

		await findTestEntry(session);
		await session.waitFor((s) => /\bopen\b/v.test(paneRow(s)), {
			description: 'the test port open in the pane',
		});

		await close(server);
		await session.waitFor((s) => /\bclosed\b/v.test(paneRow(s)), {
			description: 'the test port closed in the pane',
		});
		const closedEvent = new RegExp(
			`${port}/tcp ${service} +open -> closed`,
			'v',
		);
		await session.waitForText(closedEvent);

		server = await listen(port);
		await session.waitFor((s) => /\bopen\b/v.test(paneRow(s)), {
			description: 'the test port open again',
		});
		const reopenedEvent = new RegExp(
			String.raw`${port}/tcp ${service} +closed -> open +down \d`,
			'v',
		);
		await session.waitForText(reopenedEvent);
		t.regex(session.screen, closedEvent);
		assertFits(t, session);

		session.write('q');
		const status = await session.waitForExit();
		t.is(status.exitCode, 0);
		assertRestored(t, session);
	},
);

test.serial(
	'a listener started while its row is out of view: back in view, no change or downtime is invented',
	async (t) => {
		// A free port: listened on, then closed, so the row first reads closed.
		const probe = await listen();
		const port = portOf(probe);
		await close(probe);
		const session = await startTestDashboard(t, port);
		await findTestEntry(session);
		await session.waitFor((s) => /\bclosed\b/v.test(paneRow(s)), {
			description: 'the test port closed in the pane',
		});

		// Out of view: UDP only, so the watch stops observing the test port (TCP).
		session.write('u');
		await session.waitFor((s) => paneRow(s) === '', {
			description: 'the test entry out of view',
		});
		// The watch follows the view once it settles (250 ms): only then is the port unwatched.
		await session.waitForQuiet(600, {timeoutMs: 5000}).catch(() => undefined);
		const server = await listen(port);
		t.teardown(async () => close(server));
		await session.waitForQuiet(600, {timeoutMs: 5000}).catch(() => undefined);

		session.write('a');
		await session.waitFor((s) => /\bopen\b/v.test(paneRow(s)), {
			description: 'the test port back in view, open',
		});
		await session.waitForQuiet(600, {timeoutMs: 5000}).catch(() => undefined);
		const events = session.lines.filter((line) =>
			/^\d\d:\d\d:\d\d {2}/v.test(line),
		);
		t.deepEqual(events, [], 'nothing was seen changing: no event');
		t.regex(
			paneRow(session),
			/open +[\u2265>]\d\d:\d\d/v,
			'seen since the first look',
		);
	},
);

test.serial(
	'resizing to 120x40 and to 60x20 reflows the layout with no stale rows',
	async (t) => {
		const server = await listen();
		t.teardown(async () => close(server));
		// The curated entries in view, even at 120x40, are all below port 1000.
		const session = await startTestDashboard(t, portOf(server));
		assertCleanLayout(t, session);

		for (const [columns, rows] of [
			[120, 40],
			[60, 20],
			[100, 30],
		] as const) {
			session.resize(columns, rows);
			// eslint-disable-next-line no-await-in-loop -- each size is checked before the next
			await session.waitFor(
				(s) =>
					isFrameDrawn(s) &&
					s.lines.some(
						(line) => line.length === columns && /^[┏┌]/v.test(line),
					),
				{description: `the layout redrawn at ${columns}x${rows}`},
			);
			// The frames that follow a resize must not spoil it (a diff against a frame laid out
			// for the old width once cut the last column).
			// eslint-disable-next-line no-await-in-loop
			await session.waitForQuiet(400, {timeoutMs: 5000}).catch(() => undefined);
			assertCleanLayout(t, session);
		}

		session.resize(50, 12);
		await session.waitFor(
			(s) => s.screen.includes('Enlarge it, or press q.') && !isFrameDrawn(s),
			{description: 'the notice below the minimum size, wrapped'},
		);
		assertFits(t, session);
		session.resize(80, 24);
		await session.waitFor(isFrameDrawn, {
			description: 'the layout back at 80x24',
		});
		assertCleanLayout(t, session);

		session.write('q');
		const {exitCode} = await session.waitForExit();
		t.is(exitCode, 0);
		assertRestored(t, session);
	},
);

test.serial(
	'what was on the main screen before is there again after q',
	async (t) => {
		const server = await listen();
		t.teardown(async () => close(server));
		const catalogue = await catalogueWith(portOf(server));
		const session = new PtySession(process.execPath, [
			binPath,
			'127.0.0.1',
			'--catalogue',
			catalogue,
		]);
		t.teardown(async () => session.dispose());
		// What a shell would have left on the screen before portui started.
		session.terminal.write('shell$ portui\r\n');
		await session.waitFor(isFrameDrawn, {description: 'the first full frame'});
		t.is(session.bufferType, 'alternate');
		t.false(session.screen.includes('shell$'));
		session.write('q');
		const {exitCode} = await session.waitForExit();
		t.is(exitCode, 0);
		assertRestored(t, session);
		t.true(
			session.screen.includes('shell$ portui'),
			`main screen:\n${session.screen}`,
		);
	},
);

for (const [signal, number] of [
	['SIGTERM', 15],
	['SIGHUP', 1],
	['SIGINT', 2],
] as const) {
	test.serial(
		`${signal} restores the terminal, then ends portui by that signal`,
		async (t) => {
			const server = await listen();
			t.teardown(async () => close(server));
			const session = await startTestDashboard(t, portOf(server));
			session.kill(signal);
			const status = await session.waitForExit();
			t.is(status.signal, number, 'a shell shows 128 + the signal number');
			assertRestored(t, session);
		},
	);
}

test.serial(
	'a terminal that hangs up (a dropped ssh connection) ends portui by SIGHUP, without the abort Node 20 has at a normal exit then',
	async (t) => {
		const server = await listen();
		t.teardown(async () => close(server));
		const session = await startTestDashboard(t, portOf(server));
		session.hangUp();
		const status = await session.waitForExit({timeoutMs: 10_000});
		// SIGABRT (6) or SIGSEGV (11) here would mean Node crashed on the dead terminal at exit.
		t.is(status.signal, 1);
	},
);

test.serial('Ctrl-C quits like q', async (t) => {
	const server = await listen();
	t.teardown(async () => close(server));
	const session = await startTestDashboard(t, portOf(server));
	session.write('\u0003');
	const {exitCode} = await session.waitForExit();
	t.is(exitCode, 0);
	assertRestored(t, session);
});

test.serial(
	'an error nobody caught restores the terminal and prints one line, no stack trace',
	async (t) => {
		const server = await listen();
		t.teardown(async () => close(server));
		// A real uncaught exception inside the running dashboard, injected from outside its code:
		// a preloaded module throws from a signal handler when the test sends SIGUSR2.
		const fault =
			'process.on("SIGUSR2", () => { throw new Error("injected fault") })';
		const session = await startTestDashboard(t, portOf(server), {
			env: {
				NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(fault)}`,
			},
		});
		session.kill('SIGUSR2');
		const status = await session.waitForExit();
		t.is(status.exitCode, 1);
		assertRestored(t, session);
		t.regex(session.screen, /portui: injected fault/v);
		t.notRegex(session.screen, /^\s+at /mv, 'no stack trace');
	},
);

test.serial(
	'without a terminal: one plain snapshot, the hint on stderr, exit 0',
	async (t) => {
		const server = await listen();
		t.teardown(async () => close(server));
		const port = portOf(server);
		const catalogue = await catalogueWith(port);
		const result = await startCli(
			['127.0.0.1', '--timeout', '500ms', '--catalogue', catalogue],
			{env: {CI: 'false'}},
		).result;
		t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
		t.regex(
			result.stdout,
			/^# portui snapshot of 127\.0\.0\.1 \(127\.0\.0\.1\)/v,
		);
		t.regex(result.stdout, new RegExp(`^${port}/tcp +open +${service} `, 'mv'));
		t.regex(result.stdout, /^22\/tcp +(closed|open) +ssh/mv);
		// eslint-disable-next-line no-control-regex
		t.notRegex(result.stdout, /\u001B/v, 'no escape sequence in a pipe');
		t.regex(result.stderr, /ssh -t/v);
		t.regex(result.stderr, /portui list\/probe\/wait\/watch/v);
		t.is(result.stderr.trim().split('\n').length, 1, 'one line on stderr');
	},
);

test.serial(
	'bad arguments are one line and exit 2, before any terminal change',
	async (t) => {
		const result = await startCli(['--interval', 'soon']).result;
		t.is(result.exitCode, 2);
		t.regex(result.stderr, /^portui: bad --interval "soon"/v);
		t.is(result.stderr.trim().split('\n').length, 1);
		const session = spawnPortui(['--interval', 'soon']);
		t.teardown(async () => session.dispose());
		const {exitCode} = await session.waitForExit();
		t.is(exitCode, 2);
		t.false(
			session.output.includes('\u001B[?1049h'),
			'never entered the alternate screen',
		);
		t.regex(session.screen, /portui: bad --interval/v);
	},
);
