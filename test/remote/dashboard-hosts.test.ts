import {spawnSync} from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import anyTest, {type TestFn} from 'ava';
import {temporaryDirectory} from '../helpers/catalogue.js';
import {ensureBuilt, root} from '../helpers/cli.js';
import {header, hostLine, rowOf} from '../helpers/dashboard-screen.js';
import {waitFor} from '../helpers/probe-servers.js';
import {PtySession} from '../helpers/pty.js';
import {createSshLab, listenScript, whyNoSshLab, type SshLab} from './sshd.js';

// One dashboard on two hosts, one of them over a real sshd in a namespace of its own: the
// dashboard runs in the client namespace, the ssh:// host's inside view shows when it is shown, and a
// listener stopped there while the other host is shown is counted down and logged with its host.

const test = anyTest as TestFn<{lab: SshLab}>;
const why = whyNoSshLab();
const labTest = why === undefined ? test.serial : test.serial.skip;
if (why !== undefined) {
	console.warn(`test/remote/dashboard-hosts: skipped: ${why}`);
}

if (why === undefined) {
	test.before(async (t) => {
		await ensureBuilt();
		t.context = {lab: await createSshLab()};
	});
	test.after.always((t) => {
		t.context.lab?.close();
	});
}

/** The dashboard at 80x24 in the lab's client namespace, sweeping every 500 ms, on `hosts`. */
async function dashboardInClient(
	lab: SshLab,
	hosts: readonly string[],
): Promise<PtySession> {
	return new PtySession(
		'ip',
		[
			'netns',
			'exec',
			lab.client,
			process.execPath,
			path.join(root, 'bin', 'portui.js'),
			...hosts,
			'--ssh-config',
			lab.config,
			'--interval',
			'500ms',
			'--timeout',
			'500ms',
		],
		{
			columns: 80,
			rows: 24,
			env: {XDG_STATE_HOME: await temporaryDirectory()},
		},
	);
}

labTest(
	'portui 127.0.0.1 ssh://target: both at once; the remote inside view shows, and its port going down is counted and logged while the other host is shown',
	async (t) => {
		const {lab} = t.context;
		const listener = await lab.start(undefined, [
			'/usr/bin/python3',
			'-c',
			listenScript,
			'0.0.0.0',
			'8080',
		]);
		const session = await dashboardInClient(lab, [
			'127.0.0.1',
			'ssh://target',
			'8080',
		]);
		t.teardown(async () => session.dispose());
		await session.waitFor(
			(s) =>
				header(s).includes('127.0.0.1') &&
				hostLine(s).includes(`127.0.0.1 0 open · ${lab.address} 1 open`),
			{description: 'both hosts swept', timeoutMs: 20_000},
		);

		session.write('h');
		await session.waitFor(
			(s) =>
				header(s).includes(lab.address) &&
				// Root's listener, read without --sudo: its holder hidden, its verdict said.
				/open .*\(hidden\): reachable from/v.test(rowOf(s, 8080)),
			{
				description: 'h: the ssh:// host, inside beside outside read over SSH',
				timeoutMs: 15_000,
			},
		);

		session.write('H');
		await session.waitFor((s) => header(s).includes('127.0.0.1'), {
			description: 'H: 127.0.0.1 shown again',
		});
		listener.kill('SIGKILL');
		await session.waitFor(
			(s) =>
				hostLine(s).includes(`${lab.address} 0 open 1 down`) &&
				s.lines.some((line) =>
					line.includes(`${lab.address}  8080/tcp http-alt  open -> closed`),
				),
			{
				description: 'the remote port down, counted and logged',
				timeoutMs: 15_000,
			},
		);
		t.true(header(session).includes('127.0.0.1'));
		session.write('q');
		const {exitCode} = await session.waitForExit();
		t.is(exitCode, 0);
	},
);

/** The ssh clients `pid` runs (the dashboard's connections to its ssh:// hosts). */
function sshChildren(pid: number): number[] {
	const {stdout} = spawnSync('pgrep', ['-P', String(pid), '-x', 'ssh'], {
		encoding: 'utf8',
	});
	return stdout
		.split('\n')
		.filter((line) => line !== '')
		.map(Number);
}

labTest(
	'`:` that puts a plain host in the place of an ssh:// host closes that host’s ssh connection; `:` ssh:// again opens one',
	async (t) => {
		const {lab} = t.context;
		const session = await dashboardInClient(lab, ['ssh://target', '22']);
		t.teardown(async () => session.dispose());
		await session.waitFor(
			(s) => header(s).includes(lab.address) && rowOf(s, 22).includes('open'),
			{description: 'the ssh:// host swept', timeoutMs: 20_000},
		);
		await waitFor(
			() => sshChildren(session.pid).length === 1,
			10_000,
			'one ssh connection to the ssh:// host',
		);

		session.write(':127.0.0.1\r');
		await session.waitFor((s) => header(s).includes('127.0.0.1'), {
			description: ': 127.0.0.1 in its place',
		});
		await waitFor(
			() => sshChildren(session.pid).length === 0,
			10_000,
			'its ssh connection closed',
		);

		session.write(':ssh://target\r');
		await session.waitFor((s) => header(s).includes(lab.address), {
			description: ': ssh://target again',
			timeoutMs: 20_000,
		});
		await waitFor(
			() => sshChildren(session.pid).length === 1,
			10_000,
			'one ssh connection again, not two',
		);
		session.write('q');
		const {exitCode} = await session.waitForExit();
		t.is(exitCode, 0);
	},
);
