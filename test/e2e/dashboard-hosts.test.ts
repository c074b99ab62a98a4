import {once} from 'node:events';
import {createServer, type Server} from 'node:net';
import test from 'ava';
import {temporaryDirectory} from '../helpers/catalogue.js';
import {ensureBuilt} from '../helpers/cli.js';
import {type PtySession, spawnPortui} from '../helpers/pty.js';

// Two loopback hosts of this task's range in one dashboard at 80x24, through the built binary:
// a listener on the first closes and comes back while both are watched, and h shows the second.

const first = '127.0.21.1';
const second = '127.0.21.2';

test.before(async () => {
	await ensureBuilt();
});

async function listen(host: string, port = 0): Promise<Server> {
	const server = createServer((socket) => {
		socket.destroy();
	});
	server.listen({port, host, exclusive: true});
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
const header = (session: PtySession) => session.lines[0] ?? '';
const hostLine = (session: PtySession) => session.lines[1] ?? '';
const rowOf = (session: PtySession, port: number) =>
	session.lines.find((line) =>
		new RegExp(`[┃│] [ >*]+${port} `, 'v').test(line),
	) ?? '';

test('two hosts at 80x24: both watched at once, a change on the one not shown counts and logs, h shows the other', async (t) => {
	// One port number on both hosts: open on the first, closed on the second.
	let listener = await listen(first);
	const port = portOf(listener);
	const onSecond = await listen(second);
	const closedPort = portOf(onSecond);
	await close(onSecond);
	t.teardown(async () => {
		await close(listener).catch(() => undefined);
	});
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
	await close(listener);
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

	listener = await listen(first, port);
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
