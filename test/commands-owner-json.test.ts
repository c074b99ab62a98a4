import test from 'ava';
import {ensureBuilt, startCli} from './helpers/cli.js';
import {startListener} from './helpers/listening-child.js';

test.before(async () => {
	await ensureBuilt();
});

test('probe --json names the holder of an open port of this machine; a closed port has none', async (t) => {
	const listener = await startListener(t, {host: '127.0.23.21'});
	const closed = await startListener(t, {host: '127.0.23.21'});
	await closed.stop();
	const result = await startCli([
		'probe',
		'127.0.23.21',
		`${listener.port},${closed.port}`,
		'--json',
		'--no-identify',
	]).result;
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	const json = JSON.parse(result.stdout) as {
		results: Array<{port: number; owner: unknown}>;
	};
	const owner = json.results.find((item) => item.port === listener.port)?.owner;
	t.like(owner, {
		pid: listener.pid,
		comm: 'node',
		user: 'root',
		container: null,
	});
	t.deepEqual(Object.keys(owner as Record<string, unknown>), [
		'pid',
		'user',
		'comm',
		'cmdline',
		'unit',
		'container',
	]);
	t.is(json.results.find((item) => item.port === closed.port)?.owner, null);
});

test('watch --json: a restart names the holder before and after, with the new pid', async (t) => {
	const host = '127.0.23.22';
	const old = await startListener(t, {host});
	const run = startCli([
		'watch',
		host,
		String(old.port),
		'--json',
		'--interval',
		'100ms',
		'--count',
		'2',
		'--no-identify',
	]);
	t.teardown(() => run.child.kill('SIGKILL'));
	const first = await run.waitForLine((line) => line.includes('"snapshot"'));
	t.like(JSON.parse(first), {results: [{owner: {pid: old.pid}}]});
	await old.stop();
	await run.waitForLine((line) => line.includes('"to":"closed"'));
	const replacement = await startListener(t, {host, port: old.port});
	const result = await run.result;
	const back = result.stdout
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as Record<string, unknown>)
		.find((line) => line.to === 'open');
	t.like(back, {
		scope: 'port',
		from: 'closed',
		ownerBefore: {pid: old.pid, comm: 'node'},
		ownerAfter: {pid: replacement.pid, comm: 'node'},
	});
	t.is(typeof back?.downMs, 'number');
});
