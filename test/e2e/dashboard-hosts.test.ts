import test from 'ava';
import {temporaryDirectory} from '../helpers/catalogue.js';
import {ensureBuilt} from '../helpers/cli.js';
import {header, hostLine, rowOf} from '../helpers/dashboard-screen.js';
import {listenTcp} from '../helpers/probe-servers.js';
import {spawnPortui} from '../helpers/pty.js';

// Two loopback hosts of this task's range in one dashboard at 80x24, through the built binary:
// a listener on the first closes and comes back while both are watched, and h shows the second.

const first = '127.0.21.1';
const second = '127.0.21.2';

test.before(async () => {
	await ensureBuilt();
});

test('two hosts at 80x24: both watched at once, a change on the one not shown counts and logs, h shows the other', async (t) => {
	// One port number on both hosts: open on the first, closed on the second.
	const listener = await listenTcp(t, {host: first});
	const {port} = listener;
	const onSecond = await listenTcp(t, {host: second});
	const closedPort = onSecond.port;
	await onSecond.close();
	const session = spawnPortui(
		[
			first,
			second,
			`${port},${closedPort}`,
			'--interval',
			'250ms',
			'--timeout',
			'300ms',
		],
		{columns: 80, rows: 24, env: {XDG_STATE_HOME: await temporaryDirectory()}},
	);
	t.teardown(async () => session.dispose());

	await session.waitFor(
		(s) =>
			header(s).includes(first) &&
			hostLine(s).includes(`${first} 1 open · ${second} 0 open`) &&
			/\bopen\b/v.test(rowOf(s, port)),
		{description: 'both hosts swept, the first shown'},
	);
	t.true(session.lines.every((line) => line.length <= 80));

	// Shown: the second. Its listener-less port reads closed at once: its watch ran all along.
	session.write('h');
	await session.waitFor(
		(s) =>
			header(s).includes(second) &&
			/\bclosed\b/v.test(rowOf(s, port)) &&
			/\bclosed\b/v.test(rowOf(s, closedPort)),
		{description: 'h: the second host, its own rows'},
	);

	// The first host's port goes down while the second is shown.
	await listener.close();
	await session.waitFor(
		(s) =>
			hostLine(s).includes(`${first} 0 open 1 down`) &&
			s.lines.some((line) =>
				line.includes(`${first}  ${port}/tcp  open -> closed`),
			),
		{
			description:
				'the first host’s port down: counted and logged with its host',
		},
	);
	t.true(header(session).includes(second), 'the second host still shown');

	await listenTcp(t, {host: first, port});
	await session.waitFor(
		(s) =>
			hostLine(s).includes(`${first} 1 open`) &&
			!hostLine(s).includes('down') &&
			s.lines.some(
				(line) =>
					line.includes(`${first}  ${port}/tcp  closed -> open`) &&
					/down \d/v.test(line),
			),
		{description: 'back: the down count gone, the log says for how long'},
	);

	session.write('H');
	await session.waitFor(
		(s) => header(s).includes(first) && /\bopen\b/v.test(rowOf(s, port)),
		{description: 'H: the first host again, its port open'},
	);
	session.write('q');
	const status = await session.waitForExit();
	t.is(status.exitCode, 0);
});

test('a bad host among several: one line naming it, exit 2', async (t) => {
	const session = spawnPortui([first, 'bad host', second], {
		columns: 80,
		rows: 24,
	});
	t.teardown(async () => session.dispose());
	const status = await session.waitForExit();
	t.is(status.exitCode, 2);
	t.regex(session.output, /bad host "bad host"; accepted: a host name/v);
	t.notRegex(session.output, /\n\s+at /v, 'no stack trace');
});
