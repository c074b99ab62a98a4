import {Buffer} from 'node:buffer';
import {spawn} from 'node:child_process';
import dgram from 'node:dgram';
import {chmodSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir, userInfo} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import test, {type ExecutionContext} from 'ava';
import {build} from 'esbuild';
import {ownerLabel} from '../source/state/listener-items.js';
import {
	createListenerScanner,
	listLocalSockets,
	matchesDaemon,
	ownerHiddenByPermission,
	ownerHiddenFromRoot,
	ownerNameHidden,
	ownerNotFound,
	type LocalSocketList,
	type ProcReader,
} from '../source/probe/listeners.js';
import {
	formatIpv6,
	formatProcAddress,
	parseProcNet,
} from '../source/probe/proc-net.js';
import {nodeProcReader, scanOwners} from '../source/probe/proc-owners.js';
import {AbortError} from '../source/probe/tcp.js';
import type {LocalSocket} from '../source/probe/types.js';
import {runChild} from './helpers/child.js';
import {listenTcp} from './helpers/probe-servers.js';

const isLinux = process.platform === 'linux';
const isRoot = process.geteuid?.() === 0;
const linuxTest = isLinux ? test : test.skip;
// Root can drop to nobody and meet a real EACCES; the injected tests cover the logic anywhere.
const rootTest = isLinux && isRoot ? test : test.skip;
const ownName = readFileSync('/proc/self/comm', 'utf8').trim();

// ---------------------------------------------------------------- helpers

function find(
	list: LocalSocketList,
	protocol: string,
	port: number,
): LocalSocket[] {
	return list.sockets.filter(
		(socket) => socket.protocol === protocol && socket.port === port,
	);
}

function errno(code: string): NodeJS.ErrnoException {
	return Object.assign(new Error(`${code}: simulated`), {code});
}

const tcpHeader =
	'  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const tcp6Header =
	'  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

function tcpLine(
	local: string,
	state: string,
	uid: number,
	inode: number,
): string {
	return `   0: ${local} 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000 ${uid} 0 ${inode} 1 0000000059194472 100 0 0 10 0\n`;
}

type FakeProcess = {
	comm: string | Uint8Array;
	links: string[] | NodeJS.ErrnoException;
	/** Raw /proc/PID/cmdline (NUL-separated); absent reads as empty, as a kernel thread's. */
	cmdline?: string | Uint8Array;
};

type FakeProc = {
	/** Socket lines of /proc/net/tcp. */
	tcp: string[];
	/** Pid to comm (raw bytes allowed) and fd links, or an error for the fd directory. */
	processes: Map<number, FakeProcess>;
};

/** An in-memory /proc that counts full scans, to test what a real root process cannot cause. */
function fakeReader(proc: FakeProc): ProcReader & {scans: number} {
	const reader = {
		scans: 0,
		readFile(path: string): Uint8Array {
			if (path === '/proc/net/tcp') {
				return Buffer.from(tcpHeader + proc.tcp.join(''), 'latin1');
			}

			if (path.startsWith('/proc/net/')) {
				return Buffer.from(tcpHeader, 'latin1');
			}

			const match = /^\/proc\/(\d+)\/(comm|cmdline)$/v.exec(path);
			const entry = match ? proc.processes.get(Number(match[1])) : undefined;
			if (!entry) {
				throw errno('ENOENT');
			}

			return match?.[2] === 'cmdline'
				? Buffer.from(entry.cmdline ?? '')
				: Buffer.concat([Buffer.from(entry.comm), Buffer.from('\n')]);
		},
		readdir(path: string): string[] {
			if (path === '/proc') {
				reader.scans++;
				return ['self', 'net', ...[...proc.processes.keys()].map(String)];
			}

			const entry = proc.processes.get(
				Number(/^\/proc\/(\d+)\/fd$/v.exec(path)?.[1]),
			);
			if (!entry) {
				throw errno('ENOENT');
			}

			if (entry.links instanceof Error) {
				throw entry.links;
			}

			return entry.links.map((_link, index) => String(index));
		},
		readlink(path: string): string {
			const [, pid, fd] = /^\/proc\/(\d+)\/fd\/(\d+)$/v.exec(path) ?? [];
			const links = proc.processes.get(Number(pid))?.links;
			const link = Array.isArray(links) ? links[Number(fd)] : undefined;
			if (link === undefined) {
				throw errno('ENOENT');
			}

			return link;
		},
	};
	return reader;
}

/** `reader`, but EACCES where `denied` says so: per call, a test of the paths it refuses. */
function denying(
	reader: ProcReader,
	denied: {readonly [Call in keyof ProcReader]?: (path: string) => boolean},
): ProcReader {
	const check = (call: keyof ProcReader, path: string) => {
		if (denied[call]?.(path)) {
			throw errno('EACCES');
		}
	};

	return {
		readdir(path) {
			check('readdir', path);
			return reader.readdir(path);
		},
		readlink(path) {
			check('readlink', path);
			return reader.readlink(path);
		},
		readFile(path) {
			check('readFile', path);
			return reader.readFile(path);
		},
	};
}

/**
The real /proc, counting full scans. The machine is shared: other people's sockets come and go, so
the tables are narrowed to the ports this test opened, or their new inodes would trigger scans too.
*/
function countingReader(
	ports: ReadonlySet<number>,
): ProcReader & {scans: number} {
	const reader = {
		...nodeProcReader,
		scans: 0,
		readdir(path: string): string[] {
			if (path === '/proc') {
				reader.scans++;
			}

			return nodeProcReader.readdir(path);
		},
		readFile(path: string): Uint8Array {
			const bytes = nodeProcReader.readFile(path);
			if (!path.startsWith('/proc/net/')) {
				return bytes;
			}

			const [header, ...lines] = Buffer.from(bytes)
				.toString('latin1')
				.split('\n');
			const ours = lines.filter((line) => {
				const hexPort = line.trim().split(/\s+/v)[1]?.split(':')[1];
				return hexPort !== undefined && ports.has(Number.parseInt(hexPort, 16));
			});
			return Buffer.from([header, ...ours].join('\n'), 'latin1');
		},
	};
	return reader;
}

// ---------------------------------------------------------------- real sockets on loopback

for (const host of ['127.0.0.1', '::1']) {
	linuxTest(
		`a TCP listener on ${host} is listed with this process, and gone after close`,
		async (t) => {
			const server = await listenTcp(t, {host});
			const scanner = createListenerScanner();

			const [socket, ...rest] = find(await scanner.list(), 'tcp', server.port);
			t.is(rest.length, 0);
			t.like(socket, {
				protocol: 'tcp',
				address: host,
				family: host === '::1' ? 6 : 4,
				pid: process.pid,
				process: ownName,
				ownerHidden: undefined,
			});
			// Like, not equal: under systemd the worker also has its session's unit.
			t.is(socket?.owners?.length, 1);
			t.like(socket?.owners?.[0], {
				pid: process.pid,
				process: ownName,
				cmdline: socket?.cmdline ?? '',
				user: userInfo().username,
			});
			// What ps shows: the real argv of this test worker, spaced.
			t.is(
				socket?.cmdline,
				readFileSync('/proc/self/cmdline', 'utf8')
					.split('\0')
					.filter(Boolean)
					.join(' '),
			);

			await server.close();
			t.deepEqual(find(await scanner.list(), 'tcp', server.port), []);
		},
	);
}

linuxTest(
	'a bound UDP socket is listed; a connected UDP socket is a client and is not',
	async (t) => {
		const bound = dgram.createSocket('udp4');
		const connected = dgram.createSocket('udp4');
		t.teardown(() => {
			bound.close();
			connected.close();
		});
		await new Promise<void>((resolve) => {
			bound.bind(0, '127.0.0.1', resolve);
		});
		await new Promise<void>((resolve) => {
			connected.connect(bound.address().port, '127.0.0.1', resolve);
		});

		const list = await listLocalSockets();
		t.like(find(list, 'udp', bound.address().port)[0], {
			address: '127.0.0.1',
			family: 4,
			pid: process.pid,
			process: ownName,
		});
		t.deepEqual(find(list, 'udp', connected.address().port), []);
	},
);

/** A child that renames itself (a process may write its own comm) and listens on loopback. */
async function renamedListener(t: ExecutionContext, comm: string) {
	const child = spawn(
		process.execPath,
		[
			'-e',
			`require('fs').writeFileSync('/proc/self/comm', ${JSON.stringify(comm)});
			const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port));`,
		],
		{stdio: ['ignore', 'pipe', 'inherit']},
	);
	t.teardown(() => child.kill());
	const port = await new Promise<number>((resolve, reject) => {
		child.once('error', reject);
		child.stdout.setEncoding('utf8');
		child.stdout.once('data', (data: string) => {
			resolve(Number(data));
		});
	});
	const [socket] = find(await createListenerScanner().list(), 'tcp', port);
	return {pid: child.pid, socket};
}

linuxTest(
	'a hostile process name from a real process is sanitised',
	async (t) => {
		// 12 bytes: the kernel keeps 15.
		const {pid, socket} = await renamedListener(
			t,
			'\u001B]0;\u0007\u001B[Hevil',
		);
		t.is(socket?.pid, pid);
		t.is(socket?.process, 'evil');
	},
);

linuxTest(
	'a process name that is all escape sequence shows as ?, with its pid',
	async (t) => {
		// OSC 52 (a clipboard write) in 12 bytes: nothing of it survives sanitising.
		const {pid, socket} = await renamedListener(t, '\u001B]52;c;cHc=\u0007');
		t.like(socket, {pid, process: '?', ownerHidden: undefined});
		t.is(ownerLabel(socket!), `? ${pid}`);
	},
);

/**
 * The listener module bundled into a directory every user can read: a child that drops to
 * nobody cannot read a checkout in a private directory (mktemp -d makes them 0700), nor tsx.
 */
async function bundleForNobody(t: ExecutionContext): Promise<string> {
	const directory = mkdtempSync(path.join(tmpdir(), 'portui-test-nobody-'));
	t.teardown(() => {
		rmSync(directory, {recursive: true, force: true});
	});
	chmodSync(directory, 0o755);
	const outfile = path.join(directory, 'listeners.mjs');
	await build({
		entryPoints: [
			fileURLToPath(new URL('../source/probe/listeners.ts', import.meta.url)),
		],
		bundle: true,
		platform: 'node',
		format: 'esm',
		outfile,
		logLevel: 'silent',
	});
	chmodSync(outfile, 0o644);
	return outfile;
}

rootTest(
	'owners another user may not read are hidden, said so, and never guessed (real EACCES as nobody)',
	async (t) => {
		const server = await listenTcp(t);
		const listeners = await bundleForNobody(t);
		const {status, stdout, stderr} = await runChild(
			process.execPath,
			[
				'--input-type=module',
				'-e',
				`const {listLocalSockets} = await import(${JSON.stringify(listeners)});
			console.log(JSON.stringify(await listLocalSockets()));`,
			],
			{uid: 65_534, gid: 65_534, cwd: path.dirname(listeners)},
		);
		t.is(status, 0, stderr);
		const [socket] = find(
			JSON.parse(stdout) as LocalSocketList,
			'tcp',
			server.port,
		);
		t.like(socket, {
			uid: 0,
			pid: undefined,
			process: undefined,
			ownerHidden: ownerHiddenByPermission,
		});
	},
);

// ---------------------------------------------------------------- the owner cache

linuxTest(
	'the owner map is rebuilt only for an unseen socket, on request, or when old',
	async (t) => {
		let clock = 1_000_000;
		const ports = new Set<number>();
		const reader = countingReader(ports);
		const scanner = createListenerScanner({
			reader,
			now: () => clock,
			ownerMaxAgeMs: 10_000,
		});
		const first = await listenTcp(t);
		ports.add(first.port);

		await scanner.list();
		t.is(reader.scans, 1);
		// Nothing new: sockets are listed again, owners come from the cache.
		const cached = await scanner.list();
		t.is(reader.scans, 1);
		t.is(find(cached, 'tcp', first.port)[0]?.pid, process.pid);

		const second = await listenTcp(t);
		ports.add(second.port);
		const afterNew = await scanner.list();
		t.is(reader.scans, 2, 'a new inode triggers a scan');
		t.is(find(afterNew, 'tcp', second.port)[0]?.pid, process.pid);

		await second.close();
		await scanner.list();
		t.is(reader.scans, 2, 'a socket going away needs no scan');

		await scanner.list({refreshOwners: true});
		t.is(reader.scans, 3);

		clock += 9999;
		await scanner.list();
		t.is(reader.scans, 3);
		clock += 1;
		await scanner.list();
		t.is(reader.scans, 4, 'older than ownerMaxAgeMs');
	},
);

test('a socket no process holds is reported once as not found, without a scan on every list', async (t) => {
	const proc: FakeProc = {
		tcp: [
			tcpLine('00000000:07E8', '0A', 0, 181),
			tcpLine('0100007F:0016', '0A', 0, 500),
		],
		processes: new Map<number, FakeProcess>([
			[42, {comm: 'sshd', links: ['/dev/null', 'socket:[500]', 'pipe:[7]']}],
		]),
	};
	const reader = fakeReader(proc);
	const scanner = createListenerScanner({reader, euid: 0});

	const list = await scanner.list();
	t.like(list.sockets[0], {
		port: 22,
		address: '127.0.0.1',
		pid: 42,
		process: 'sshd',
	});
	t.like(list.sockets[1], {
		port: 2024,
		pid: undefined,
		ownerHidden: ownerNotFound,
	});
	await scanner.list();
	await scanner.list();
	t.is(reader.scans, 1);
});

test('an owner that exited triggers a scan that finds the child holding the socket', async (t) => {
	const proc: FakeProc = {
		tcp: [tcpLine('0100007F:0035', '0A', 0, 900)],
		processes: new Map<number, FakeProcess>([
			[10, {comm: 'named', links: ['socket:[900]']}],
		]),
	};
	const reader = fakeReader(proc);
	const scanner = createListenerScanner({reader, euid: 0});
	const before = await scanner.list();
	t.like(before.sockets[0], {pid: 10, process: 'named'});

	// A daemon that forks after bind: the parent exits, the child keeps the socket.
	proc.processes.delete(10);
	proc.processes.set(11, {comm: 'named', links: ['socket:[900]']});
	const after = await scanner.list();
	t.like(after.sockets[0], {pid: 11, process: 'named'});
	t.is(reader.scans, 2);
});

test('a socket shared by a forking server lists every holder, lowest pid first', async (t) => {
	const proc: FakeProc = {
		tcp: [tcpLine('00000000:0050', '0A', 0, 77)],
		processes: new Map<number, FakeProcess>([
			[300, {comm: 'nginx', links: ['socket:[77]', 'socket:[77]']}],
			[200, {comm: 'nginx', links: ['socket:[77]']}],
		]),
	};
	const list = await createListenerScanner({
		reader: fakeReader(proc),
		euid: 0,
	}).list();
	const [socket] = list.sockets;
	t.like(socket, {pid: 200, process: 'nginx'});
	t.deepEqual(socket?.owners, [
		{pid: 200, process: 'nginx'},
		{pid: 300, process: 'nginx'},
	]);
});

// ---------------------------------------------------------------- hidden owners (injected errors)

function hiddenProc(): FakeProc {
	return {
		tcp: [
			tcpLine('0100007F:1F90', '0A', 1000, 1),
			tcpLine('0100007F:1F91', '0A', 0, 2),
			// Our own uid, yet no readable process holds it: a setuid process we may not read might.
			tcpLine('0100007F:1F92', '0A', 1000, 3),
		],
		processes: new Map<number, FakeProcess>([
			[1, {comm: 'init', links: errno('EACCES')}],
			[50, {comm: 'mine', links: ['socket:[1]']}],
		]),
	};
}

test('not root, EACCES on a fd directory: unfound owners are hidden, found ones shown', async (t) => {
	const list = await createListenerScanner({
		reader: fakeReader(hiddenProc()),
		euid: 1000,
	}).list();
	t.like(list.sockets[0], {
		port: 8080,
		pid: 50,
		process: 'mine',
		ownerHidden: undefined,
	});
	t.like(list.sockets[1], {
		port: 8081,
		pid: undefined,
		process: undefined,
		ownerHidden: ownerHiddenByPermission,
	});
	t.like(list.sockets[2], {
		port: 8082,
		pid: undefined,
		ownerHidden: ownerHiddenByPermission,
	});
});

test('root and still EACCES (another user namespace, an LSM): said so, not "run as root"', async (t) => {
	const list = await createListenerScanner({
		reader: fakeReader(hiddenProc()),
		euid: 0,
	}).list();
	t.like(list.sockets[1], {pid: undefined, ownerHidden: ownerHiddenFromRoot});
});

test('EACCES on readlink counts like EACCES on the directory', async (t) => {
	const proc = hiddenProc();
	proc.processes.set(1, {comm: 'init', links: ['socket:[2]']});
	const list = await createListenerScanner({
		reader: denying(fakeReader(proc), {
			readlink: (path) => path.startsWith('/proc/1/'),
		}),
		euid: 1000,
	}).list();
	t.like(list.sockets[1], {
		pid: undefined,
		ownerHidden: ownerHiddenByPermission,
	});
});

test('not root and no error (hidepid hides other users): another uid is hidden, our own is not found', async (t) => {
	const proc: FakeProc = {
		tcp: [
			tcpLine('0100007F:1F90', '0A', 0, 1),
			tcpLine('0100007F:1F91', '0A', 1000, 2),
		],
		processes: new Map(),
	};
	const list = await createListenerScanner({
		reader: fakeReader(proc),
		euid: 1000,
	}).list();
	t.is(list.sockets[0]?.ownerHidden, ownerHiddenByPermission);
	t.is(list.sockets[1]?.ownerHidden, ownerNotFound);
});

test('a process that exits during the scan is not a permission problem', async (t) => {
	const proc = hiddenProc();
	proc.processes.set(1, {comm: 'gone', links: errno('ENOENT')});
	const list = await createListenerScanner({
		reader: fakeReader(proc),
		euid: 0,
	}).list();
	t.is(list.sockets[1]?.ownerHidden, ownerNotFound);
});

test('hostile process names (escape sequences, OSC title, C1, invalid UTF-8) are sanitised', async (t) => {
	const proc: FakeProc = {
		tcp: [
			tcpLine('0100007F:1F90', '0A', 0, 1),
			tcpLine('0100007F:1F91', '0A', 0, 2),
		],
		processes: new Map<number, FakeProcess>([
			[
				5,
				{
					comm: '\u001B]0;owned\u0007\u001B[31mx\u001B[2J\u001B]52;c;Zm9v\u0007y',
					links: ['socket:[1]'],
				},
			],
			// UTF-8 C1 CSI (U+009B) "1A" moves the cursor up; ff fe is no UTF-8 at all.
			[
				6,
				{
					comm: Buffer.from([0xc2, 0x9b, 0x31, 0x41, 0x61, 0xff, 0xfe, 0x62]),
					links: ['socket:[2]'],
				},
			],
		]),
	};
	const list = await createListenerScanner({
		reader: fakeReader(proc),
		euid: 0,
	}).list();
	t.is(list.sockets[0]?.process, 'xy');
	t.is(list.sockets[1]?.process, 'a\uFFFDb');
});

test('command lines are read per holder, arguments spaced, hostile bytes sanitised, empty absent', async (t) => {
	const proc: FakeProc = {
		tcp: [
			tcpLine('0100007F:1F90', '0A', 0, 1),
			tcpLine('0100007F:1F91', '0A', 0, 2),
		],
		processes: new Map<number, FakeProcess>([
			[
				5,
				{
					comm: 'python3',
					links: ['socket:[1]'],
					cmdline:
						'/usr/bin/python3\0-m\0http.server\0\u001B]0;owned\u0007 8080\0',
				},
			],
			[6, {comm: 'kworker', links: ['socket:[2]']}],
		]),
	};
	const list = await createListenerScanner({
		reader: fakeReader(proc),
		euid: 0,
	}).list();
	t.is(list.sockets[0]?.cmdline, '/usr/bin/python3 -m http.server 8080');
	t.deepEqual(list.sockets[0]?.owners, [
		{
			pid: 5,
			process: 'python3',
			cmdline: '/usr/bin/python3 -m http.server 8080',
		},
	]);
	t.is(list.sockets[1]?.cmdline, undefined);
	t.deepEqual(list.sockets[1]?.owners, [{pid: 6, process: 'kworker'}]);
});

// ---------------------------------------------------------------- availability and abort

test('another platform: unavailable with a reason, /proc never touched', async (t) => {
	const reader = fakeReader({tcp: [], processes: new Map()});
	const list = await createListenerScanner({platform: 'darwin', reader}).list();
	t.false(list.isAvailable);
	t.regex(list.reason ?? '', /darwin/v);
	t.deepEqual(list.sockets, []);
	t.is(reader.scans, 0);
});

test('Linux without /proc mounted: unavailable with a reason', async (t) => {
	const reader: ProcReader = {
		readFile() {
			throw errno('ENOENT');
		},
		readdir() {
			throw errno('ENOENT');
		},
		readlink() {
			throw errno('ENOENT');
		},
	};
	const list = await createListenerScanner({platform: 'linux', reader}).list();
	t.false(list.isAvailable);
	t.regex(list.reason ?? '', /\/proc/v);
});

test('an aborted signal rejects before any work, and aborting mid-scan stops the scan', async (t) => {
	const reader = fakeReader({tcp: [], processes: new Map()});
	await t.throwsAsync(
		createListenerScanner({reader}).list({signal: AbortSignal.abort()}),
		{instanceOf: AbortError},
	);
	t.is(reader.scans, 0);

	const controller = new AbortController();
	let visited = 0;
	const processes = new Map<number, FakeProcess>(
		Array.from({length: 50}, (_, index) => [
			index + 1,
			{comm: 'p', links: ['/dev/null']},
		]),
	);
	const slow = fakeReader({tcp: [], processes});
	const aborting: ProcReader = {
		...slow,
		readdir(path) {
			if (path !== '/proc') {
				visited++;
				if (visited === 3) {
					controller.abort();
				}
			}

			return slow.readdir(path);
		},
	};
	await t.throwsAsync(
		scanOwners({reader: aborting, signal: controller.signal, sliceMs: 0}),
		{instanceOf: AbortError},
	);
	t.true(visited < 50, `visited ${visited}`);
});

// ---------------------------------------------------------------- parsing /proc/net

test('parses /proc/net/tcp6 fixture lines: ::1, ::, v4-mapped, link-local, global; skips non-listening', (t) => {
	const text =
		tcp6Header +
		'   0: 0000000000000000FFFF00000100007F:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 29021 1 00000000fc2a2b3f 100 0 0 10 0\n' +
		'   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 29020 1 0000000006dcfb57 100 0 0 10 0\n' +
		'   2: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0000000006dcfb57 100 0 0 10 0\n' +
		'   3: 000080FE00000000000000000100000A:0277 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   112        0 101 1 0000000006dcfb57 100 0 0 10 0\n' +
		'   4: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 102 1 0000000006dcfb57 100 0 0 10 0\n' +
		'   5: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D431 01 00000000:00000000 00:00000000 00000000     0        0 103 1 0000000006dcfb57 100 0 0 10 0\n' +
		'   6: garbage line\n' +
		'   7: 00000000000000000000000001000000:ZZZZ 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 104 1\n';
	const sockets = parseProcNet(text, 'tcp', 6, {isLittleEndian: true});
	t.deepEqual(
		sockets.map(({address, port, uid, inode}) => ({address, port, uid, inode})),
		[
			{address: '::ffff:127.0.0.1', port: 8081, uid: 0, inode: 29_021},
			{address: '::1', port: 8080, uid: 0, inode: 29_020},
			{address: '::', port: 22, uid: 0, inode: 100},
			{address: 'fe80::a00:1', port: 631, uid: 112, inode: 101},
			{address: '2001:db8::1', port: 443, uid: 33, inode: 102},
		],
	);
	t.true(
		sockets.every((socket) => socket.protocol === 'tcp' && socket.family === 6),
	);
});

test('parses /proc/net/tcp and udp: 127.0.0.1:8080 listening, UDP unconnected (07) kept, connected (01) dropped', (t) => {
	t.deepEqual(
		parseProcNet(
			tcpHeader + tcpLine('0100007F:1F90', '0A', 1000, 5),
			'tcp',
			4,
			{isLittleEndian: true},
		),
		[
			{
				protocol: 'tcp',
				family: 4,
				address: '127.0.0.1',
				port: 8080,
				uid: 1000,
				inode: 5,
			},
		],
	);
	const udp =
		tcpHeader +
		' 3454: 0100007F:8A24 0100007F:14E9 01 00000000:00000000 00:00000000 00000000     0        0 29025 2 000000007aeca0d0 0\n' +
		' 3455: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 29026 2 000000007aeca0d0 0\n';
	t.deepEqual(parseProcNet(udp, 'udp', 4, {isLittleEndian: true}), [
		{
			protocol: 'udp',
			family: 4,
			address: '0.0.0.0',
			port: 53,
			uid: 101,
			inode: 29_026,
		},
	]);
	// A TCP line in state 07 (closed) is not a listener.
	t.deepEqual(
		parseProcNet(tcpHeader + tcpLine('0100007F:1F90', '07', 0, 5), 'tcp', 4),
		[],
	);
});

test('a table of TIME_WAIT and connections keeps only its listeners, and a line of another shape is still read in full', (t) => {
	const lines = [tcpLine('0100007F:1F90', '0A', 0, 7)];
	for (let index = 0; index < 300; index++) {
		lines.push(
			`${String(index + 1).padStart(4)}: 0100007F:${(40_000 + index).toString(16).toUpperCase()} 0100007F:0016 06 00000000:00000000 03:00000CB2 00000000     0        0 0 3 0000000000000000\n`,
		);
	}

	// Wider spacing than the kernel's: not for the shortcut to judge.
	lines.push(
		'  301:  0100007F:0050  00000000:0000  0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0000000000000000\n',
	);
	t.deepEqual(
		parseProcNet(tcpHeader + lines.join(''), 'tcp', 4, {
			isLittleEndian: true,
		}).map(({port, inode}) => ({port, inode})),
		[
			{port: 8080, inode: 7},
			{port: 80, inode: 9},
		],
	);
});

test('addresses decode per 32-bit word in the writer byte order', (t) => {
	t.is(formatProcAddress('0100007F', true), '127.0.0.1');
	t.is(formatProcAddress('7F000001', false), '127.0.0.1');
	t.is(formatProcAddress('00000000000000000000000001000000', true), '::1');
	t.is(formatProcAddress('00000000000000000000000000000001', false), '::1');
	t.is(
		formatProcAddress('0000000000000000FFFF00000100007F', true),
		'::ffff:127.0.0.1',
	);
	t.is(
		formatProcAddress('00000000000000000000FFFF7F000001', false),
		'::ffff:127.0.0.1',
	);
});

test('IPv6 text follows RFC 5952', (t) => {
	const bytes = (text: string) => Buffer.from(text.replaceAll(':', ''), 'hex');
	t.is(formatIpv6(bytes('00000000000000000000000000000000')), '::');
	t.is(
		formatIpv6(bytes('2001:0db8:0000:0000:0001:0000:0000:0001')),
		'2001:db8::1:0:0:1',
	);
	t.is(
		formatIpv6(bytes('2001:0db8:0000:0001:0001:0001:0001:0001')),
		'2001:db8:0:1:1:1:1:1',
	);
	t.is(
		formatIpv6(bytes('2001:0db8:0000:0000:0001:0000:0000:0000')),
		'2001:db8:0:0:1::',
	);
	t.is(formatIpv6(bytes('FE80:0000:0000:0000:0000:0000:0000:0000')), 'fe80::');
});

// ---------------------------------------------------------------- daemons of the catalogue

test('matchesDaemon compares comm with the catalogue daemons', (t) => {
	t.true(matchesDaemon('sshd', ['sshd']));
	t.true(matchesDaemon('SSHD', ['sshd']));
	t.true(matchesDaemon('sshd', ['/usr/sbin/sshd -D']));
	t.true(matchesDaemon('sshd: /usr/sbin/sshd', ['sshd']));
	t.true(matchesDaemon('rpc.mountd', ['mountd', 'rpc.mountd']));
	t.true(matchesDaemon('in.ftpd', ['in.ftpd', 'vsftpd']));
	t.false(matchesDaemon('nginx', ['sshd']));
	t.false(matchesDaemon('ftpd', ['in.ftpd']), 'no guessing at prefixes');
	// Comm keeps 15 characters.
	t.true(matchesDaemon('systemd-resolve', ['systemd-resolved']));
	t.false(matchesDaemon('systemd-resolv', ['systemd-resolved']));
	t.is(matchesDaemon(undefined, ['sshd']), undefined);
	t.is(matchesDaemon('sshd', []), undefined);
	t.is(matchesDaemon('', ['sshd']), undefined);
});

test('matchesDaemon accepts the super-server for inetd and socket-activated services', (t) => {
	t.true(matchesDaemon('xinetd', ['in.telnetd'], {launch: ['inetd']}));
	t.true(matchesDaemon('inetd', ['in.telnetd'], {launch: ['inetd']}));
	t.false(matchesDaemon('xinetd', ['in.telnetd'], {launch: ['standalone']}));
	t.true(
		matchesDaemon('systemd', ['cupsd'], {
			launch: ['standalone', 'socket-activated'],
		}),
	);
	t.true(matchesDaemon('systemd', [], {launch: ['socket-activated']}));
});

test('an unreadable /proc directory hides every owner instead of failing the list', async (t) => {
	const list = await createListenerScanner({
		reader: denying(fakeReader(hiddenProc()), {
			readdir: (path) => path === '/proc',
		}),
		euid: 0,
	}).list();
	t.true(list.isAvailable);
	t.is(list.sockets.length, 3);
	t.true(
		list.sockets.every((socket) => socket.ownerHidden === ownerHiddenFromRoot),
	);
});

test('a holder whose name cannot be read keeps its pid and says the name is hidden', async (t) => {
	const reader = fakeReader({
		tcp: [tcpLine('0100007F:1F90', '0A', 0, 1)],
		processes: new Map<number, FakeProcess>([
			[70, {comm: 'secret', links: ['socket:[1]']}],
		]),
	});
	const list = await createListenerScanner({
		reader: denying(reader, {readFile: (path) => path === '/proc/70/comm'}),
		euid: 0,
	}).list();
	t.like(list.sockets[0], {
		pid: 70,
		process: undefined,
		ownerHidden: ownerNameHidden,
	});
});
