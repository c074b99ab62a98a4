import {spawn} from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import test from 'ava';
import {ensureBuilt, root} from './helpers/cli.js';
import {closedPort} from './helpers/probe-servers.js';

// Item 10: `watch ... | head -1` on ports that never change must end when head does; before,
// it waited for a change to write (and fail with EPIPE), for ever.
test('watch | head -1 ends with nothing changing', async (t) => {
	await ensureBuilt();
	const port = await closedPort(t);
	const bin = path.join(root, 'bin', 'portui.js');
	const shell = spawn(
		'sh',
		[
			'-c',
			// The reader stays a moment after its line, so the watch is idle when it leaves.
			`"$0" "$1" watch 127.0.0.1 ${port} --interval 100ms --json | (head -1; sleep 0.5)`,
			process.execPath,
			bin,
		],
		// A process group of its own: a watch that never ends is killed with its shell.
		{stdio: ['ignore', 'pipe', 'pipe'], detached: true},
	);
	t.teardown(() => {
		try {
			process.kill(-shell.pid!, 'SIGKILL');
		} catch {
			// Ended already, as it should.
		}
	});
	let stdout = '';
	let stderr = '';
	shell.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	shell.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	// The shell waits for both ends of the pipe: it exits only once portui has.
	const code = await new Promise<number | undefined>((resolve) => {
		shell.on('close', resolve);
	});
	t.is(code, 0, `${stderr}`);
	t.is(stderr, '');
	t.regex(stdout, /^\{"type":"snapshot"/v);
	t.is(stdout.split('\n').length, 2, 'one line');
});
