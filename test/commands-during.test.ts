import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import test, {type ExecutionContext} from 'ava';
import {
	type DuringJson,
	listenerScriptFile,
	startListener,
} from './helpers/listening-child.js';
import {ensureBuilt, startCli} from './helpers/cli.js';

test.before(async () => {
	await ensureBuilt();
});

function workDirectory(t: ExecutionContext): string {
	const directory = mkdtempSync(path.join(tmpdir(), 'portui-ow-during-'));
	t.teardown(() => {
		// The replacement daemon outlives the command: stop it with the test.
		try {
			process.kill(
				Number(readFileSync(path.join(directory, 'new.pid'), 'utf8')),
				'SIGKILL',
			);
		} catch {
			// None was started, or it is gone.
		}

		rmSync(directory, {recursive: true, force: true});
	});
	return directory;
}

/**
 * The restart COMMAND: stop the listener (SIGTERM), after `gapMs` start a new process on the
 * same address and port, detached (a daemon), and note when the old one went and the new one
 * listened. With `gapMs` < 0 nothing is started again.
 */
const restartScript = String.raw`
import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';
const [oldPid, host, port, gapMs, directory, listener] = process.argv.slice(2);
process.kill(Number(oldPid), 'SIGTERM');
const killedAt = Date.now();
if (Number(gapMs) >= 0) {
	await new Promise((resolve) => setTimeout(resolve, Number(gapMs)));
	const child = spawn(process.execPath, [listener, 'tcp', host, port, '0'], {detached: true, stdio: ['ignore', 'pipe', 'ignore']});
	writeFileSync(directory + '/new.pid', String(child.pid));
	await new Promise((resolve) => child.stdout.once('data', resolve));
	writeFileSync(directory + '/times.json', JSON.stringify({killedAt, listeningAt: Date.now()}));
	child.stdout.destroy();
	child.unref();
}
console.log('restart done');
`;

async function restart(
	t: ExecutionContext,
	{host, gapMs, extra = []}: {host: string; gapMs: number; extra?: string[]},
) {
	const old = await startListener(t, {host});
	const directory = workDirectory(t);
	const script = path.join(directory, 'restart.mjs');
	writeFileSync(script, restartScript);
	const run = startCli([
		'during',
		host,
		String(old.port),
		'--json',
		'--interval',
		'100ms',
		...extra,
		'--',
		process.execPath,
		script,
		String(old.pid),
		host,
		String(old.port),
		String(gapMs),
		directory,
		listenerScriptFile(),
	]);
	const result = await run.result;
	return {old, directory, result};
}

test.serial(
	'during: a restart 500 ms long gives its downtime within one interval, the new pid, exit 0',
	async (t) => {
		const {old, directory, result} = await restart(t, {
			host: '127.0.23.10',
			gapMs: 500,
		});
		t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
		// The command's output passed through (to stderr with --json).
		t.regex(result.stderr, /restart done/v);
		const json = JSON.parse(result.stdout) as DuringJson;
		const newPid = Number(
			readFileSync(path.join(directory, 'new.pid'), 'utf8'),
		);
		const times = JSON.parse(
			readFileSync(path.join(directory, 'times.json'), 'utf8'),
		) as {
			killedAt: number;
			listeningAt: number;
		};
		const [port] = json.ports;
		t.like(port, {
			host: '127.0.23.10',
			port: old.port,
			before: 'open',
			after: 'open',
			stillDown: false,
			pidChanged: true,
			ownerBefore: {pid: old.pid, comm: 'node'},
			ownerAfter: {pid: newPid, comm: 'node'},
		});
		t.is(port?.outages.length, 1);
		const outage = port?.outages[0] as
			| (DuringJson['ports'][number]['outages'][number] & {
					from: string;
					lastOpen: string;
			  })
			| undefined;
		const downMs = outage?.downMs ?? Number.NaN;
		const trueDownMs = times.listeningAt - times.killedAt;
		// Within one sweep: the interval, or on a loaded machine the gap the sweeps really kept (the
		// observation before the outage to the one that saw it).
		const sweepGapMs =
			Date.parse(outage?.from ?? '') - Date.parse(outage?.lastOpen ?? '');
		t.true(
			Math.abs(downMs - trueDownMs) <= Math.max(100, sweepGapMs) + 60,
			`portui ${downMs} ms, the script ${trueDownMs} ms, sweeps ${sweepGapMs} ms apart`,
		);
		t.like(port?.outages[0], {
			ownerBefore: {pid: old.pid},
			ownerAfter: {pid: newPid},
		});
	},
);

test.serial(
	'during: a daemon that does not come back gives exit 1 and names the port',
	async (t) => {
		const {old, result} = await restart(t, {
			host: '127.0.23.11',
			gapMs: -1,
			extra: ['--timeout', '1s'],
		});
		t.is(result.exitCode, 1, `stderr: ${result.stderr}`);
		const json = JSON.parse(result.stdout) as DuringJson;
		t.like(json.ports[0], {
			port: old.port,
			before: 'open',
			after: 'closed',
			stillDown: true,
		});
		// Never back: no time it came back (null in the JSON).
		t.is(json.ports[0]?.outages[0]?.to ?? 'never', 'never');
		t.like(json.ports[0]?.outages[0], {ownerBefore: {pid: old.pid}});
		// The human report says it in a line of its own.
		const again = await startListener(t, {host: '127.0.23.11'});
		const human = await startCli([
			'during',
			'127.0.23.11',
			String(again.port),
			'--timeout',
			'500ms',
			'--interval',
			'100ms',
			'--',
			'kill',
			String(again.pid),
		]).result;
		t.is(human.exitCode, 1);
		t.regex(
			human.stdout,
			new RegExp(
				String.raw`127\.0\.23\.11 ${again.port}/tcp\b.*still down at the end \(closed, since [\d:.]+\) · was node ${again.pid}`,
				'v',
			),
		);
		t.regex(
			human.stdout,
			new RegExp(
				String.raw`1 port open before is not open after 0\.5s: 127\.0\.23\.11 ${again.port}/tcp`,
				'v',
			),
		);
	},
);

test.serial(
	'during: a failing COMMAND gives its own status; one that cannot run, 127; no COMMAND, 2',
	async (t) => {
		const listener = await startListener(t, {host: '127.0.23.12'});
		const ports = ['127.0.23.12', String(listener.port)];
		const failed = await startCli([
			'during',
			...ports,
			'--',
			process.execPath,
			'-e',
			'process.exit(3)',
		]).result;
		t.is(failed.exitCode, 3, `stderr: ${failed.stderr}`);
		t.regex(failed.stdout, /the command failed \(exit status 3\)/v);
		const missing = await startCli([
			'during',
			...ports,
			'--json',
			'--',
			'ow-no-such-command',
		]).result;
		t.is(missing.exitCode, 127);
		t.regex(missing.stderr, /cannot run "ow-no-such-command": ENOENT/v);
		t.like(JSON.parse(missing.stdout), {
			exitCode: 127,
			commandExit: {status: 127},
		});
		const bare = await startCli(['during', ...ports]).result;
		t.is(bare.exitCode, 2);
		t.regex(bare.stderr, /^portui: missing COMMAND after --/v);
		const badTimeout = await startCli([
			'during',
			'--timeout',
			'soon',
			'--',
			'true',
		]).result;
		t.is(badTimeout.exitCode, 2);
		t.regex(badTimeout.stderr, /bad --timeout "soon"/v);
	},
);

test.serial(
	'during: SIGINT to portui reaches COMMAND, whose status it then gives',
	async (t) => {
		const listener = await startListener(t, {host: '127.0.23.13'});
		const run = startCli([
			'during',
			'127.0.23.13',
			String(listener.port),
			'--',
			process.execPath,
			'-e',
			"process.on('SIGINT', () => { console.log('child got SIGINT'); process.exit(42); }); console.log('ready'); setTimeout(() => {}, 20000);",
		]);
		// The baseline sweep comes first; a loaded machine may take a while to start two programs.
		await run.waitForLine((line) => line === 'ready', 45_000);
		run.child.kill('SIGINT');
		const result = await run.result;
		t.regex(result.stdout, /child got SIGINT/v);
		t.is(result.exitCode, 42);
	},
);

/** A listener that, on SIGUSR2, hands its listening socket to a new process and exits: a graceful upgrade. */
const handoverScript = String.raw`
import {fork} from 'node:child_process';
import net from 'node:net';
if (process.argv[2] === 'successor') {
	process.on('message', (message, server) => {
		server.on('connection', (c) => c.destroy());
		process.send('taken');
		// The handle alone does not keep a process alive once its parent is gone.
		setInterval(() => {}, 1 << 30);
	});
} else {
	const server = net.createServer((c) => c.destroy());
	server.listen({host: process.argv[2], port: 0}, () => console.log(server.address().port));
	process.on('SIGUSR2', () => {
		const next = fork(new URL(import.meta.url).pathname, ['successor'], {detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc']});
		next.on('message', () => {
			console.log('pid ' + next.pid);
			next.unref();
			server.close();
			process.exit(0);
		});
		next.send('server', server);
	});
}
`;

test.serial(
	'during: a holder that hands its socket over is an owner change without downtime',
	async (t) => {
		const directory = workDirectory(t);
		const script = path.join(directory, 'handover.mjs');
		writeFileSync(script, handoverScript);
		const {spawn} = await import('node:child_process');
		const first = spawn(process.execPath, [script, '127.0.23.14'], {
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		t.teardown(() => first.kill('SIGKILL'));
		first.stdout.setEncoding('utf8');
		let output = '';
		const port = await new Promise<number>((resolve) => {
			first.stdout.on('data', (chunk: string) => {
				output += chunk;
				if (/^\d+\n/v.test(output)) {
					resolve(Number(output.split('\n')[0]));
				}
			});
		});
		const successor = new Promise<number>((resolve) => {
			first.stdout.on('data', () => {
				const match = /pid (\d+)/v.exec(output);
				if (match) {
					writeFileSync(path.join(directory, 'new.pid'), match[1]!);
					resolve(Number(match[1]));
				}
			});
		});
		const result = await startCli([
			'during',
			'127.0.23.14',
			String(port),
			'--json',
			'--interval',
			'100ms',
			'--',
			process.execPath,
			'-e',
			`process.kill(${first.pid}, 'SIGUSR2'); setTimeout(() => {}, 600);`,
		]).result;
		const newPid = await successor;
		t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
		const json = JSON.parse(result.stdout) as DuringJson;
		t.like(json.ports[0], {
			port,
			before: 'open',
			after: 'open',
			pidChanged: true,
		});
		t.deepEqual(json.ports[0]?.outages, []);
		t.like(json.ports[0]?.ownerChanges[0], {
			ownerBefore: {pid: first.pid},
			ownerAfter: {pid: newPid},
		});
	},
);
