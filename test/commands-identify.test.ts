import test from 'ava';
import {runCli, startCli} from './helpers/cli.js';
import {listenTcp} from './helpers/probe-servers.js';

type ProbeJson = {
	startedAt: string;
	finishedAt: string;
	results: Array<{port: number; state: string; answered: string | undefined}>;
};

const sweepMs = (json: ProbeJson) =>
	Date.parse(json.finishedAt) - Date.parse(json.startedAt);

test('--timeout bounds the whole probe: a silent open port is identified within it', async (t) => {
	const {port} = await listenTcp(t, {onConnection: () => undefined});
	const run = await runCli([
		'probe',
		'127.0.0.1',
		String(port),
		'--timeout',
		'200ms',
		'--json',
	]);
	t.is(run.exitCode, 0, `stderr: ${run.stderr}`);
	const json = JSON.parse(run.stdout) as ProbeJson;
	t.like(json.results[0], {state: 'open', answered: null});
	// It took 1.5 s whatever --timeout said: the identification budget was its own.
	t.true(sweepMs(json) < 1000, `sweep took ${sweepMs(json)} ms`);
});

test('probe --no-identify is a pure state sweep: open, and nothing read', async (t) => {
	let received = 0;
	const {port} = await listenTcp(t, {
		onConnection(socket) {
			socket.write('SSH-2.0-OpenSSH_9.2p1\r\n');
			socket.on('data', () => {
				received++;
			});
		},
	});
	const run = await runCli([
		'probe',
		'127.0.0.1',
		String(port),
		'--no-identify',
		'--json',
	]);
	t.is(run.exitCode, 0, `stderr: ${run.stderr}`);
	const json = JSON.parse(run.stdout) as ProbeJson;
	t.like(json.results[0], {state: 'open', answered: null});
	t.is(received, 0);
	const identified = await runCli([
		'probe',
		'127.0.0.1',
		String(port),
		'--json',
	]);
	t.like((JSON.parse(identified.stdout) as ProbeJson).results[0], {
		answered: 'SSH-2.0-OpenSSH_9.2p1',
	});
});

test('watch --no-identify: the first snapshot has states and no answers', async (t) => {
	const {port} = await listenTcp(t, {
		onConnection(socket) {
			socket.write('SSH-2.0-OpenSSH_9.2p1\r\n');
		},
	});
	const watch = startCli([
		'watch',
		'127.0.0.1',
		String(port),
		'--json',
		'--no-identify',
	]);
	t.teardown(() => watch.child.kill('SIGKILL'));
	const line = await watch.waitForLine((text) => text.includes('"snapshot"'));
	const snapshot = JSON.parse(line) as ProbeJson;
	t.like(snapshot.results[0], {state: 'open', answered: null});
	watch.child.kill('SIGTERM');
	const {exitCode} = await watch.result;
	t.is(exitCode, 0);
});
