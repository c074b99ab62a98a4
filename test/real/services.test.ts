import {spawnSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import anyTest from 'ava';
import {
	cleanUpAfter,
	findCommand,
	makeWorkDirectory,
	notInstalled,
	startDaemon,
	tool,
	type Started,
	whenStarted,
} from '../helpers/real-daemons.js';
import {find, nmap, probeJson} from '../helpers/real-probe.js';

const sshAddress = '127.0.11.4';
const ntpAddress = '127.0.11.5';
const ldapAddress = '127.0.11.6';
const work = makeWorkDirectory();
const file = (name: string) => path.join(work.directory, name);

async function startSshd(): Promise<Started> {
	const command = findCommand('sshd');
	if (!command) {
		return notInstalled('sshd', 'openssh-server');
	}

	const keyMade = spawnSync(
		'ssh-keygen',
		['-q', '-t', 'ed25519', '-N', '', '-f', file('host-key')],
		{stdio: 'ignore'},
	);
	if (keyMade.status !== 0) {
		return {isStarted: false, reason: 'ssh-keygen could not make a host key'};
	}

	writeFileSync(
		file('sshd_config'),
		`ListenAddress ${sshAddress}:22\nHostKey ${file('host-key')}\nPidFile ${file('sshd.pid')}\nUsePAM no\n`,
	);
	// Sshd wants /run/sshd: a fresh /run in a mount namespace of its own gives it one.
	return startDaemon({
		name: 'sshd',
		command,
		args: ['-D', '-e', '-f', file('sshd_config')],
		runDirectories: ['/run/sshd'],
		listens: [{protocol: 'tcp', address: sshAddress, port: 22}],
	});
}

async function startChronyd(): Promise<Started> {
	const command = findCommand('chronyd');
	if (!command) {
		return notInstalled('chronyd', 'chrony');
	}

	writeFileSync(
		file('chrony.conf'),
		[
			`bindaddress ${ntpAddress}`,
			'port 123',
			'cmdport 0',
			'allow 127.0.0.0/8',
			'local stratum 8',
			`pidfile ${file('chronyd.pid')}`,
			`driftfile ${file('chrony.drift')}`,
			'',
		].join('\n'),
	);
	// -x: never touch the system clock; -d: foreground.
	return startDaemon({
		name: 'chronyd',
		command,
		args: ['-d', '-x', '-f', file('chrony.conf')],
		listens: [{protocol: 'udp', address: ntpAddress, port: 123}],
	});
}

async function startSlapd(): Promise<Started> {
	const command = findCommand('slapd');
	if (!command) {
		return notInstalled('slapd', 'slapd');
	}

	mkdirSync(file('ldap-db'));
	writeFileSync(
		file('slapd.conf'),
		[
			'include /etc/ldap/schema/core.schema',
			`pidfile ${file('slapd.pid')}`,
			'modulepath /usr/lib/ldap',
			'moduleload back_mdb',
			'database mdb',
			'suffix "dc=example,dc=org"',
			`directory ${file('ldap-db')}`,
			'',
		].join('\n'),
	);
	return startDaemon({
		name: 'slapd',
		command,
		args: [
			'-d',
			'0',
			'-u',
			'root',
			'-g',
			'root',
			'-f',
			file('slapd.conf'),
			'-h',
			`ldap://${ldapAddress}:389/`,
		],
		listens: [{protocol: 'tcp', address: ldapAddress, port: 389}],
	});
}

async function startRpcbind(): Promise<Started> {
	const command = findCommand('rpcbind');
	if (!command) {
		return notInstalled('rpcbind', 'rpcbind');
	}

	// Rpcbind listens on 111 of every address and keeps its socket in /run: a network and mount
	// namespace of its own keep it off the host's.
	return startDaemon({
		name: 'rpcbind',
		command,
		args: ['-f', '-w'],
		isIsolated: true,
		listens: [
			{protocol: 'tcp', address: '127.0.0.1', port: 111},
			{protocol: 'udp', address: '127.0.0.1', port: 111},
		],
	});
}

const [sshd, chronyd, slapd, rpcbind] = await Promise.all([
	startSshd(),
	startChronyd(),
	startSlapd(),
	startRpcbind(),
]);
cleanUpAfter(anyTest, work, sshd, chronyd, slapd, rpcbind);

const ssh = whenStarted(anyTest, sshd);
ssh.test(
	ssh.title('sshd greets: SSH and its version, in a moment'),
	async (t) => {
		const probe = await probeJson(sshAddress, '22');
		t.like(find(probe, 22), {state: 'open', mismatch: null});
		t.regex(find(probe, 22)?.answered ?? '', /^SSH-2\.0-OpenSSH_\d/v);
		t.true(probe.sweepMs < 1000, `sweep took ${probe.sweepMs} ms`);
	},
);

const ntp = whenStarted(anyTest, chronyd);
ntp.test(ntp.title('chronyd answers NTP with its stratum'), async (t) => {
	const probe = await probeJson(ntpAddress, '123/udp');
	t.like(find(probe, 123, 'udp'), {state: 'open', answered: 'NTPv4 stratum 8'});
});

const ldap = whenStarted(anyTest, slapd);
ldap.test(
	ldap.title('slapd answers the RootDSE search at once: LDAP v3'),
	async (t) => {
		// It never greets: waiting for a greeting cost 1.5 s here.
		const probe = await probeJson(ldapAddress, '389');
		t.like(find(probe, 389), {
			state: 'open',
			answered: 'LDAP v3',
			mismatch: null,
		});
		t.true(probe.sweepMs < 1000, `sweep took ${probe.sweepMs} ms`);
	},
);

const rpc = whenStarted(anyTest, rpcbind);
rpc.test(
	rpc.title('rpcbind answers the portmapper NULL call over TCP and UDP'),
	async (t) => {
		const netns = rpcbind.isStarted ? rpcbind.daemon.netns : undefined;
		const probe = await probeJson('127.0.0.1', '111/tcp,111/udp', {netns});
		t.like(find(probe, 111, 'tcp'), {
			state: 'open',
			answered: 'ONC-RPC portmapper v2',
			mismatch: null,
		});
		t.like(find(probe, 111, 'udp'), {
			state: 'open',
			answered: 'ONC-RPC portmapper v2',
		});
		t.true(probe.sweepMs < 1000, `sweep took ${probe.sweepMs} ms`);
	},
);

const compared = whenStarted(anyTest, sshd, slapd, tool('nmap'));
compared.test(
	compared.title('nmap -sV names ssh and ldap where portui does'),
	async (t) => {
		const [ssh22, ldap389] = [
			await nmap(['-sV', '-Pn', '-n', '-p', '22', sshAddress]),
			await nmap(['-sV', '-Pn', '-n', '-p', '389', ldapAddress]),
		];
		t.like(ssh22.get('22/tcp'), {state: 'open', service: 'ssh'});
		t.regex(ssh22.get('22/tcp')?.version ?? '', /OpenSSH 9\.\d/v);
		t.like(ldap389.get('389/tcp'), {state: 'open', service: 'ldap'});
	},
);
