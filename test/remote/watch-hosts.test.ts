import net from 'node:net';
import test from 'ava';
import {ensureBuilt, startCli} from '../helpers/cli.js';

test.before(async () => {
	await ensureBuilt();
});

async function listen(host: string): Promise<net.Server> {
	const server = net.createServer((socket) => {
		socket.destroy();
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, host, resolve);
	});
	return server;
}

test('watch takes several hosts: one snapshot each, and a change names its host', async (t) => {
	// Two loopback addresses of this task's range, one port number bound on both.
	const first = await listen('127.0.24.1');
	const {port} = first.address() as net.AddressInfo;
	const second = net.createServer((socket) => {
		socket.destroy();
	});
	await new Promise<void>((resolve, reject) => {
		second.once('error', reject);
		second.listen(port, '127.0.24.2', resolve);
	});
	t.teardown(() => {
		first.close();
		second.close();
	});
	const watch = startCli([
		'watch',
		'127.0.24.1,127.0.24.2',
		String(port),
		'--json',
		'--interval',
		'200ms',
		'--timeout',
		'300ms',
		'--count',
		'1',
		'--no-identify',
	]);
	t.teardown(() => {
		watch.child.kill();
	});
	await watch.waitForLine((line) => line.includes('"host":"127.0.24.1"'));
	await watch.waitForLine((line) => line.includes('"host":"127.0.24.2"'));
	second.close();
	const change = JSON.parse(
		await watch.waitForLine((line) => line.includes('"type":"transition"')),
	) as {host: string; from: string; to: string};
	t.like(change, {host: '127.0.24.2', from: 'open', to: 'closed'});
	const result = await watch.result;
	t.is(result.exitCode, 0, `stderr: ${result.stderr}`);
	const snapshots = result.stdout
		.split('\n')
		.filter((line) => line.includes('"type":"snapshot"'));
	t.is(snapshots.length, 2);
});
