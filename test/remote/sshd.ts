/*
 * A real OpenSSH server in a network namespace of its own, reached from a client namespace over a
 * veth pair (nothing is added to the host's own namespace):
 *
 *   client rmNNc 10.24.N.1 --- server rmNNs 10.24.N.2 (sshd on 22)
 *
 * The test generates the host key, a login user (`rm-uNN`, and `rm-bNN` whose shell and PATH are
 * BusyBox), its key, an ssh config and known_hosts in a temp dir, and passes that config to ssh
 * with -F: the user's own ~/.ssh is never read. `close()` kills what it started, by pid, and
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
import {addNamespace, shIn as run} from '../net/topology.js';

export type SshLab = {
	readonly client: string;
	readonly server: string;
	readonly address: string;
	readonly dir: string;
	/** An ssh config (for -F) naming `target` (the plain user) and `busybox` (the BusyBox user). */
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

export async function createSshLab(): Promise<SshLab> {
	const n = (process.pid % 200) + 20 + counter++;
	const id = `rm${process.pid % 10_000}x${counter}`;
	const client = `${id}c`;
	const server = `${id}s`;
	const address = `10.24.${n % 250}.2`;
	const clientAddress = `10.24.${n % 250}.1`;
	const user = `rm-u${process.pid % 100_000}x${counter}`;
	const busyboxUser = hasBusybox()
		? `rm-b${process.pid % 100_000}x${counter}`
		: undefined;
	const dir = mkdtempSync(path.join(tmpdir(), 'rm-sshd-'));
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

		run(client, `ip link add rm0 type veth peer name rm1 netns ${server}`);
		run(client, `ip addr add ${clientAddress}/24 dev rm0; ip link set rm0 up`);
		run(server, `ip addr add ${address}/24 dev rm1; ip link set rm1 up`);

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
				].flatMap(([alias, login]) =>
					login === undefined
						? []
						: [`Host ${alias}`, `\tHostName ${address}`, `\tUser ${login}`],
				),
				'Host *',
				`\tIdentityFile ${dir}/id`,
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
		const sshd = spawn(
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
		children.push(sshd);
		let sshdError = '';
		sshd.stderr.setEncoding('utf8');
		sshd.stderr.on('data', (chunk: string) => {
			sshdError += chunk;
		});
		// Ready once port 22 listens in the server namespace (bounded wait).
		for (let attempt = 0; ; attempt++) {
			if (run(server, 'cat /proc/net/tcp').includes(':0016 00000000:0000 0A')) {
				break;
			}

			if (attempt > 100 || sshd.exitCode !== null) {
				throw new Error(`sshd did not start: ${sshdError}`);
			}

			// eslint-disable-next-line no-await-in-loop -- polling a bounded number of times
			await delay(50);
		}

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
			close,
		};
	} catch (error) {
		close();
		throw error;
	}
}

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
