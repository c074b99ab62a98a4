import path from 'node:path';
import anyTest from 'ava';
import {
	cleanUpAfter,
	makeWorkDirectory,
	tool,
	whenStarted,
} from '../helpers/real-daemons.js';
import {find, nmap, probeJson} from '../helpers/real-probe.js';
import {startSnmpd} from '../helpers/real-services.js';
import {runCli} from '../helpers/cli.js';

const hardened = '127.0.11.3';
const open = '127.0.11.8';
const work = makeWorkDirectory();
const [private_, public_] = [
	await startSnmpd({
		address: hardened,
		directory: path.join(work.directory, 'private'),
		community: 'pi-s3cret-community',
	}),
	await startSnmpd({
		address: open,
		directory: path.join(work.directory, 'public'),
		community: 'public',
	}),
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
