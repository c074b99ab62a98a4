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
import {runCli} from '../helpers/cli.js';

const hardened = '127.0.11.3';
const open = '127.0.11.8';
const work = makeWorkDirectory();

/** Snmpd -f on `address`, read-only `community` for loopback only, its state in the work directory. */
async function startSnmpd(
	address: string,
	community: string,
): Promise<Started> {
	const command = findCommand('snmpd');
	if (!command) {
		return notInstalled('snmpd', 'snmpd');
	}

	const directory = path.join(work.directory, address);
	mkdirSync(directory);
	const config = path.join(directory, 'snmpd.conf');
	writeFileSync(
		config,
		`agentAddress udp:${address}:161\nrocommunity ${community} 127.0.0.0/8\n`,
	);
	return startDaemon({
		name: 'snmpd',
		command,
		// -C: no other config file; -Lo: log to stdout.
		args: ['-f', '-Lo', '-C', '-c', config, '-p', path.join(directory, 'pid')],
		env: {SNMP_PERSISTENT_DIR: directory, MIBS: ''},
		listens: [{protocol: 'udp', address, port: 161}],
	});
}

const [private_, public_] = [
	await startSnmpd(hardened, 'pi-s3cret-community'),
	await startSnmpd(open, 'public'),
];
cleanUpAfter(anyTest, work, private_, public_);
const {test, title} = whenStarted(anyTest, private_, public_);
const withNmap = whenStarted(anyTest, private_, tool('nmap'));

test(
	title(
		'snmpd with a private community is open: the v3 discovery names net-snmp, and `wait` sees it',
	),
	async (t) => {
		const probe = await probeJson(hardened, '161/udp');
		t.like(find(probe, 161, 'udp'), {
			state: 'open',
			answered: 'SNMP v3, engine net-snmp',
		});
		const wait = await runCli([
			'wait',
			`${hardened}:161/udp`,
			'--timeout',
			'5s',
		]);
		t.is(wait.exitCode, 0, wait.stderr);
	},
);

test(title("snmpd that still answers 'public' is told"), async (t) => {
	const probe = await probeJson(open, '161/udp');
	t.like(find(probe, 161, 'udp'), {state: 'open'});
	t.regex(
		find(probe, 161, 'udp')?.answered ?? '',
		/^SNMP v3, engine net-snmp; v2c 'public' answers! \(Linux /v,
	);
});

withNmap.test(
	withNmap.title('nmap -sU agrees that the hardened agent is open'),
	async (t) => {
		const ports = await nmap(['-sU', '-Pn', '-n', '-p', '161', hardened]);
		t.like(ports.get('161/udp'), {state: 'open'});
	},
);
