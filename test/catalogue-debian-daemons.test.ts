import {spawnSync} from 'node:child_process';
import test from 'ava';
import {loadCatalogue} from '../source/catalogue/load.js';
import {searchCatalogue} from '../source/catalogue/search.js';

/*
Issue 13 item 14: the daemon names of the curated entries, checked against what Debian's packages
run. Each row: the entries, the process name (comm) the kernel shows for the daemon, the Debian 12
(bookworm) package, and the file in it that runs. Read from the packages themselves (apt-get
download, dpkg-deb -c, their systemd units and init scripts) on 2026-11-30. sendmail-mta is the
alternative that sendmail-bin's postinst installs over /usr/libexec/sendmail/sendmail and that its
init script starts. The names are pinned here so that a later edit of curated.json cannot drop one.
*/
const debian: ReadonlyArray<
	readonly [ids: readonly string[], name: string, pkg: string, path: string]
> = [
	[['20/tcp', '21/tcp'], 'vsftpd', 'vsftpd', '/usr/sbin/vsftpd'],
	[['20/tcp', '21/tcp'], 'proftpd', 'proftpd-core', '/usr/sbin/proftpd'],
	[['20/tcp', '21/tcp'], 'pure-ftpd', 'pure-ftpd', '/usr/sbin/pure-ftpd'],
	[['20/tcp', '21/tcp'], 'ftpd', 'inetutils-ftpd', '/usr/sbin/ftpd'],
	[['22/tcp'], 'sshd', 'openssh-server', '/usr/sbin/sshd'],
	[['23/tcp'], 'telnetd', 'inetutils-telnetd', '/usr/sbin/telnetd'],
	[
		['25/tcp', '465/tcp', '587/tcp'],
		'master',
		'postfix',
		'/usr/lib/postfix/sbin/master',
	],
	[
		['25/tcp', '465/tcp', '587/tcp'],
		'exim4',
		'exim4-daemon-light',
		'/usr/sbin/exim4',
	],
	[
		['25/tcp', '465/tcp', '587/tcp'],
		'sendmail-mta',
		'sendmail-bin',
		'/usr/libexec/sendmail/sendmail',
	],
	[['25/tcp', '465/tcp', '587/tcp'], 'smtpd', 'opensmtpd', '/usr/sbin/smtpd'],
	[['53/tcp', '53/udp'], 'named', 'bind9', '/usr/sbin/named'],
	[['53/tcp', '53/udp'], 'unbound', 'unbound', '/usr/sbin/unbound'],
	[['53/tcp', '53/udp'], 'dnsmasq', 'dnsmasq-base', '/usr/sbin/dnsmasq'],
	[
		['53/tcp', '53/udp'],
		'systemd-resolved',
		'systemd-resolved',
		'/lib/systemd/systemd-resolved',
	],
	[['53/tcp', '53/udp'], 'knotd', 'knot', '/usr/sbin/knotd'],
	[['53/tcp', '53/udp'], 'nsd', 'nsd', '/usr/sbin/nsd'],
	[['53/tcp', '53/udp'], 'pdns_server', 'pdns-server', '/usr/sbin/pdns_server'],
	[
		['53/tcp', '53/udp'],
		'pdns_recursor',
		'pdns-recursor',
		'/usr/sbin/pdns_recursor',
	],
	[['53/tcp', '53/udp'], 'dnsdist', 'dnsdist', '/usr/bin/dnsdist'],
	[['67/udp'], 'kea-dhcp4', 'kea-dhcp4-server', '/usr/sbin/kea-dhcp4'],
	[['67/udp'], 'dhcpd', 'isc-dhcp-server', '/usr/sbin/dhcpd'],
	[['67/udp'], 'dnsmasq', 'dnsmasq-base', '/usr/sbin/dnsmasq'],
	[['67/udp'], 'systemd-networkd', 'systemd', '/lib/systemd/systemd-networkd'],
	[['68/udp'], 'dhclient', 'isc-dhcp-client', '/sbin/dhclient'],
	[['68/udp'], 'dhcpcd', 'dhcpcd-base', '/usr/sbin/dhcpcd'],
	[['68/udp'], 'NetworkManager', 'network-manager', '/usr/sbin/NetworkManager'],
	[['68/udp'], 'systemd-networkd', 'systemd', '/lib/systemd/systemd-networkd'],
	[['69/udp'], 'in.tftpd', 'tftpd-hpa', '/usr/sbin/in.tftpd'],
	[['69/udp'], 'atftpd', 'atftpd', '/usr/sbin/atftpd'],
	[['69/udp'], 'dnsmasq', 'dnsmasq-base', '/usr/sbin/dnsmasq'],
	[['79/tcp'], 'in.fingerd', 'fingerd', '/usr/sbin/in.fingerd'],
	[['79/tcp'], 'cfingerd', 'cfingerd', '/usr/sbin/cfingerd'],
	[['80/tcp', '443/tcp'], 'nginx', 'nginx', '/usr/sbin/nginx'],
	[['80/tcp', '443/tcp'], 'apache2', 'apache2-bin', '/usr/sbin/apache2'],
	[['80/tcp', '443/tcp'], 'caddy', 'caddy', '/usr/bin/caddy'],
	[['80/tcp', '443/tcp'], 'lighttpd', 'lighttpd', '/usr/sbin/lighttpd'],
	[['80/tcp', '443/tcp'], 'haproxy', 'haproxy', '/usr/sbin/haproxy'],
	[['80/tcp', '443/tcp'], 'h2o', 'h2o', '/usr/bin/h2o'],
	[['443/udp'], 'caddy', 'caddy', '/usr/bin/caddy'],
	[['443/udp'], 'haproxy', 'haproxy', '/usr/sbin/haproxy'],
	[['443/udp'], 'h2o', 'h2o', '/usr/bin/h2o'],
	[['8080/tcp'], 'nginx', 'nginx', '/usr/sbin/nginx'],
	[['8080/tcp'], 'apache2', 'apache2-bin', '/usr/sbin/apache2'],
	[['8080/tcp'], 'squid', 'squid', '/usr/sbin/squid'],
	[['8443/tcp'], 'nginx', 'nginx', '/usr/sbin/nginx'],
	[['8443/tcp'], 'apache2', 'apache2-bin', '/usr/sbin/apache2'],
	[['8443/tcp'], 'haproxy', 'haproxy', '/usr/sbin/haproxy'],
	[['8443/tcp'], 'caddy', 'caddy', '/usr/bin/caddy'],
	[['88/tcp', '88/udp'], 'krb5kdc', 'krb5-kdc', '/usr/sbin/krb5kdc'],
	[['88/tcp', '88/udp'], 'kdc', 'heimdal-kdc', '/usr/lib/heimdal-servers/kdc'],
	[['88/tcp', '88/udp'], 'samba', 'samba', '/usr/sbin/samba'],
	[['110/tcp'], 'dovecot', 'dovecot-core', '/usr/sbin/dovecot'],
	[['110/tcp'], 'pop3-login', 'dovecot-pop3d', '/usr/lib/dovecot/pop3-login'],
	[['110/tcp'], 'popa3d', 'popa3d', '/usr/sbin/popa3d'],
	[['995/tcp'], 'dovecot', 'dovecot-core', '/usr/sbin/dovecot'],
	[['995/tcp'], 'pop3-login', 'dovecot-pop3d', '/usr/lib/dovecot/pop3-login'],
	[['143/tcp', '993/tcp'], 'dovecot', 'dovecot-core', '/usr/sbin/dovecot'],
	[
		['143/tcp', '993/tcp'],
		'imap-login',
		'dovecot-imapd',
		'/usr/lib/dovecot/imap-login',
	],
	[['111/tcp', '111/udp'], 'rpcbind', 'rpcbind', '/sbin/rpcbind'],
	[['113/tcp'], 'oidentd', 'oidentd', '/usr/sbin/oidentd'],
	[['119/tcp'], 'innd', 'inn2', '/usr/lib/news/bin/innd'],
	[['119/tcp'], 'nnrpd', 'inn2', '/usr/lib/news/bin/nnrpd'],
	[['119/tcp'], 'leafnode', 'leafnode', '/usr/sbin/leafnode'],
	[['563/tcp'], 'innd', 'inn2', '/usr/lib/news/bin/innd'],
	[['563/tcp'], 'nnrpd', 'inn2', '/usr/lib/news/bin/nnrpd'],
	[['123/udp'], 'chronyd', 'chrony', '/usr/sbin/chronyd'],
	[['123/udp'], 'ntpd', 'ntpsec', '/usr/sbin/ntpd'],
	[
		['135/tcp'],
		'samba-dcerpcd',
		'samba-common-bin',
		'/usr/libexec/samba/samba-dcerpcd',
	],
	[
		['135/tcp'],
		'rpcd_epmapper',
		'samba-common-bin',
		'/usr/libexec/samba/rpcd_epmapper',
	],
	[['135/tcp'], 'samba', 'samba', '/usr/sbin/samba'],
	[['137/udp', '138/udp'], 'nmbd', 'samba', '/usr/sbin/nmbd'],
	[['139/tcp', '445/tcp'], 'smbd', 'samba', '/usr/sbin/smbd'],
	[['161/tcp', '161/udp'], 'snmpd', 'snmpd', '/usr/sbin/snmpd'],
	[['162/udp'], 'snmptrapd', 'snmptrapd', '/usr/sbin/snmptrapd'],
	[['179/tcp'], 'bgpd', 'frr', '/usr/lib/frr/bgpd'],
	[['179/tcp'], 'bird', 'bird2', '/usr/sbin/bird'],
	[['179/tcp'], 'gobgpd', 'gobgpd', '/usr/bin/gobgpd'],
	[
		['194/tcp', '994/tcp', '6667/tcp', '6697/tcp'],
		'ircd',
		'ircd-irc2',
		'/usr/sbin/ircd',
	],
	[
		['194/tcp', '994/tcp', '6667/tcp', '6697/tcp'],
		'ngircd',
		'ngircd',
		'/usr/sbin/ngircd',
	],
	[
		['194/tcp', '994/tcp', '6667/tcp', '6697/tcp'],
		'inspircd',
		'inspircd',
		'/usr/sbin/inspircd',
	],
	[
		['194/tcp', '994/tcp', '6667/tcp', '6697/tcp'],
		'ircd-hybrid',
		'ircd-hybrid',
		'/usr/sbin/ircd-hybrid',
	],
	[['389/tcp', '636/tcp'], 'slapd', 'slapd', '/usr/sbin/slapd'],
	[['389/tcp', '636/tcp'], 'ns-slapd', '389-ds-base', '/usr/sbin/ns-slapd'],
	[['389/tcp', '636/tcp'], 'samba', 'samba', '/usr/sbin/samba'],
	[['389/udp'], 'samba', 'samba', '/usr/sbin/samba'],
	[['500/udp'], 'charon', 'strongswan-charon', '/usr/lib/ipsec/charon'],
	[['500/udp'], 'charon-systemd', 'charon-systemd', '/usr/sbin/charon-systemd'],
	[['500/udp'], 'pluto', 'libreswan', '/usr/libexec/ipsec/pluto'],
	[['512/tcp'], 'in.rexecd', 'rsh-server', '/usr/sbin/in.rexecd'],
	[['513/tcp'], 'in.rlogind', 'rsh-server', '/usr/sbin/in.rlogind'],
	[['514/tcp'], 'in.rshd', 'rsh-server', '/usr/sbin/in.rshd'],
	[['514/udp'], 'rsyslogd', 'rsyslog', '/usr/sbin/rsyslogd'],
	[['514/udp'], 'syslog-ng', 'syslog-ng-core', '/usr/sbin/syslog-ng'],
	[['514/udp'], 'syslogd', 'inetutils-syslogd', '/usr/sbin/syslogd'],
	[['515/tcp'], 'lpd', 'lpr', '/usr/sbin/lpd'],
	[['515/tcp'], 'lpd', 'lprng', '/usr/sbin/lpd'],
	[['631/tcp'], 'cupsd', 'cups-daemon', '/usr/sbin/cupsd'],
	[['631/udp'], 'cups-browsed', 'cups-browsed', '/usr/sbin/cups-browsed'],
	[['853/tcp'], 'unbound', 'unbound', '/usr/sbin/unbound'],
	[['853/tcp'], 'named', 'bind9', '/usr/sbin/named'],
	[['853/tcp'], 'kresd', 'knot-resolver', '/usr/sbin/kresd'],
	[['853/tcp'], 'dnsdist', 'dnsdist', '/usr/bin/dnsdist'],
	[['873/tcp'], 'rsync', 'rsync', '/usr/bin/rsync'],
	[['1194/udp'], 'openvpn', 'openvpn', '/usr/sbin/openvpn'],
	[['1812/udp'], 'freeradius', 'freeradius', '/usr/sbin/freeradius'],
	[['2049/tcp'], 'rpc.nfsd', 'nfs-kernel-server', '/usr/sbin/rpc.nfsd'],
	[['2375/tcp', '2376/tcp'], 'dockerd', 'docker.io', '/usr/sbin/dockerd'],
	[['2401/tcp'], 'cvs', 'cvs', '/usr/bin/cvs'],
	[['3306/tcp'], 'mariadbd', 'mariadb-server-core', '/usr/sbin/mariadbd'],
	[['3306/tcp'], 'mysqld', 'mariadb-server-core', '/usr/sbin/mysqld'],
	[['3389/tcp'], 'xrdp', 'xrdp', '/usr/sbin/xrdp'],
	[
		['3389/tcp'],
		'gnome-remote-desktop-daemon',
		'gnome-remote-desktop',
		'/usr/libexec/gnome-remote-desktop-daemon',
	],
	[['5060/udp'], 'kamailio', 'kamailio', '/usr/sbin/kamailio'],
	[['5353/udp'], 'avahi-daemon', 'avahi-daemon', '/usr/sbin/avahi-daemon'],
	[
		['5353/udp'],
		'systemd-resolved',
		'systemd-resolved',
		'/lib/systemd/systemd-resolved',
	],
	[
		['5432/tcp'],
		'postgres',
		'postgresql-15',
		'/usr/lib/postgresql/15/bin/postgres',
	],
	[
		['5900/tcp'],
		'Xtigervnc',
		'tigervnc-standalone-server',
		'/usr/bin/Xtigervnc',
	],
	[['5900/tcp'], 'x11vnc', 'x11vnc', '/usr/bin/x11vnc'],
	[['5900/tcp'], 'wayvnc', 'wayvnc', '/usr/bin/wayvnc'],
	[['5900/tcp'], 'vino-server', 'vino', '/usr/libexec/vino-server'],
	[['6000-6063/tcp'], 'Xorg', 'xserver-xorg-core', '/usr/bin/Xorg'],
	[['6000-6063/tcp'], 'Xwayland', 'xwayland', '/usr/bin/Xwayland'],
	[['6000-6063/tcp'], 'Xvfb', 'xvfb', '/usr/bin/Xvfb'],
	[
		['6000-6063/tcp'],
		'Xtigervnc',
		'tigervnc-standalone-server',
		'/usr/bin/Xtigervnc',
	],
	[['6000-6063/tcp'], 'sshd', 'openssh-server', '/usr/sbin/sshd'],
	[['6379/tcp'], 'redis-server', 'redis-server', '/usr/bin/redis-server'],
	[
		['9100/tcp'],
		'prometheus-node-exporter',
		'prometheus-node-exporter',
		'/usr/bin/prometheus-node-exporter',
	],
	[['11211/tcp'], 'memcached', 'memcached', '/usr/bin/memcached'],
];

/** Entries with no daemon that Debian packages: proprietary, retired, or the kernel's. */
const notInDebian: Readonly<Record<string, string>> = {
	'220/tcp': 'imapd of UW IMAP, no longer in Debian',
	'554/tcp':
		'MediaMTX and live555 are not in bookworm; gst-rtsp-server is a library',
	'554/udp': 'as 554/tcp',
	'744/udp': 'FlexLM lmgrd is proprietary',
	'901/tcp': 'SWAT left Samba in 4.1',
	'2049/udp': 'the kernel nfsd (threads, no process holds the socket)',
	'27000-27009/tcp': 'FlexLM is proprietary',
	'27017/tcp': 'MongoDB is not in Debian',
	'51820/udp': 'WireGuard is the kernel',
};

const catalogue = await loadCatalogue({
	userFile: false,
	registry: false,
	systemServices: false,
});

test('every name Debian runs is among the daemons of its entries', (t) => {
	const missing: string[] = [];
	for (const [ids, name, pkg] of debian) {
		for (const id of ids) {
			const entry = catalogue.curated.find((entry) => entry.id === id);
			if (!entry?.daemons.includes(name)) {
				missing.push(`${id} ${name} (${pkg})`);
			}
		}
	}

	t.deepEqual(missing, []);
});

test('every curated entry was checked against Debian', (t) => {
	const checked = new Set(debian.flatMap(([ids]) => ids));
	t.deepEqual(
		catalogue.curated
			.map((entry) => entry.id)
			.filter((id) => !checked.has(id) && !(id in notInDebian)),
		[],
	);
	for (const id of [...checked, ...Object.keys(notInDebian)]) {
		t.true(
			catalogue.curated.some((entry) => entry.id === id),
			`${id} is a curated entry`,
		);
	}
});

test("list apache2 finds every port Debian's apache2 serves by default or by habit", (t) => {
	t.deepEqual(
		searchCatalogue(catalogue.entries, {query: 'apache2'}).map(
			(entry) => entry.id,
		),
		['80/tcp', '443/tcp', '8080/tcp', '8443/tcp'],
	);
	for (const name of ['haproxy', 'caddy']) {
		t.true(
			searchCatalogue(catalogue.entries, {query: name}).some(
				(entry) => entry.id === '8443/tcp',
			),
			`${name} runs on 8443 too`,
		);
	}
});

// On this machine, against the real packages: those installed must hold the file named above.
const installed = (pkg: string) =>
	spawnSync('dpkg', ['-s', pkg], {encoding: 'utf8'}).stdout.includes(
		'\nStatus: install ok installed\n',
	);
const hasDpkg = spawnSync('dpkg-query', ['--version']).status === 0;
(hasDpkg ? test : test.skip)(
	'installed packages hold the daemons the table names',
	(t) => {
		const packages = [...new Set(debian.map((row) => row[2]))].filter((pkg) =>
			installed(pkg),
		);
		if (packages.length === 0) {
			t.pass('none of these packages is installed here');
			return;
		}

		for (const pkg of packages) {
			const files = spawnSync('dpkg', ['-L', pkg], {encoding: 'utf8'}).stdout;
			for (const [, name, , path] of debian.filter((row) => row[2] === pkg)) {
				t.true(
					files.split('\n').includes(path),
					`${pkg} holds ${path} (${name})`,
				);
			}
		}
	},
);
