import {Buffer} from 'node:buffer';
import {randomBytes} from 'node:crypto';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmdirSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import {createServer} from 'node:http';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import test, {type ExecutionContext} from 'ava';
import {
	cgroupPath,
	ownerOfCgroup,
	proxyTarget,
	shortId,
} from '../source/probe/cgroup.js';
import {createContainerEngine} from '../source/probe/container-engine.js';
import {
	createListenerScanner,
	type ListenerScanner,
} from '../source/probe/listeners.js';
import {parseSocketUnit, socketUnitOf} from '../source/probe/owner-details.js';
import type {ProcReader} from '../source/probe/proc-owners.js';
import {matchesDaemon} from '../source/probe/match-daemon.js';
import type {LocalSocket} from '../source/probe/types.js';
import {holderLabel, ownerChangeText} from '../source/text/owner.js';
import {namedNode, startListener} from './helpers/listening-child.js';

const isRoot = process.geteuid?.() === 0;
const id = 'a'.repeat(8) + 'b'.repeat(56);

// ---------------------------------------------------------------- cgroup paths

test('the unified hierarchy wins; cgroup v1 falls back to name=systemd; the root names nothing', (t) => {
	t.is(
		cgroupPath(
			'12:pids:/x\n1:name=systemd:/system.slice/a.service\n0::/system.slice/b.service\n',
		),
		'/system.slice/b.service',
	);
	t.is(
		cgroupPath('9:name=systemd:/system.slice/a.service\n0::/\n'),
		'/system.slice/a.service',
	);
	t.is(cgroupPath('0::/\n'), undefined);
	t.is(cgroupPath('garbage\n'), undefined);
});

const units = test.macro({
	exec(t, path: string, expected: unknown) {
		t.deepEqual(ownerOfCgroup(path), expected);
	},
	title: (_title, path: string) => `cgroup ${path}`,
});

test(units, '/system.slice/ssh.service', {
	unit: {name: 'ssh.service', manager: 'system'},
});
test(units, '/system.slice/nginx.service/payload', {
	unit: {name: 'nginx.service', manager: 'system'},
});
test(
	units,
	'/user.slice/user-1000.slice/user@1000.service/app.slice/syncthing.service',
	{
		unit: {name: 'syncthing.service', manager: 'user'},
	},
);
test(units, '/user.slice/user-1000.slice/session-3.scope', {
	unit: {name: 'session-3.scope', manager: 'system'},
});
test(units, `/system.slice/docker-${id}.scope`, {
	container: {engine: 'docker', id},
});
test(units, `/docker/${id}`, {container: {engine: 'docker', id}});
test(units, `/machine.slice/libpod-${id}.scope/container`, {
	container: {engine: 'podman', id},
});
test(units, `/machine.slice/libpod-conmon-${id}.scope`, {
	unit: {name: `libpod-conmon-${id}.scope`, manager: 'system'},
});
test(
	units,
	`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b2c3d_1111_2222_3333_444455556666.slice/cri-containerd-${id}.scope`,
	{
		container: {
			engine: 'containerd',
			id,
			pod: '0a1b2c3d-1111-2222-3333-444455556666',
		},
	},
);
test(
	units,
	`/kubepods/besteffort/pod0a1b2c3d-1111-2222-3333-444455556666/${id}`,
	{
		container: {
			engine: 'containerd',
			id,
			pod: '0a1b2c3d-1111-2222-3333-444455556666',
		},
	},
);
test(units, `/system.slice/crio-${id}.scope`, {
	container: {engine: 'cri-o', id},
});

test('short ids are the first 12 hex digits; other ids stay whole', (t) => {
	t.is(shortId(id), 'aaaaaaaabbbb');
	t.is(shortId('web-1'), 'web-1');
});

test('docker-proxy arguments say where it forwards, in either flag form; incomplete ones say nothing', (t) => {
	t.deepEqual(
		proxyTarget([
			'/usr/bin/docker-proxy',
			'-proto',
			'tcp',
			'-host-ip',
			'0.0.0.0',
			'-host-port',
			'8080',
			'-container-ip',
			'172.17.0.2',
			'-container-port',
			'80',
			'-use-listen-fd',
		]),
		{
			protocol: 'tcp',
			hostIp: '0.0.0.0',
			hostPort: 8080,
			containerIp: '172.17.0.2',
			containerPort: 80,
		},
	);
	t.like(
		proxyTarget([
			'docker-proxy',
			'--container-ip=fd00::2',
			'--container-port=53',
			'--host-port=53',
			'--proto=udp',
		]),
		{containerIp: 'fd00::2', containerPort: 53, protocol: 'udp'},
	);
	t.is(proxyTarget(['docker-proxy', '-container-ip', '172.17.0.2']), undefined);
	t.is(
		proxyTarget([
			'docker-proxy',
			'-container-ip',
			'1.2.3.4',
			'-container-port',
			'99999',
			'-host-port',
			'1',
		]),
		undefined,
	);
});

// ---------------------------------------------------------------- socket activation (fixture)

/** A /proc and /etc from maps: what a remote snapshot would hand the same code. */
function mapReader(
	files: Record<string, string>,
	links: Record<string, string> = {},
): ProcReader {
	const gone = () =>
		Object.assign(new Error('ENOENT'), {code: 'ENOENT'}) as Error;
	return {
		readFile(path) {
			const body = files[path];
			if (body === undefined) {
				throw gone();
			}

			return Buffer.from(body, 'latin1');
		},
		readdir(path) {
			const prefix = `${path}/`;
			const names = new Set<string>();
			for (const key of [...Object.keys(files), ...Object.keys(links)]) {
				if (key.startsWith(prefix)) {
					names.add(key.slice(prefix.length).split('/')[0]!);
				}
			}

			if (names.size === 0) {
				throw gone();
			}

			return [...names];
		},
		readlink(path) {
			const link = links[path];
			if (link === undefined) {
				throw gone();
			}

			return link;
		},
	};
}

test('.socket files: ports with and without an address, Service=, Accept=yes', (t) => {
	t.deepEqual(
		parseSocketUnit(
			'ssh.socket',
			'[Socket]\nListenStream=22\nListenStream=[::]:2222\n# ListenStream=23\nAccept=yes\n',
		),
		{
			name: 'ssh.socket',
			listens: [
				{protocol: 'tcp', port: 22},
				{protocol: 'tcp', port: 2222, address: '::'},
			],
			service: 'ssh@.service',
		},
	);
	t.is(
		parseSocketUnit(
			'x.socket',
			'ListenDatagram=127.0.0.1:53\nService=dns.service\n',
		).service,
		'dns.service',
	);
});

const tcpHeader =
	'  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

test('a listener systemd (PID 1) holds names its .socket unit and the service it starts', async (t) => {
	const reader = mapReader(
		{
			'/proc/net/tcp': `${tcpHeader}   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n`,
			'/proc/1/comm': 'systemd\n',
			'/proc/1/cmdline': '/sbin/init\0',
			'/proc/1/cgroup': '0::/init.scope\n',
			'/proc/1/status': 'Name:\tsystemd\nUid:\t0\t0\t0\t0\n',
			'/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
			'/lib/systemd/system/ssh.socket':
				'[Socket]\nListenStream=22\nAccept=no\n',
			'/lib/systemd/system/telnet.socket': '[Socket]\nListenStream=23\n',
			'/etc/systemd/system/other.socket': '[Socket]\nListenStream=8080\n',
		},
		{'/proc/1/fd/3': 'socket:[4242]'},
	);
	const list = await createListenerScanner({
		reader,
		euid: 0,
		engine: false,
	}).list();
	t.deepEqual(list.sockets[0]?.owners, [
		{
			pid: 1,
			process: 'systemd',
			cmdline: '/sbin/init',
			user: 'root',
			unit: {name: 'ssh.socket', manager: 'system', service: 'ssh.service'},
		},
	]);
});

test('two .socket files on one port: the active one is named; with neither active, none (never a guess)', (t) => {
	const files = {
		'/lib/systemd/system/a.socket': 'ListenStream=22\n',
		'/lib/systemd/system/b.socket': 'ListenStream=0.0.0.0:22\n',
	};
	const socket = {protocol: 'tcp', address: '0.0.0.0', port: 22} as const;
	t.is(socketUnitOf(mapReader(files), socket, 'system'), undefined);
	t.like(
		socketUnitOf(
			mapReader(files, {'/run/systemd/units/invocation:b.socket': 'abc'}),
			socket,
			'system',
		),
		{name: 'b.socket', service: 'b.service'},
	);
	// An address that is not the socket's is not a match.
	t.is(
		socketUnitOf(
			mapReader({'/lib/systemd/system/c.socket': 'ListenStream=10.0.0.1:22\n'}),
			socket,
			'system',
		),
		undefined,
	);
});

// ---------------------------------------------------------------- real processes

/** A cgroup hierarchy we may make cgroups in: the unified one, and cgroup v1's systemd one. */
function hierarchies(): string[] {
	return [
		'/sys/fs/cgroup/unified',
		'/sys/fs/cgroup',
		'/sys/fs/cgroup/systemd',
	].filter(
		(root) =>
			existsSync(path.join(root, 'cgroup.procs')) &&
			(root.endsWith('systemd') ||
				existsSync(path.join(root, 'cgroup.controllers'))),
	);
}

/** Makes `relative` (nested cgroups) under `root` and moves `pid` into it; removed on teardown. */
function placeInCgroup(
	t: ExecutionContext,
	root: string,
	relative: string,
	pid: number,
): boolean {
	const made: string[] = [];
	try {
		let directory = root;
		for (const part of relative.split('/')) {
			directory = path.join(directory, part);
			if (!existsSync(directory)) {
				mkdirSync(directory);
				made.unshift(directory);
			}
		}

		writeFileSync(path.join(directory, 'cgroup.procs'), String(pid));
	} catch {
		return false;
	} finally {
		t.teardown(async () => {
			// A cgroup is removable once its processes have exited (the listener's teardown kills it first).
			for (let attempt = 0; attempt < 50 && made.length > 0; attempt++) {
				try {
					rmdirSync(made[0]!);
					made.shift();
				} catch {
					// eslint-disable-next-line no-await-in-loop -- waiting for the kernel to reap the process
					await delay(20);
				}
			}
		});
	}

	return true;
}

const ownerOf = (sockets: readonly LocalSocket[], port: number) =>
	sockets.find((socket) => socket.port === port && socket.protocol === 'tcp')
		?.owners?.[0];

async function ownerIn(scanner: ListenerScanner, port: number) {
	const list = await scanner.list();
	return ownerOf(list.sockets, port);
}

const cgroupTest = isRoot && hierarchies().length > 0 ? test.serial : test.skip;

cgroupTest(
	'a real process in a test-made unit cgroup is owned by that unit',
	async (t) => {
		for (const root of hierarchies()) {
			const tag = randomBytes(3).toString('hex');
			// eslint-disable-next-line no-await-in-loop -- one hierarchy at a time
			const listener = await startListener(undefined, {host: '127.0.23.1'});
			t.teardown(listener.stop);
			const unit = `ow-${tag}.service`;
			if (!placeInCgroup(t, root, `ow-${tag}.slice/${unit}`, listener.pid)) {
				t.log(`cannot make cgroups under ${root}`);
				continue;
			}

			t.regex(
				readFileSync(`/proc/${listener.pid}/cgroup`, 'utf8'),
				new RegExp(unit, 'v'),
			);
			// eslint-disable-next-line no-await-in-loop -- one hierarchy at a time
			const list = await createListenerScanner({engine: false}).list();
			t.like(
				ownerOf(list.sockets, listener.port),
				{
					pid: listener.pid,
					unit: {name: unit, manager: 'system'},
					user: 'root',
				},
				root,
			);
			// eslint-disable-next-line no-await-in-loop -- the cgroup is removed only after it exits
			await listener.stop();
		}
	},
);

/** A fake engine API (Docker's paths) on a Unix socket of the test's own. */
async function fakeEngine(
	t: ExecutionContext,
	containers: unknown[],
): Promise<{socketPath: string; calls: string[]}> {
	const directory = mkdtempSync(path.join(tmpdir(), 'portui-ow-engine-'));
	const socketPath = path.join(directory, 'docker.sock');
	const calls: string[] = [];
	const server = createServer((request, response) => {
		calls.push(request.url ?? '');
		if (request.url === '/containers/json') {
			response.writeHead(200, {'content-type': 'application/json'});
			response.end(JSON.stringify(containers));
		} else {
			response.writeHead(404).end('{}');
		}
	});
	await new Promise<void>((resolve) => {
		server.listen(socketPath, resolve);
	});
	t.teardown(async () => {
		await new Promise((resolve) => {
			server.close(resolve);
		});
		rmSync(directory, {recursive: true, force: true});
	});
	return {socketPath, calls};
}

cgroupTest(
	'a real process in a Docker container cgroup is named through the engine API socket',
	async (t) => {
		const [root] = hierarchies();
		const full = randomBytes(32).toString('hex');
		const engine = await fakeEngine(t, [
			{Id: 'f'.repeat(64), Names: ['/other'], NetworkSettings: {Networks: {}}},
			// A hostile name: escape sequences are sanitised before anything shows it.
			{Id: full, Names: ['/web\u001B[2J'], NetworkSettings: {Networks: {}}},
		]);
		const listener = await startListener(t, {host: '127.0.23.2'});
		t.true(
			placeInCgroup(
				t,
				root!,
				`ow-${full.slice(0, 6)}.slice/docker-${full}.scope`,
				listener.pid,
			),
		);
		const scanner = createListenerScanner({
			engine: createContainerEngine({sockets: {docker: [engine.socketPath]}}),
		});
		const owner = await ownerIn(scanner, listener.port);
		t.like(owner, {pid: listener.pid, container: {engine: 'docker', id: full}});
		t.is(owner?.container?.name, 'web');
		t.is(owner?.unit, undefined);
		// Without a readable engine socket the container keeps its id, and is not named.
		const blind = createListenerScanner({
			engine: createContainerEngine({
				sockets: {docker: ['/nonexistent/ow.sock']},
			}),
		});
		const unnamed = await ownerIn(blind, listener.port);
		t.deepEqual(unnamed?.container, {engine: 'docker', id: full});
		await listener.stop();
	},
);

test('a docker-proxy holder names the container and port it forwards to', async (t) => {
	const full = randomBytes(32).toString('hex');
	const engine = await fakeEngine(t, [
		{
			Id: full,
			Names: ['/db'],
			NetworkSettings: {
				Networks: {bridge: {IPAddress: '172.17.0.9', GlobalIPv6Address: ''}},
			},
		},
	]);
	const proxy = await startListener(
		t,
		{host: '127.0.23.3'},
		{
			program: namedNode('docker-proxy'),
			extraArgs: [
				'-proto',
				'tcp',
				'-host-ip',
				'127.0.23.3',
				'-host-port',
				'5432',
				'-container-ip',
				'172.17.0.9',
				'-container-port',
				'5432',
			],
		},
	);
	t.is(readFileSync(`/proc/${proxy.pid}/comm`, 'utf8').trim(), 'docker-proxy');
	const scanner = createListenerScanner({
		engine: createContainerEngine({sockets: {docker: [engine.socketPath]}}),
	});
	const owner = await ownerIn(scanner, proxy.port);
	t.like(owner, {
		pid: proxy.pid,
		process: 'docker-proxy',
		container: {
			engine: 'docker',
			id: full,
			name: 'db',
			forwardsTo: '172.17.0.9:5432',
		},
	});
	// The engine is asked once for its list, not once per list of sockets.
	await scanner.list();
	t.is(engine.calls.filter((call) => call === '/containers/json').length, 1);
});

test('matchesDaemon takes the unit named for the daemon: ssh.service for sshd, not another unit', (t) => {
	t.true(matchesDaemon('python3', ['sshd'], {unit: 'ssh.service'}));
	t.true(matchesDaemon('systemd', ['sshd'], {unit: 'ssh.socket'}));
	t.true(matchesDaemon('nginx: master', ['nginx'], {unit: 'nginx.service'}));
	t.true(matchesDaemon('agetty', ['getty'], {unit: 'getty@tty1.service'}));
	t.false(matchesDaemon('python3', ['sshd'], {unit: 'web.service'}));
	t.false(matchesDaemon('python3', ['sshd'], {unit: 'session-3.scope'}));
});

test('the who cell names the unit or container first, then the process; a login session is left out', (t) => {
	const holder = {pid: 812, process: 'sshd'};
	t.is(
		holderLabel({...holder, unit: {name: 'ssh.service', manager: 'system'}}),
		'ssh.service sshd',
	);
	t.is(
		holderLabel({
			...holder,
			unit: {name: 'session-4.scope', manager: 'system'},
		}),
		'sshd',
	);
	t.is(
		holderLabel({
			...holder,
			process: 'docker-proxy',
			container: {
				engine: 'docker',
				id,
				name: 'web',
				forwardsTo: '172.17.0.2:80',
			},
		}),
		'web → 172.17.0.2:80 docker-proxy',
	);
	t.is(
		holderLabel({...holder, container: {engine: 'podman', id}}),
		'podman aaaaaaaabbbb sshd',
	);
	t.is(
		ownerChangeText(
			{...holder, unit: {name: 'ssh.service', manager: 'system'}},
			{...holder, pid: 1190, unit: {name: 'ssh.service', manager: 'system'}},
		),
		'sshd 812 → 1190 (ssh.service)',
	);
	t.is(
		ownerChangeText(holder, holder),
		'sshd 812, same pid (re-bound without restarting)',
	);
});
