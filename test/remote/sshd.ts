/*
 * A real OpenSSH server in a network namespace of its own, reached from a client namespace over a
 * veth pair (nothing is added to the host's own namespace):
 *
 *   client rmNNc 10.24.N.1 --- server rmNNs 10.24.N.2 (sshd on 22)
 *
 * The test generates the host key, a login user (`rm-uNN`, and `rm-bNN` whose shell and PATH are
 * BusyBox), its key, an ssh config and known_hosts in a temp dir, and passes that config to ssh
 * with -F: the user's own ~/.ssh is never read. (`rm` is the default prefix of every name; a test
 * file may give its own.) `close()` kills what it started, by pid, and
 * removes the namespaces, users, sudoers file and temp dir.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {
	chmodSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import type {TestFn} from 'ava';
import {runChild} from '../helpers/child.js';
import {ensureBuilt} from '../helpers/cli.js';
import {addNamespace, shIn as run} from '../net/topology.js';

export type SshLab = {
	readonly client: string;
	readonly server: string;
	readonly address: string;
	readonly dir: string;
	/**
	 * An ssh config (for -F) naming `target` (the plain user), `busybox` (the BusyBox user) and
	 * `wrongkey` (the plain user with a key the server does not know).
	 */
	readonly config: string;
	readonly user: string;
	readonly busyboxUser?: string;
	/** Runs `ssh` in the client namespace: the session's sshCommand. */
	readonly sshWrapper: string;
	/** Shell commands in a namespace, to their end; throws with stderr on failure. */
	sh(ns: string, script: string): string;
	/** A long-running command in the server namespace as `user` (root when undefined), ready once it printed `ready`. */
	start(user: string | undefined, command: string[]): Promise<ChildProcess>;
	/** Kills every process of `user` (the sshd session of that user among them), by pid. */
	killSessionsOf(user: string): void;
	/** Makes known_hosts name another key for the server. */
	forgetHostKey(): void;
	/** Stops sshd (by pid, the sessions it serves with it) and waits until port 22 is free. */
	stopSshd(): Promise<void>;
	/** Starts sshd again after `stopSshd`; resolves once it listens. */
	startSshd(): Promise<void>;
	close(): void;
};

let counter = 0;

export function whyNoSshLab(): string | undefined {
	if (process.platform !== 'linux' || process.getuid?.() !== 0) {
		return 'needs Linux and root (network namespaces, a user of its own)';
	}

	for (const tool of [
		'/usr/sbin/sshd',
		'ssh',
		'ssh-keygen',
		'useradd',
		'ip',
		'/usr/sbin/nft',
		'/usr/bin/python3',
	]) {
		if (
			spawnSync('sh', ['-c', `command -v ${tool}`], {stdio: 'ignore'})
				.status !== 0
		) {
			return `${tool} is not installed (.ci/run installs openssh-server, nftables, python3)`;
		}
	}

	return undefined;
}

/**
 * The test function of a file of lab tests: serial, over one lab the file's `before` makes (then
 * `setup` in it) and its `after` removes; skipped with a one-line reason where no lab can be made.
 */
export function sshLabTest(
	test: TestFn<{lab: SshLab}>,
	setup: (lab: SshLab) => Promise<void>,
	options: {readonly prefix?: string} = {},
) {
	const why = whyNoSshLab();
	if (why !== undefined) {
		console.warn(`test/remote: skipped: ${why}`);
		return test.serial.skip;
	}

	test.before(async (t) => {
		await ensureBuilt();
		const lab = await createSshLab(options);
		t.context = {lab};
		await setup(lab);
	});
	test.after.always((t) => {
		t.context.lab?.close();
	});
	return test.serial;
}

/** `address:port` of every TCP listener as ss in the server namespace sees it, sorted. */
export function ssListeners(lab: SshLab): string[] {
	return lab
		.sh(lab.server, 'ss -tlnH')
		.trim()
		.split('\n')
		.map((line) => line.trim().split(/\s+/v)[3]!)
		.toSorted();
}

/** Nmap's stdout for `ports` (`8443,8080`) of the server, from the client namespace. */
export async function nmapFromClient(
	lab: SshLab,
	ports: string,
): Promise<string> {
	const nmap = await runChild('ip', [
		'netns',
		'exec',
		lab.client,
		'nmap',
		'-Pn',
		'-n',
		'--max-retries',
		'1',
		'-p',
		ports,
		lab.address,
	]);
	return nmap.stdout;
}

export const hasBusybox = () =>
	spawnSync('sh', ['-c', 'command -v busybox'], {stdio: 'ignore'}).status === 0;
export const hasSudo = () =>
	spawnSync('sh', ['-c', 'command -v sudo'], {stdio: 'ignore'}).status === 0;

function uidOf(user: string): number | undefined {
	const line = readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((entry) => entry.startsWith(`${user}:`));
	return line === undefined ? undefined : Number(line.split(':')[2]);
}

function pidsOf(uid: number): number[] {
	const pids: number[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/v.test(name)) {
			continue;
		}

		try {
			if (statSync(`/proc/${name}`).uid === uid) {
				pids.push(Number(name));
			}
		} catch {
			// Gone meanwhile.
		}
	}

	return pids;
}

export async function createSshLab(
	options: {readonly prefix?: string} = {},
): Promise<SshLab> {
	const {prefix = 'rm'} = options;
	const n = (process.pid % 200) + 20 + counter++;
	const id = `${prefix}${process.pid % 10_000}x${counter}`;
	const client = `${id}c`;
	const server = `${id}s`;
	const address = `10.24.${n % 250}.2`;
	const clientAddress = `10.24.${n % 250}.1`;
	const user = `${prefix}-u${process.pid % 100_000}x${counter}`;
	const busyboxUser = hasBusybox()
		? `${prefix}-b${process.pid % 100_000}x${counter}`
		: undefined;
	const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-sshd-`));
	// Sshd reads authorized_keys as the user, and the BusyBox shell lives here.
	chmodSync(dir, 0o755);
	const children: ChildProcess[] = [];
	const madeNs: string[] = [];
	const madeUsers: string[] = [];
	const sudoers = `/etc/sudoers.d/${user}`;

	const close = () => {
		for (const child of children) {
			if (child.exitCode === null && child.pid !== undefined) {
				child.kill('SIGKILL');
			}
		}

		for (const name of madeUsers) {
			const uid = uidOf(name);
			if (uid !== undefined) {
				for (const pid of pidsOf(uid)) {
					try {
						process.kill(pid, 'SIGKILL');
					} catch {
						// Gone already.
					}
				}
			}

			spawnSync('userdel', [name], {stdio: 'ignore'});
		}

		rmSync(sudoers, {force: true});
		for (const ns of madeNs) {
			spawnSync('ip', ['netns', 'del', ns], {stdio: 'ignore'});
		}

		rmSync(dir, {recursive: true, force: true});
	};

	try {
		for (const ns of [client, server]) {
			addNamespace(ns, madeNs);
		}

		run(
			client,
			`ip link add ${prefix}0 type veth peer name ${prefix}1 netns ${server}`,
		);
		run(
			client,
			`ip addr add ${clientAddress}/24 dev ${prefix}0; ip link set ${prefix}0 up`,
		);
		run(
			server,
			`ip addr add ${address}/24 dev ${prefix}1; ip link set ${prefix}1 up`,
		);

		for (const name of [user, busyboxUser]) {
			if (name === undefined) {
				continue;
			}

			const shell =
				name === busyboxUser ? path.join(dir, 'bb', 'sh') : '/bin/sh';
			const added = spawnSync(
				'useradd',
				// `*`, not the locked `!`: without PAM, sshd refuses a locked account even a key.
				[
					'--no-create-home',
					'--home-dir',
					dir,
					'--shell',
					shell,
					'--password',
					'*',
					name,
				],
				{encoding: 'utf8'},
			);
			if (added.status !== 0) {
				throw new Error(`useradd ${name}: ${added.stderr}`);
			}

			madeUsers.push(name);
		}

		if (busyboxUser) {
			// Its login shell and every tool the script calls are BusyBox applets.
			mkdirSync(path.join(dir, 'bb'));
			for (const applet of ['sh', 'ls', 'awk', 'od', 'xargs']) {
				symlinkSync('/usr/bin/busybox', path.join(dir, 'bb', applet));
			}
		}

		if (hasSudo()) {
			writeFileSync(sudoers, `${user} ALL=(root) NOPASSWD: ALL\n`, {
				mode: 0o440,
			});
		}

		const keygen = (file: string) => {
			const made = spawnSync(
				'ssh-keygen',
				['-q', '-t', 'ed25519', '-N', '', '-f', file],
				{encoding: 'utf8'},
			);
			if (made.status !== 0) {
				throw new Error(`ssh-keygen: ${made.stderr}`);
			}
		};

		keygen(path.join(dir, 'host_key'));
		keygen(path.join(dir, 'other_host_key'));
		keygen(path.join(dir, 'id'));
		keygen(path.join(dir, 'other_id'));
		writeFileSync(
			path.join(dir, 'authorized_keys'),
			readFileSync(path.join(dir, 'id.pub')),
			{mode: 0o644},
		);
		writeFileSync(
			path.join(dir, 'sshd_config'),
			[
				`ListenAddress ${address}:22`,
				`HostKey ${dir}/host_key`,
				`AuthorizedKeysFile ${dir}/authorized_keys`,
				`PidFile ${dir}/sshd.pid`,
				'StrictModes no',
				'UsePAM no',
				'PasswordAuthentication no',
				'KbdInteractiveAuthentication no',
				'PermitRootLogin no',
				`AllowUsers ${[user, busyboxUser].filter(Boolean).join(' ')}`,
				'LogLevel ERROR',
				...(busyboxUser
					? [`Match User ${busyboxUser}`, `\tSetEnv PATH=${dir}/bb`]
					: []),
				'',
			].join('\n'),
		);
		const hostKey = readFileSync(path.join(dir, 'host_key.pub'), 'utf8')
			.split(' ')
			.slice(0, 2)
			.join(' ');
		writeFileSync(path.join(dir, 'known_hosts'), `${address} ${hostKey}\n`);
		const config = path.join(dir, 'ssh_config');
		writeFileSync(
			config,
			[
				...[
					['target', user],
					['busybox', busyboxUser],
					['wrongkey', user],
				].flatMap(([alias, login]) =>
					login === undefined
						? []
						: [`Host ${alias}`, `\tHostName ${address}`, `\tUser ${login}`],
				),
				// IdentityFile adds up: the one key the server knows is for every alias but wrongkey.
				'Host wrongkey',
				`\tIdentityFile ${dir}/other_id`,
				'Host * !wrongkey',
				`\tIdentityFile ${dir}/id`,
				'Host *',
				'\tIdentitiesOnly yes',
				`\tUserKnownHostsFile ${dir}/known_hosts`,
				'\tGlobalKnownHostsFile /dev/null',
				'\tStrictHostKeyChecking yes',
				'\tLogLevel ERROR',
				'',
			].join('\n'),
		);
		const sshWrapper = path.join(dir, 'ssh-in-client');
		writeFileSync(
			sshWrapper,
			`#!/bin/sh\nexec ip netns exec ${client} ssh "$@"\n`,
			{mode: 0o755},
		);

		mkdirSync('/run/sshd', {recursive: true});
		let sshd: ChildProcess | undefined;
		const listens22 = () =>
			run(server, 'cat /proc/net/tcp').includes(':0016 00000000:0000 0A');
		const startSshd = async () => {
			const child = spawn(
				'ip',
				[
					'netns',
					'exec',
					server,
					'/usr/sbin/sshd',
					'-D',
					'-e',
					'-f',
					path.join(dir, 'sshd_config'),
				],
				{stdio: ['ignore', 'ignore', 'pipe']},
			);
			sshd = child;
			children.push(child);
			let sshdError = '';
			child.stderr.setEncoding('utf8');
			child.stderr.on('data', (chunk: string) => {
				sshdError += chunk;
			});
			// Ready once port 22 listens in the server namespace (bounded wait).
			for (let attempt = 0; ; attempt++) {
				if (listens22()) {
					break;
				}

				if (attempt > 100 || child.exitCode !== null) {
					throw new Error(`sshd did not start: ${sshdError}`);
				}

				// eslint-disable-next-line no-await-in-loop -- polling a bounded number of times
				await delay(50);
			}
		};

		await startSshd();

		return {
			client,
			server,
			address,
			dir,
			config,
			user,
			busyboxUser,
			sshWrapper,
			sh: run,
			async start(login, command) {
				const child = spawn(
					'ip',
					[
						'netns',
						'exec',
						server,
						...(login === undefined
							? command
							: [
									'setpriv',
									`--reuid=${login}`,
									`--regid=${login}`,
									'--clear-groups',
									...command,
								]),
					],
					{stdio: ['ignore', 'pipe', 'inherit'], cwd: dir},
				);
				children.push(child);
				child.stdout.setEncoding('utf8');
				await new Promise<void>((resolve, reject) => {
					let output = '';
					child.stdout.on('data', (chunk: string) => {
						output += chunk;
						if (output.includes('ready')) {
							resolve();
						}
					});
					child.once('exit', (code) => {
						reject(new Error(`${command.join(' ')} exited ${code}: ${output}`));
					});
				});
				return child;
			},
			killSessionsOf(login) {
				const uid = uidOf(login);
				for (const pid of uid === undefined ? [] : pidsOf(uid)) {
					try {
						process.kill(pid, 'SIGKILL');
					} catch {
						// Gone already.
					}
				}
			},
			forgetHostKey() {
				const other = readFileSync(path.join(dir, 'other_host_key.pub'), 'utf8')
					.split(' ')
					.slice(0, 2)
					.join(' ');
				writeFileSync(path.join(dir, 'known_hosts'), `${address} ${other}\n`);
			},
			async stopSshd() {
				const child = sshd;
				if (child?.exitCode !== null || child.pid === undefined) {
					return;
				}

				const exited = new Promise((resolve) => {
					child.once('exit', resolve);
				});
				// `ip netns exec` execs sshd: this pid is sshd's own.
				child.kill('SIGTERM');
				await exited;
				for (let attempt = 0; attempt < 100 && listens22(); attempt++) {
					// eslint-disable-next-line no-await-in-loop -- polling a bounded number of times
					await delay(50);
				}
			},
			startSshd,
			close,
		};
	} catch (error) {
		close();
		throw error;
	}
}

/** The command of a TCP listener on `address`:`port`, for `lab.start`. */
export const listenCommand = (address: string, port: number) => [
	'/usr/bin/python3',
	'-c',
	listenScript,
	address,
	String(port),
];

/** A TCP listener in Python: `/usr/bin/python3 -c listenScript ADDRESS PORT` (Debian's: the test user may run it); prints ready. */
export const listenScript = [
	'import socket, sys, time',
	's = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)',
	's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
	's.bind((sys.argv[1], int(sys.argv[2])))',
	's.listen(64)',
	'print("ready", flush=True)',
	'time.sleep(600)',
].join('\n');
