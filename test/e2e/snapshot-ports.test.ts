import {once} from 'node:events';
import {createServer, type Server} from 'node:net';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {temporaryDirectory} from '../helpers/catalogue.js';
import {ensureBuilt, startCli} from '../helpers/cli.js';
import {binPath, PtySession, spawnPortui} from '../helpers/pty.js';

// `portui HOST PORTS` without a terminal prints a snapshot of exactly PORTS, as the dashboard
// watches them: ports outside the catalogue included, the curated ones left out. Traffic:
// loopback only, 127.0.23.1 (an address of this test's own).

const address = '127.0.23.1';
const banner = 'SSH-2.0-portui-snapshot-ports';

async function listen(t: ExecutionContext): Promise<number> {
	const server: Server = createServer((socket) => {
		socket.on('error', () => undefined);
		socket.end(`${banner}\r\n`);
	});
	server.listen(0, address);
	await once(server, 'listening');
	t.teardown(async () => {
		await new Promise((resolve) => {
			server.close(resolve);
		});
	});
	return (server.address() as {port: number}).port;
}

/** No user catalogue and no kept pins from the machine running the tests. */
async function environment(): Promise<Record<string, string>> {
	const home = await temporaryDirectory();
	return {XDG_CONFIG_HOME: home, XDG_STATE_HOME: home};
}

/** The port/protocol of each row of a snapshot, in order. */
const snapshotRows = (stdout: string) =>
	stdout
		.split('\n')
		.filter((line) => /^\d/v.test(line))
		.map((line) => line.split(' ')[0]!);

/** `22,53/udp,PORT,40022` and the pairs they stand for, in port order. */
function portsFor(port: number) {
	return {
		argument: `${port},22,53/udp,40022,ssh`,
		pairs: [
			...new Set(
				[
					[22, 'tcp'],
					[53, 'udp'],
					[port, 'tcp'],
					[40_022, 'tcp'],
				].map(([number, protocol]) => `${number}/${protocol}`),
			),
		].toSorted((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10)),
	};
}

test.before(async () => {
	await ensureBuilt();
});

test('through a pipe, PORTS are the snapshot: exactly those, in the catalogue or not', async (t) => {
	const port = await listen(t);
	const {argument, pairs} = portsFor(port);
	const result = await startCli([address, argument, '--timeout', '500ms'], {
		env: await environment(),
	}).result;
	t.is(result.exitCode, 0, `${result.stderr}`);
	t.deepEqual(snapshotRows(result.stdout), pairs);
	t.regex(result.stdout, /: 1 open of 4 ports in /v);
	t.regex(
		result.stdout,
		new RegExp(String.raw`^${port}/tcp +open +- +[\d.]+ms ${banner}$`, 'mv'),
		'what answered, on a port the catalogue does not know',
	);
	t.regex(result.stdout, /^40022\/tcp +closed +- /mv);
	t.regex(result.stdout, /^22\/tcp +closed +ssh /mv);
	t.notRegex(
		result.stdout,
		/^80\/tcp/mv,
		'no curated port that was not asked for',
	);
});

test('a bad PORTS is one line and exit 2, with nothing swept', async (t) => {
	const result = await startCli([address, '22,70000'], {
		env: await environment(),
	}).result;
	t.is(result.exitCode, 2);
	t.is(result.stdout, '');
	t.is(
		result.stderr.trim(),
		'portui: bad port "70000" in "22,70000": out of range; accepted: ports 1-65535, ranges LOW-HIGH (8000-8100), service names (ssh), each with an optional /tcp or /udp, comma-separated',
	);
});

test.serial(
	'TERM=dumb prints the same ports the dashboard watches',
	async (t) => {
		const port = await listen(t);
		const {argument, pairs} = portsFor(port);
		const env = await environment();
		const dashboard = spawnPortui([address, argument], {
			columns: 120,
			rows: 30,
			env,
		});
		t.teardown(async () => dashboard.dispose());
		// The catalogue pane's rows: every one pinned (`*`), as PORTS are.
		const watched = (session: PtySession) =>
			session.lines.flatMap((line) => {
				const match = /^┃ [ >]\* +(\d+) +(tcp|udp) /v.exec(line);
				return match ? [`${match[1]}/${match[2]}`] : [];
			});
		await dashboard.waitFor((s) => watched(s).length === pairs.length, {
			description: 'the watched ports',
		});
		t.deepEqual(watched(dashboard).toSorted(), pairs.toSorted());

		// Node-pty sets TERM itself: env(1) sets it for portui.
		const dumb = new PtySession(
			'env',
			['TERM=dumb', process.execPath, binPath, address, argument],
			{columns: 120, rows: 30, env},
		);
		t.teardown(async () => dumb.dispose());
		const {exitCode} = await dumb.waitForExit({timeoutMs: 20_000});
		t.is(exitCode, 0);
		t.deepEqual(snapshotRows(dumb.output.replaceAll('\r', '')), pairs);
	},
);
