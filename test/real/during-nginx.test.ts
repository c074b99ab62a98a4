import {readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import anyTest from 'ava';
import type {DuringJson} from '../helpers/listening-child.js';
import {ensureBuilt, startCli} from '../helpers/cli.js';
import {
	cleanUpAfter,
	findCommand,
	makeWorkDirectory,
	whenStarted,
} from '../helpers/real-daemons.js';
import {startNginx} from '../helpers/real-services.js';

// Task range `ow`: an address of its own, so the real-daemon suites never meet.
const address = '127.0.23.20';
const work = makeWorkDirectory();
const directory = path.join(work.directory, 'nginx');
const nginx = await startNginx({address, directory, plain: [8080], tls: []});
cleanUpAfter(anyTest, work, nginx);
// The restarted nginx runs as a daemon of its own, outside the helper's reach: stop it too. TERM,
// not KILL: a killed master leaves its worker holding the port (one was found an hour later).
anyTest.after.always(async () => {
	let pid: number;
	try {
		pid = readPid();
		process.kill(pid, 'SIGTERM');
	} catch {
		return; // Not restarted, or gone.
	}

	for (let tries = 0; tries < 100 && isAlive(pid); tries++) {
		// eslint-disable-next-line no-await-in-loop -- waiting for the master to stop its workers
		await new Promise((resolve) => {
			setTimeout(resolve, 20);
		});
	}

	if (isAlive(pid)) {
		process.kill(-pid, 'SIGKILL');
	}
});

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

const {test, title} = whenStarted(anyTest, nginx);

const file = (name: string) => path.join(directory, name);
const readPid = () => Number(readFileSync(file('nginx.pid'), 'utf8').trim());
/**
 * The master's pid once nginx has written it (other than `except`): nginx listens before it
 * writes its pid file, so a test that starts the moment the port answers can find no file yet
 * (seen in CI: ENOENT). Bounded: 5 s.
 */
async function mainPid(except?: number): Promise<number> {
	for (let tries = 0; tries < 250; tries++) {
		try {
			const pid = readPid();
			if (pid > 0 && pid !== except) {
				return pid;
			}
		} catch {
			// Not written yet, or removed by the master that exited.
		}

		// eslint-disable-next-line no-await-in-loop -- polling a file
		await new Promise((resolve) => {
			setTimeout(resolve, 20);
		});
	}

	throw new Error('nginx wrote no pid file in 5 s');
}

const nginxCommand = [
	findCommand('nginx') ?? 'nginx',
	'-p',
	directory,
	'-c',
	file('nginx.conf'),
];

anyTest.before(async () => {
	await ensureBuilt();
});

const during = async (command: readonly string[]) => {
	const result = await startCli([
		'during',
		address,
		'8080',
		'--json',
		'--interval',
		'100ms',
		'--',
		...command,
	]).result;
	return {result, json: JSON.parse(result.stdout || '{}') as DuringJson};
};

test(
	title('during -- nginx -s reload: no downtime, no change of holder'),
	async (t) => {
		const main = await mainPid();
		const {result, json} = await during([...nginxCommand, '-s', 'reload']);
		t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
		t.is(json.watched, 1);
		// Nothing changed: the master kept its socket and its pid, new workers came and old ones went.
		t.deepEqual(json.ports, []);
		t.is(await mainPid(), main);
	},
);

test(
	title(
		'during -- kill nginx, sleep 1, start nginx: the downtime and the new pid',
	),
	async (t) => {
		const before = await mainPid();
		const {result, json} = await during([
			'sh',
			'-c',
			`kill $(cat ${file('nginx.pid')}); sleep 1; exec ${nginxCommand.join(' ')}`,
		]);
		t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
		const after = await mainPid(before);
		t.not(after, before);
		const [port] = json.ports;
		t.like(port, {
			port: 8080,
			pidChanged: true,
			ownerBefore: {pid: before, comm: 'nginx'},
			ownerAfter: {pid: after, comm: 'nginx'},
		});
		t.is(port?.outages.length, 1);
		const downMs = port?.outages[0]?.downMs ?? 0;
		// Down for the second of sleep and nginx's start; measured to within an interval or two.
		t.true(downMs >= 900 && downMs < 3000, `down ${downMs} ms`);
		t.like(port?.outages[0], {
			ownerBefore: {pid: before},
			ownerAfter: {pid: after},
		});
	},
);
