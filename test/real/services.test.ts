import path from 'node:path';
import anyTest from 'ava';
import {
	cleanUpAfter,
	makeWorkDirectory,
	tool,
	whenStarted,
} from '../helpers/real-daemons.js';
import {find, nmap, probeJson} from '../helpers/real-probe.js';
import {
	startChronyd,
	startRpcbind,
	startSlapd,
	startSshd,
} from '../helpers/real-services.js';

const sshAddress = '127.0.11.4';
const ntpAddress = '127.0.11.5';
const ldapAddress = '127.0.11.6';
const work = makeWorkDirectory();
const in_ = (name: string) => path.join(work.directory, name);

const [sshd, chronyd, slapd, rpcbind] = await Promise.all([
	startSshd({address: sshAddress, directory: in_('sshd')}),
	startChronyd({address: ntpAddress, directory: in_('chronyd')}),
	startSlapd({address: ldapAddress, directory: in_('slapd')}),
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
	ldap.title('slapd answers the RootDSE search at once: LDAP v3 (OpenLDAP)'),
	async (t) => {
		// It never greets: waiting for a greeting cost 1.5 s here.
		const probe = await probeJson(ldapAddress, '389');
		t.like(find(probe, 389), {
			state: 'open',
			answered: 'LDAP v3 (OpenLDAP)',
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
		t.regex(ldap389.get('389/tcp')?.version ?? '', /OpenLDAP/v);
		const probe = await probeJson(ldapAddress, '389');
		t.regex(find(probe, 389)?.answered ?? '', /OpenLDAP/v);
	},
);
