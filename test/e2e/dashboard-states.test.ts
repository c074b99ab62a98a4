import {once} from 'node:events';
import {createServer, type Server} from 'node:net';
import test, {type ExecutionContext} from 'ava';
import {temporaryDirectory} from '../helpers/catalogue.js';
import {ensureBuilt} from '../helpers/cli.js';
import {type PtySession, spawnPortui} from '../helpers/pty.js';

// Ports from the command line (outside the catalogue), `o`, `s`, the header's open and down
// counts and the full event log, through the built binary in a pseudo-terminal. The listeners
// are the test's own, on 127.0.22.30; the dashboard probes only their ports.

const host = '127.0.22.30';

test.before(async () => {
	await ensureBuilt();
});

async function listen(port = 0): Promise<Server> {
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
const rowOf = (session: PtySession, port: number) =>
	session.lines.find((line) =>
		new RegExp(`[┃│] [ >*]+${port} `, 'v').test(line),
	) ?? '';

async function run(t: ExecutionContext, columns: number, rows: number) {
	const first = await listen();
	let second = await listen();
	const stopped = await listen();
	const closedPort = portOf(stopped);
	await close(stopped);
	t.teardown(async () => {
		await Promise.all([close(first), close(second)]).catch(() => undefined);
	});
	const ports = [portOf(first), portOf(second), closedPort];
	const session = spawnPortui(
		[host, ports.join(','), '--interval', '250ms', '--timeout', '300ms'],
		{
			columns,
			rows,
			env: {XDG_STATE_HOME: await temporaryDirectory()},
		},
	);
	t.teardown(async () => session.dispose());

	// Exactly the ports given, none of them in the catalogue, in the watch list.
	await session.waitFor(
		(s) =>
			/\bopen\b/v.test(rowOf(s, ports[0]!)) &&
			/\bopen\b/v.test(rowOf(s, ports[1]!)) &&
			/\bclosed\b/v.test(rowOf(s, closedPort)) &&
			header(s).includes('3 pinned') &&
			header(s).includes('2 open'),
		{description: 'the three ports given, two open'},
	);
	t.false(/\b22 +tcp/v.test(session.screen), 'only the ports given');

	// The header says what o and s changed where it has room; the rows say it everywhere.
	const isWide = columns >= 120;
	const rowIndex = (s: PtySession, port: number) =>
		s.lines.indexOf(rowOf(s, port));
	session.write('s');
	await session.waitFor(
		(s) =>
			rowIndex(s, closedPort) > rowIndex(s, ports[0]!) &&
			rowIndex(s, closedPort) > rowIndex(s, ports[1]!) &&
			(!isWide || header(s).includes('by state')),
		{description: 's: sorted by state, the closed port last'},
	);
	session.write('ss');
	await session.waitFor(
		(s) => {
			// The watch list's own order: as the ports were given.
			const order = ports;
			return (
				rowIndex(s, order[0]!) < rowIndex(s, order[1]!) &&
				rowIndex(s, order[1]!) < rowIndex(s, order[2]!) &&
				!header(s).includes('by ')
			);
		},
		{description: 's twice more: the order as given again'},
	);
	session.write('o');
	await session.waitFor(
		(s) =>
			rowOf(s, closedPort) === '' &&
			/\bopen\b/v.test(rowOf(s, ports[0]!)) &&
			/\bopen\b/v.test(rowOf(s, ports[1]!)) &&
			(!isWide || header(s).includes('open only')),
		{description: 'o: the open ports only'},
	);
	session.write('o');
	await session.waitFor((s) => rowOf(s, closedPort) !== '', {
		description: 'o again: every row',
	});

	// A port goes down: counted down in the header until it returns.
	await close(second);
	await session.waitFor((s) => header(s).includes('1 open · 1 down'), {
		description: 'the header counts the port that went down',
	});
	second = await listen(ports[1]);
	await session.waitFor(
		(s) => header(s).includes('2 open') && !header(s).includes('down'),
		{
			description: 'the down count gone when the port returns',
		},
	);

	session.write('e');
	await session.waitFor(
		(s) =>
			(s.lines[1] ?? '').startsWith('events: 2') &&
			s.lines.some((line) =>
				line.includes(`${host}  ${ports[1]}/tcp  open -> closed (refused)`),
			) &&
			s.lines.some(
				(line) =>
					line.includes(`${ports[1]}/tcp  closed -> open (connected)`) &&
					/down \d/v.test(line),
			),
		{description: 'e: the full log with host, reason and downtime'},
	);
	session.write('\u001B');
	await session.waitFor(
		(s) => header(s).includes('2 open') && rowOf(s, ports[0]!) !== '',
		{
			description: 'Esc: back to the panes',
		},
	);
	t.pass();
}

test.serial(
	'ports from the command line, o, s, down counts and the event log at 80x24',
	async (t) => {
		await run(t, 80, 24);
	},
);

test.serial(
	'ports from the command line, o, s, down counts and the event log at 120x40',
	async (t) => {
		await run(t, 120, 40);
	},
);
