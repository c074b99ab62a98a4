import {readFileSync} from 'node:fs';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {temporaryDirectory} from '../helpers/catalogue.js';
import {ensureBuilt} from '../helpers/cli.js';
import {binPath, PtySession} from '../helpers/pty.js';

// Items 19 and 20 of issue 12, through a real shell with job control in a pseudo-terminal: Ctrl-Z
// and SIGTSTP give the terminal back (main screen, cooked mode, cursor shown), `fg` takes it again
// and redraws, SIGQUIT restores before the process goes. One at a time: each runs a dashboard.

const prompt = 'PH$ ';
const restore = '\u001B[?25h\u001B[?1049l';

test.before(async () => {
	await ensureBuilt();
});

/** An interactive bash (job control on) in a 80x24 terminal, at its prompt. */
async function shell(t: ExecutionContext): Promise<PtySession> {
	const session = new PtySession('bash', ['--norc', '--noprofile', '-i'], {
		columns: 80,
		rows: 24,
		cwd: await temporaryDirectory(),
		env: {PS1: prompt, HISTFILE: '/dev/null'},
	});
	t.teardown(async () => session.dispose());
	await session.waitForText(prompt, {description: 'the prompt'});
	return session;
}

const isAlternate = (session: PtySession) =>
	session.terminal.buffer.active.type === 'alternate';

async function startDashboard(session: PtySession): Promise<void> {
	// No core files from the SIGQUIT test, wherever the kernel would put them.
	session.write(
		`ulimit -c 0; ${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} 127.0.0.1 --interval 500ms\r`,
	);
	await session.waitFor(
		(current) => isAlternate(current) && /^portui {2}/v.test(current.lines[0]!),
		{description: 'the dashboard'},
	);
}

/** The pid of the shell's one child: the dashboard. */
function dashboardPid(session: PtySession): number {
	const children = readFileSync(
		`/proc/${session.pid}/task/${session.pid}/children`,
		'utf8',
	).trim();
	return Number(children.split(' ')[0]);
}

async function suspendAndResume(
	t: ExecutionContext,
	session: PtySession,
	stop: () => void,
) {
	const before = session.output.length;
	stop();
	await session.waitFor(
		(current) => !isAlternate(current) && current.screen.includes('Stopped'),
		{description: 'the shell, the job stopped'},
	);
	t.true(session.output.slice(before).includes(restore), 'cursor shown');
	// Cooked mode: the shell reads a line, and echoes it.
	session.write('echo back=$((40+2))\r');
	await session.waitForText('back=42');

	session.write('fg\r');
	await session.waitFor(
		(current) =>
			isAlternate(current) &&
			/^portui {2}/v.test(current.lines[0]!) &&
			current.lines.some((line) => /^[┗└]/v.test(line)),
		{description: 'the dashboard drawn again in full'},
	);
	// Raw mode again: one key, no Enter, acts.
	session.write('?');
	await session.waitForText(/q\s+quit/v, {description: 'the help overlay'});
	session.write('q');
	await session.waitFor((current) => !isAlternate(current), {
		description: 'the shell after q',
	});
	session.write('echo status=$?\r');
	await session.waitForText('status=0');
}

test.serial(
	'Ctrl-Z stops the job with the terminal given back; fg redraws',
	async (t) => {
		const session = await shell(t);
		await startDashboard(session);
		await suspendAndResume(t, session, () => {
			session.write('\u001A');
		});
	},
);

test.serial('SIGTSTP from kill does the same', async (t) => {
	const session = await shell(t);
	await startDashboard(session);
	const pid = dashboardPid(session);
	await suspendAndResume(t, session, () => {
		process.kill(pid, 'SIGTSTP');
	});
});

test.serial(
	'SIGQUIT restores the terminal, then ends by SIGQUIT',
	async (t) => {
		const session = await shell(t);
		await startDashboard(session);
		const before = session.output.length;
		process.kill(dashboardPid(session), 'SIGQUIT');
		await session.waitFor((current) => !isAlternate(current), {
			description: 'the main screen',
		});
		t.true(session.output.slice(before).includes(restore), 'cursor shown');
		session.write('echo status=$?\r');
		// 128 + 3.
		await session.waitForText('status=131');
	},
);
