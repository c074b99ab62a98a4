import {readdirSync, readlinkSync, statSync} from 'node:fs';
import anyTest, {type TestFn} from 'ava';
import type {LocalSocket} from '../../source/probe/types.js';
import {remoteOwnerHidden} from '../../source/remote/remote-listeners.js';
import {openRemoteHost} from '../../source/remote/remote-host.js';
import {root} from '../helpers/cli.js';
import {runChild} from '../helpers/child.js';
import {
	hasBusybox,
	hasSudo,
	listenCommand,
	nmapFromClient,
	ssListeners,
	sshLabTest,
	type SshLab,
} from './sshd.js';

const labTest = sshLabTest(anyTest as TestFn<{lab: SshLab}>, async (lab) => {
	// Root's on every address, the login user's on loopback, root's behind a drop rule.
	await lab.start(undefined, listenCommand('0.0.0.0', 8080));
	await lab.start(lab.user, listenCommand('127.0.0.1', 9090));
	await lab.start(undefined, listenCommand('0.0.0.0', 8443));
	lab.sh(
		lab.server,
		`/usr/sbin/nft -f - <<'EOF'
table inet rmtest {
	chain input {
		type filter hook input priority 0;
		tcp dport 8443 drop
	}
}
EOF`,
	);
});

const open = (lab: SshLab, host: string, isSudo = false, retryMs = 5000) => {
	const remote = openRemoteHost(
		{host, text: `ssh://${host}`},
		{configFile: lab.config, sshCommand: lab.sshWrapper, isSudo, retryMs},
	);
	return remote;
};

const portui = async (lab: SshLab, args: string[]) =>
	runChild('ip', [
		'netns',
		'exec',
		lab.client,
		'node',
		`${root}/bin/portui.js`,
		...args,
	]);

const tcpListeners = (sockets: readonly LocalSocket[]) =>
	sockets
		.filter((socket) => socket.protocol === 'tcp')
		.map((socket) => `${socket.address}:${socket.port}`)
		.toSorted();

labTest(
	'the host’s listeners over ssh are the ones ss sees there; another user’s owner says --sudo, with --sudo it is named',
	async (t) => {
		const {lab} = t.context;
		const plain = open(lab, 'target');
		t.teardown(plain.close);
		const list = await plain.scanner.list();
		t.true(list.isAvailable, list.reason);
		t.deepEqual(tcpListeners(list.sockets), ssListeners(lab));
		const byPort = (port: number) =>
			list.sockets.find((socket) => socket.port === port);
		t.is(
			byPort(9090)?.process,
			'python3',
			'the login user’s own process is named',
		);
		t.is(byPort(8080)?.process, undefined);
		t.is(byPort(8080)?.ownerHidden, remoteOwnerHidden);
		t.is(byPort(22)?.ownerHidden, remoteOwnerHidden);

		if (!hasSudo()) {
			t.log('sudo is not installed (.ci/run installs it): --sudo not checked');
			return;
		}

		const sudo = open(lab, 'target', true);
		t.teardown(sudo.close);
		const rooted = await sudo.scanner.list();
		t.true(rooted.isAvailable, rooted.reason);
		const owner = (port: number) =>
			rooted.sockets.find((socket) => socket.port === port);
		t.is(owner(8080)?.process, 'python3');
		t.regex(owner(8080)?.cmdline ?? '', /0\.0\.0\.0 8080$/v);
		t.is(owner(22)?.process, 'sshd');
		t.is(owner(9090)?.process, 'python3');
	},
);

labTest(
	'one ssh connection serves every refresh, and says what each one cost',
	async (t) => {
		const {lab} = t.context;
		const remote = open(lab, 'target');
		t.teardown(remote.close);
		for (let refresh = 0; refresh < 3; refresh++) {
			// eslint-disable-next-line no-await-in-loop -- one after another on the one connection
			const list = await remote.scanner.list();
			t.true(list.isAvailable);
			t.true((list.cost?.bytesIn ?? 0) > 100);
		}

		t.is(remote.session.connections(), 1);
	},
);

labTest(
	'probe ssh://: a port dropped by nft reads listening, not reachable from here; nmap agrees it is filtered',
	async (t) => {
		const {lab} = t.context;
		const result = await portui(lab, [
			'probe',
			'ssh://target',
			'8080,8443,9090,22',
			'--ssh-config',
			lab.config,
			'--timeout',
			'500ms',
			'--json',
		]);
		t.is(result.status, 0, result.stderr);
		const json = JSON.parse(result.stdout) as {
			results: Array<{port: number; state: string; inside: {verdict?: string}}>;
		};
		const verdict = (port: number) =>
			json.results.find((row) => row.port === port)?.inside.verdict;
		t.is(
			verdict(8443),
			'listening on 0.0.0.0, not reachable from here (firewalled)',
		);
		t.is(verdict(8080), 'reachable from here');
		t.is(verdict(9090), 'listening on loopback only');
		t.is(verdict(22), 'reachable from here');
		const nmap = await nmapFromClient(lab, '8443,8080');
		t.regex(nmap, /8443\/tcp\s+filtered/v);
		t.regex(nmap, /8080\/tcp\s+open/v);

		const table = await portui(lab, [
			'probe',
			'ssh://target',
			'8443',
			'--ssh-config',
			lab.config,
			'--timeout',
			'300ms',
		]);
		t.regex(
			table.stdout,
			/\(hidden\) on 0\.0\.0\.0\s+listening on 0\.0\.0\.0, not reachable from here \(firewalled\)/v,
		);
	},
);

labTest(
	'a connection killed mid-session is a state, then the session connects again',
	async (t) => {
		const {lab} = t.context;
		const remote = open(lab, 'target', false, 300);
		t.teardown(remote.close);
		const before = await remote.scanner.list();
		t.true(before.isAvailable);
		lab.killSessionsOf(lab.user);
		let lost = await remote.scanner.list();
		// The kill may land while the next request is written: either it is lost now or on the next.
		if (lost.isAvailable) {
			lost = await remote.scanner.list();
		}

		t.false(lost.isAvailable);
		t.regex(lost.reason ?? '', /^ssh: connection lost, retrying in \ds$/v);
		let back = lost;
		for (let attempt = 0; attempt < 20 && !back.isAvailable; attempt++) {
			// eslint-disable-next-line no-await-in-loop -- bounded: the retry is 300 ms away
			await new Promise((resolve) => {
				setTimeout(resolve, 100);
			});
			// eslint-disable-next-line no-await-in-loop
			back = await remote.scanner.list();
		}

		t.true(back.isAvailable, back.reason);
		t.is(remote.session.connections(), 2);
	},
);

labTest(
	'BusyBox as the remote shell and tools: the same listeners',
	async (t) => {
		const {lab} = t.context;
		if (!hasBusybox() || lab.busyboxUser === undefined) {
			t.log('busybox is not installed (.ci/run installs it): skipped');
			t.pass();
			return;
		}

		const remote = open(lab, 'busybox');
		t.teardown(remote.close);
		const list = await remote.scanner.list();
		t.true(list.isAvailable, list.reason);
		t.deepEqual(tcpListeners(list.sockets), ssListeners(lab));
		// The remote shell of that session is BusyBox, not dash.
		const uid = Number(lab.sh(lab.server, `id -u ${lab.busyboxUser}`).trim());
		const shells = readdirSync('/proc')
			.filter((name) => /^\d+$/v.test(name))
			.filter((name) => {
				try {
					return statSync(`/proc/${name}`).uid === uid;
				} catch {
					return false;
				}
			})
			.map((name) => {
				try {
					return readlinkSync(`/proc/${name}/exe`);
				} catch {
					return '';
				}
			});
		t.true(shells.includes('/usr/bin/busybox'), shells.join(' '));
		t.false(
			shells.some((exe) => exe.endsWith('/dash')),
			shells.join(' '),
		);
	},
);

labTest(
	'a wrong host key: one line with ssh’s own reason, exit 1, and no connection',
	async (t) => {
		const {lab} = t.context;
		lab.forgetHostKey();
		const result = await portui(lab, [
			'probe',
			'ssh://target',
			'22',
			'--ssh-config',
			lab.config,
			'--timeout',
			'300ms',
		]);
		t.is(result.status, 1);
		t.is(
			result.stderr,
			'portui: ssh://target: ssh: Host key verification failed.\n',
		);
		const remote = open(lab, 'target');
		t.teardown(remote.close);
		const first = await remote.scanner.list();
		t.is(first.reason, 'ssh: Host key verification failed.');
		// Not retried: the next refresh says the same without starting ssh again.
		const second = await remote.scanner.list();
		t.is(second.reason, first.reason);
		t.is(remote.session.connections(), 1);
	},
);
