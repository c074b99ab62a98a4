import {Buffer} from 'node:buffer';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import test from 'ava';
import {createListenerScanner} from '../../source/probe/listeners.js';
import {parseSshUrl} from '../../source/remote/destination.js';
import {
	snapshotFunction,
	snapshotRequest,
} from '../../source/remote/snapshot-script.js';
import {parseSnapshot, snapshotReader} from '../../source/remote/snapshot.js';
import {insideOutside} from '../../source/remote/verdict.js';
import type {LocalSocket} from '../../source/probe/types.js';
import {listenTcp} from '../helpers/probe-servers.js';

// Serial: the two runs of the script must not see each other's listeners come and go.
const linuxTest = process.platform === 'linux' ? test.serial : test.serial.skip;

/** The script as the remote shell runs it, here, by `shell`. */
function runScript(shell: string[]): string {
	const result = spawnSync(shell[0]!, shell.slice(1), {
		input: snapshotFunction + snapshotRequest,
		encoding: 'latin1',
		maxBuffer: 64 * 1024 * 1024,
	});
	if (result.status !== 0) {
		throw new Error(`${shell.join(' ')}: ${result.stderr}`);
	}

	return result.stdout.slice(result.stdout.indexOf('\n') + 1);
}

const view = (socket: LocalSocket) =>
	`${socket.protocol} ${socket.address}:${socket.port} ${socket.inode} ${socket.pid ?? '-'} ${socket.process ?? socket.ownerHidden ?? ''} ${socket.cmdline ?? ''}`;

async function bothWays(shell: string[]) {
	const scanner = createListenerScanner();
	const before = await scanner.list({refreshOwners: true});
	const snapshot = parseSnapshot(runScript(shell));
	const after = await scanner.list({refreshOwners: true});
	const remote = await createListenerScanner({
		reader: snapshotReader(snapshot),
		platform: 'linux',
		euid: snapshot.euid,
	}).list({refreshOwners: true});
	// Other test workers open and close sockets meanwhile: compare what stayed put around the script.
	const stayed = new Set(
		before.sockets
			.map((socket) => view(socket))
			.filter((line) => after.sockets.some((socket) => view(socket) === line)),
	);
	const isStable = (socket: LocalSocket) =>
		before.sockets.some((other) => other.inode === socket.inode) &&
		after.sockets.some((other) => other.inode === socket.inode);
	return {
		local: [...stayed],
		remote: remote.sockets
			.filter((socket) => isStable(socket))
			.map((socket) => view(socket)),
		list: remote,
		snapshot,
	};
}

// The same machine read two ways, /proc directly and the script's snapshot through the same
// scanner, must agree socket for socket, owner for owner.
for (const name of ['sh', 'BusyBox sh and applets']) {
	linuxTest(
		`the script run by ${name} gives the local scanner's sockets and owners`,
		async (t) => {
			let shell = ['sh'];
			if (name !== 'sh') {
				if (spawnSync('sh', ['-c', 'command -v busybox']).status !== 0) {
					t.log('busybox is not installed (.ci/run installs it): skipped');
					t.pass();
					return;
				}

				// Only BusyBox on PATH: its sh, ls, awk, od and xargs run the script.
				const applets = mkdtempSync(path.join(tmpdir(), 'rm-bb-'));
				t.teardown(() => {
					rmSync(applets, {recursive: true, force: true});
				});
				for (const applet of ['sh', 'ls', 'awk', 'od', 'xargs']) {
					symlinkSync('/usr/bin/busybox', path.join(applets, applet));
				}

				shell = ['env', `PATH=${applets}`, 'sh'];
			}

			const server = await listenTcp(t, {host: '127.0.0.1'});
			const {local, remote, list, snapshot} = await bothWays(shell);
			t.is(snapshot.euid, process.geteuid?.() ?? -1);
			t.true(list.isAvailable);
			const ours = list.sockets.find(
				(socket) =>
					socket.port === server.port && socket.address === '127.0.0.1',
			);
			t.is(ours?.pid, process.pid);
			t.deepEqual(remote, local);
		},
	);
}

test('what a process puts in its name or arguments cannot pass for a marker line', (t) => {
	const forged = [
		'u 0',
		'f /proc/net/tcp',
		' header',
		'f /proc/7/comm',
		' evil',
		'h /proc/7/cmdline',
		// A command line is hex: `\ns 1 3 99\nportui-end\n` arrives as od lines, not as text.
		` ${[...Buffer.from('a\ns 1 3 99\nportui-end\n')].map((byte) => byte.toString(16).padStart(2, '0')).join(' ')}`,
		's 7 3 42',
		'',
	].join('\n');
	const snapshot = parseSnapshot(forged);
	t.deepEqual([...snapshot.sockets.keys()], [7]);
	t.is(
		Buffer.from(snapshot.files.get('/proc/7/cmdline')!).toString(),
		'a\ns 1 3 99\nportui-end\n',
	);
	const reader = snapshotReader(snapshot);
	t.is(reader.readlink('/proc/7/fd/3'), 'socket:[42]');
	t.throws(() => reader.readdir('/proc/8/fd'), {message: /ENOENT/v});
});

test('ssh:// addresses: user, host, port; anything ssh could read as an option is refused', (t) => {
	t.like(parseSshUrl('ssh://admin@db1:2222'), {
		user: 'admin',
		host: 'db1',
		port: 2222,
	});
	t.like(parseSshUrl('ssh://[fd00::5]:22'), {host: 'fd00::5', port: 22});
	t.like(parseSshUrl('ssh://10.0.0.5'), {host: '10.0.0.5'});
	for (const bad of [
		'ssh://-oProxyCommand=x',
		'ssh://a b',
		'ssh://root@',
		'ssh://-l@host',
		'ssh://host:0',
		'ssh://host:70000',
		'ssh://[db1]',
		'ssh://u@h@h',
	]) {
		t.is(typeof parseSshUrl(bad), 'string', `refused: ${bad}`);
	}
});

test('inside beside outside: the four verdicts', (t) => {
	const socket = (address: string): LocalSocket => ({
		protocol: 'tcp',
		address,
		family: 4,
		port: 80,
		inode: 1,
		uid: 0,
	});
	const probed = [{address: '10.24.1.2', family: 4 as const}];
	const verdict = (sockets: LocalSocket[], state: 'open' | 'filtered') =>
		insideOutside({sockets, port: 80, protocol: 'tcp', state, probed});
	t.is(
		verdict([socket('0.0.0.0')], 'filtered'),
		'listening on 0.0.0.0, not reachable from here (firewalled)',
	);
	t.is(verdict([socket('0.0.0.0')], 'open'), 'reachable from here');
	t.is(
		verdict([socket('127.0.0.1')], 'filtered'),
		'listening on loopback only',
	);
	t.is(
		verdict([], 'open'),
		'answers from here but nothing listens (forwarded?)',
	);
	t.is(verdict([], 'filtered'), undefined);
});
