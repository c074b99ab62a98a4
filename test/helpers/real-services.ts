/**
 * The daemons of test/real/ and of the identification bench, each with the config it is started
 * with: one function a daemon, given the address to listen on and a work directory for its files.
 */
import {spawnSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {writeCertificate} from './certificate.js';
import {
	findCommand,
	notInstalled,
	startDaemon,
	type Started,
} from './real-daemons.js';

type Where = {
	readonly address: string;
	/** A directory of its own for its config and state, removed by the caller. */
	readonly directory: string;
};

const tcp = (address: string, port: number) => ({
	protocol: 'tcp' as const,
	address,
	port,
});
const udp = (address: string, port: number) => ({
	protocol: 'udp' as const,
	address,
	port,
});

function inDirectory(directory: string) {
	mkdirSync(directory, {recursive: true});
	return (name: string) => path.join(directory, name);
}

/** Dnsmasq --no-daemon: one process, which serves TCP itself instead of forking for it (dnsmasq(8)). */
export async function startDnsmasq({
	address,
	directory,
}: Where): Promise<Started> {
	const command = findCommand('dnsmasq');
	if (!command) {
		return notInstalled('dnsmasq', 'dnsmasq-base');
	}

	const file = inDirectory(directory);
	return startDaemon({
		name: 'dnsmasq',
		command,
		args: [
			'--no-daemon',
			'--conf-file=/dev/null',
			`--listen-address=${address}`,
			'--bind-interfaces',
			'--port=53',
			'--no-resolv',
			'--no-hosts',
			`--pid-file=${file('dnsmasq.pid')}`,
		],
		listens: [tcp(address, 53), udp(address, 53)],
	});
}

/** Nginx serving a line of text: plain HTTP on `plain` ports, TLS (self-signed) on `tls` ports. */
export async function startNginx(
	where: Where & {
		readonly plain: readonly number[];
		readonly tls: readonly number[];
	},
): Promise<Started> {
	const command = findCommand('nginx');
	if (!command) {
		return notInstalled('nginx', 'nginx-light');
	}

	const file = inDirectory(where.directory);
	if (!writeCertificate(where.directory)) {
		return {isStarted: false, reason: 'openssl could not make a certificate'};
	}

	const listen = [
		...where.plain.map((port) => `listen ${where.address}:${port};`),
		...where.tls.map((port) => `listen ${where.address}:${port} ssl;`),
	];
	writeFileSync(
		file('nginx.conf'),
		String.raw`user root;
worker_processes 1;
pid ${file('nginx.pid')};
error_log ${file('error.log')};
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path ${file('body')};
	proxy_temp_path ${file('proxy')};
	fastcgi_temp_path ${file('fastcgi')};
	uwsgi_temp_path ${file('uwsgi')};
	scgi_temp_path ${file('scgi')};
	ssl_certificate ${file('cert.pem')};
	ssl_certificate_key ${file('key.pem')};
	server {
		${listen.join('\n\t\t')}
		return 200 "portui test\n";
	}
}
`,
	);
	return startDaemon({
		name: 'nginx',
		command,
		args: [
			'-p',
			where.directory,
			'-c',
			file('nginx.conf'),
			'-g',
			'daemon off;',
		],
		listens: [...where.plain, ...where.tls].map((port) =>
			tcp(where.address, port),
		),
	});
}

/** Snmpd -f with one read-only `community` for loopback sources, its state in `directory`. */
export async function startSnmpd(
	where: Where & {readonly community: string},
): Promise<Started> {
	const command = findCommand('snmpd');
	if (!command) {
		return notInstalled('snmpd', 'snmpd');
	}

	const file = inDirectory(where.directory);
	writeFileSync(
		file('snmpd.conf'),
		`agentAddress udp:${where.address}:161\nrocommunity ${where.community} 127.0.0.0/8\n`,
	);
	return startDaemon({
		name: 'snmpd',
		command,
		// -C: no other config file; -Lo: log to stdout.
		args: [
			'-f',
			'-Lo',
			'-C',
			'-c',
			file('snmpd.conf'),
			'-p',
			file('snmpd.pid'),
		],
		env: {SNMP_PERSISTENT_DIR: where.directory, MIBS: ''},
		listens: [udp(where.address, 161)],
	});
}

/** Sshd -D with a host key made for the run; /run/sshd comes from a mount namespace of its own. */
export async function startSshd({address, directory}: Where): Promise<Started> {
	const command = findCommand('sshd');
	if (!command) {
		return notInstalled('sshd', 'openssh-server');
	}

	const file = inDirectory(directory);
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
		`ListenAddress ${address}:22\nHostKey ${file('host-key')}\nPidFile ${file('sshd.pid')}\nUsePAM no\n`,
	);
	return startDaemon({
		name: 'sshd',
		command,
		args: ['-D', '-e', '-f', file('sshd_config')],
		runDirectories: ['/run/sshd'],
		listens: [tcp(address, 22)],
	});
}

/** Chronyd -d -x (never touches the clock), serving its local clock at stratum 8. */
export async function startChronyd({
	address,
	directory,
}: Where): Promise<Started> {
	const command = findCommand('chronyd');
	if (!command) {
		return notInstalled('chronyd', 'chrony');
	}

	const file = inDirectory(directory);
	writeFileSync(
		file('chrony.conf'),
		[
			`bindaddress ${address}`,
			'port 123',
			'cmdport 0',
			'allow 127.0.0.0/8',
			'local stratum 8',
			`pidfile ${file('chronyd.pid')}`,
			`driftfile ${file('chrony.drift')}`,
			'',
		].join('\n'),
	);
	return startDaemon({
		name: 'chronyd',
		command,
		args: ['-d', '-x', '-f', file('chrony.conf')],
		listens: [udp(address, 123)],
	});
}

/** Slapd -d 0 with an empty mdb database; the RootDSE is there without any entry. */
export async function startSlapd({
	address,
	directory,
}: Where): Promise<Started> {
	const command = findCommand('slapd');
	if (!command) {
		return notInstalled('slapd', 'slapd');
	}

	const file = inDirectory(directory);
	mkdirSync(file('db'));
	writeFileSync(
		file('slapd.conf'),
		[
			'include /etc/ldap/schema/core.schema',
			`pidfile ${file('slapd.pid')}`,
			'modulepath /usr/lib/ldap',
			'moduleload back_mdb',
			'database mdb',
			'suffix "dc=example,dc=org"',
			`directory ${file('db')}`,
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
			`ldap://${address}:389/`,
		],
		listens: [tcp(address, 389)],
	});
}

/**
 * Rpcbind listens on 111 of every address and keeps its socket in /run: a network and mount
 * namespace of its own keep it off the host's; probe it on 127.0.0.1 inside (`daemon.netns`).
 */
export async function startRpcbind(): Promise<Started> {
	const command = findCommand('rpcbind');
	if (!command) {
		return notInstalled('rpcbind', 'rpcbind');
	}

	return startDaemon({
		name: 'rpcbind',
		command,
		args: ['-f', '-w'],
		isIsolated: true,
		listens: [tcp('127.0.0.1', 111), udp('127.0.0.1', 111)],
	});
}
