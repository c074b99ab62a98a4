import {setTimeout as delay} from 'node:timers/promises';
import test from 'ava';
import {ensureBuilt, startCli} from './helpers/cli.js';
import {startListener} from './helpers/listening-child.js';

test.before(async () => {
	await ensureBuilt();
});

test('wait --restarted returns once the port went down and came back, not before', async (t) => {
	const host = '127.0.23.17';
	const old = await startListener(t, {host});
	const looked = old.nextConnection();
	const run = startCli([
		'wait',
		'--restarted',
		`${host}:${old.port}`,
		'--interval',
		'100ms',
		'--timeout',
		'20s',
	]);
	// Its first look, while the old listener holds the port, is a connect.
	await looked;
	await delay(300);
	t.is(run.child.exitCode, null, 'it returned before any restart');
	await old.stop();
	await delay(300);
	const replacement = await startListener(t, {host, port: old.port});
	const result = await run.result;
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	t.not(replacement.pid, old.pid);
});

test('wait --restarted: a port that never restarts times out with exit 1 and says who still holds it', async (t) => {
	const host = '127.0.23.18';
	const steady = await startListener(t, {host});
	const result = await startCli([
		'wait',
		'--restarted',
		`${host}:${steady.port}`,
		'--interval',
		'100ms',
		'--timeout',
		'3s',
	]).result;
	t.is(result.exitCode, 1);
	t.regex(
		result.stderr,
		new RegExp(
			`^portui: ${host.replaceAll('.', String.raw`\.`)}:${steady.port} not restarted after 3s: open since the start, held by node ${steady.pid}`,
			'v',
		),
	);
});

test('wait: --closed with --restarted is bad usage', async (t) => {
	const result = await startCli([
		'wait',
		'--closed',
		'--restarted',
		'127.0.23.18:1',
	]).result;
	t.is(result.exitCode, 2);
	t.regex(result.stderr, /--closed and --restarted wait for different things/v);
});
