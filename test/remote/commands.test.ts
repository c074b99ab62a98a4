import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import anyTest, {type TestFn} from 'ava';
import {
	assertUsageError,
	runCli,
	startCli,
	type CliProcess,
} from '../helpers/cli.js';
import {stopChild} from '../helpers/listening-child.js';
import * as sshd from './sshd.js';

type SshLab = sshd.SshLab;

/*
 * Wait, watch and a one-shot probe of ssh:// hosts, against a real sshd in a network namespace
 * (sshd.ts): a root listener on 0.0.0.0:8443 behind an nft drop rule in the server namespace, a
 * login user's listener on 127.0.0.1:9090, and listeners the tests start and stop.
 */
const labTest = sshd.sshLabTest(
	anyTest as TestFn<{lab: SshLab}>,
	async (lab) => {
		await lab.start(undefined, sshd.listenCommand('0.0.0.0', 8443));
		await lab.start(lab.user, sshd.listenCommand('127.0.0.1', 9090));
		lab.sh(
			lab.server,
			`/usr/sbin/nft -f - <<'EOF'
table inet rwtest {
	chain input {
		type filter hook input priority 0;
		tcp dport { 8443, 8444 } drop
	}
}
EOF`,
		);
	},
	{prefix: 'rw'},
);

/** Portui in the client namespace, where the server's address routes; the lab's ssh config before any `--`. */
function inClient(lab: SshLab, args: string[]): CliProcess {
	const end = args.includes('--') ? args.indexOf('--') : args.length;
	return startCli(
		[...args.slice(0, end), '--ssh-config', lab.config, ...args.slice(end)],
		{wrapper: ['ip', 'netns', 'exec', lab.client]},
	);
}

/** `portui wait ssh://target PORTS` with quick sweeps, and a timeout of `timeout`. */
const waitOver = (lab: SshLab, ports: string[], timeout: string) =>
	inClient(lab, [
		'wait',
		'ssh://target',
		...ports,
		'--timeout',
		timeout,
		'--interval',
		'100ms',
		'--probe-timeout',
		'300ms',
	]);

/** `portui watch ssh://target PORTS` with quick sweeps, state only. */
const watchOver = (lab: SshLab, ports: string, json: string[] = []) =>
	inClient(lab, [
		'watch',
		'ssh://target',
		ports,
		...json,
		'--interval',
		'300ms',
		'--timeout',
		'300ms',
		'--no-identify',
	]);

for (const [args, named] of [
	[['ssh://db1'], 'needs its PORTS after it'],
	[['ssh://db1', 'localhost:80'], '"ssh://db1" needs its PORTS'],
	[['ssh://-oProxyCommand=x', '22'], 'bad host "ssh://-oProxyCommand=x"'],
	[['ssh://db1', '0'], 'bad port "0"'],
] as const) {
	anyTest(
		`wait ${args.join(' ')}: one line naming the bad value, exit 2`,
		async (t) => {
			assertUsageError(t, await runCli(['wait', ...args]), named);
		},
	);
}

labTest(
	'wait ssh://HOST PORTS: waits while nothing listens, exits 0 once a listener in the namespace answers from here; a plain host beside it',
	async (t) => {
		const {lab} = t.context;
		const wait = waitOver(lab, ['7001', `${lab.address}:22`], '20s');
		t.teardown(() => {
			wait.child.kill('SIGKILL');
		});
		// Several sweeps find 7001 refused; the wait must still be waiting after them.
		await new Promise((resolve) => {
			setTimeout(resolve, 1500);
		});
		t.is(wait.child.exitCode, null, wait.output.stderr);
		const listener = await lab.start(
			undefined,
			sshd.listenCommand('0.0.0.0', 7001),
		);
		t.teardown(async () => stopChild(listener));
		const result = await wait.result;
		t.is(result.exitCode, 0, result.stderr);
		t.is(result.stderr, '');
	},
);

labTest(
	'wait ssh:// on a port that listens behind an nft drop: times out with exit 1 and says it listens but is firewalled; nmap agrees it is filtered',
	async (t) => {
		const {lab} = t.context;
		// Silence is called filtered only after retries against the path's timeout: a few seconds.
		const result = await waitOver(lab, ['8443'], '8s').result;
		t.is(result.exitCode, 1, result.stderr);
		t.is(
			result.stderr,
			'portui: ssh://target 8443 not open after 8s: filtered (timeout); listening on 0.0.0.0, not reachable from here (firewalled)\n',
		);
		const nmap = await sshd.nmapFromClient(lab, '8443');
		t.regex(nmap, /8443\/tcp\s+filtered/v);

		// Loopback only: refused from here, and the reason says where it listens.
		const loopback = await waitOver(lab, ['9090'], '500ms').result;
		t.is(loopback.exitCode, 1);
		t.is(
			loopback.stderr,
			'portui: ssh://target 9090 not open after 0.5s: closed (refused); listening on loopback only\n',
		);
	},
);

type JsonLine = {
	type: string;
	port?: number;
	from?: string | undefined;
	to?: string | undefined;
	results?: Array<{port: number; state: string; inside?: {verdict?: string}}>;
	inside?: {verdict?: string};
};

labTest(
	'watch --json ssh://: inside verdicts in the snapshot, in a transition, and a line of their own when only the verdict changes',
	async (t) => {
		const {lab} = t.context;
		const behindDrop = await lab.start(
			undefined,
			sshd.listenCommand('0.0.0.0', 8444),
		);
		t.teardown(async () => stopChild(behindDrop));
		const watch = watchOver(lab, '22,8443,8444,9090,7002', ['--json']);
		t.teardown(() => {
			watch.child.kill('SIGKILL');
		});
		const parse = (line: string) => JSON.parse(line) as JsonLine;
		const snapshot = parse(
			await watch.waitForLine((line) => line.includes('"type":"snapshot"')),
		);
		const verdict = (port: number) =>
			snapshot.results?.find((result) => result.port === port)?.inside?.verdict;
		t.is(verdict(22), 'reachable from here');
		t.is(
			verdict(8443),
			'listening on 0.0.0.0, not reachable from here (firewalled)',
		);
		t.is(verdict(9090), 'listening on loopback only');
		t.is(verdict(7002), undefined);

		// A listener behind the drop stops: filtered from here before and after, only inside changed.
		await stopChild(behindDrop);
		const change = parse(
			await watch.waitForLine((line) => line.includes('"type":"inside"')),
		);
		t.like(change, {
			port: 8444,
			from: 'listening on 0.0.0.0, not reachable from here (firewalled)',
			to: null as unknown as undefined,
		});

		// A port that opens: the transition carries the verdict of its sweep.
		const listener = await lab.start(
			undefined,
			sshd.listenCommand('0.0.0.0', 7002),
		);
		t.teardown(async () => stopChild(listener));
		const opened = parse(
			await watch.waitForLine(
				(line) => line.includes('"type":"transition"') && line.includes('7002'),
			),
		);
		t.like(opened, {to: 'open', inside: {verdict: 'reachable from here'}});
		watch.child.kill('SIGTERM');
		const {exitCode} = await watch.result;
		t.is(exitCode, 0);
	},
);

labTest('watch ssh:// in text: each port with its verdict', async (t) => {
	const {lab} = t.context;
	const watch = watchOver(lab, '8443,9090');
	t.teardown(() => {
		watch.child.kill('SIGKILL');
	});
	const firewalled = await watch.waitForLine((line) =>
		line.includes('8443/tcp'),
	);
	t.regex(
		firewalled,
		/filtered \(timeout, [^\)]*\) · listening on 0\.0\.0\.0, not reachable from here \(firewalled\)$/v,
	);
	const loopback = await watch.waitForLine((line) => line.includes('9090/tcp'));
	t.regex(loopback, /closed \([^\)]*\) · listening on loopback only$/v);
});

labTest(
	'a one-shot probe does not retry: sshd stopped or a key it refuses is one line with ssh’s reason, exit 1',
	async (t) => {
		const {lab} = t.context;
		const probe = async (alias: string) =>
			inClient(lab, ['probe', `ssh://${alias}`, '22', '--timeout', '300ms'])
				.result;
		const refused = await probe('wrongkey');
		t.is(refused.exitCode, 1);
		t.regex(
			refused.stderr,
			/^portui: ssh:\/\/wrongkey: ssh: [^\n]*Permission denied \(publickey\)\.\n$/v,
		);

		await lab.stopSshd();
		t.teardown(async () => lab.startSshd());
		const stoppedSshd = await probe('target');
		t.is(stoppedSshd.exitCode, 1);
		t.is(
			stoppedSshd.stderr,
			`portui: ssh://target: ssh: connect to host ${lab.address} port 22: Connection refused\n`,
		);
		t.notRegex(stoppedSshd.stdout + stoppedSshd.stderr, /retrying/v);
		// The sweep from here ran: port 22 refused, as for any host.
		t.regex(stoppedSshd.stdout, /22\s+tcp\s+ssh\s+closed/v);
	},
);

type AuditJson = {
	ssh: string;
	alarms: number;
	listeners: Array<{
		port: number;
		address: string;
		scope: string;
		exposure: string;
		reach?: string;
		dualStack: string | undefined;
		owner: {comm?: string} | undefined;
	}>;
};

labTest(
	'audit ssh://: the host’s listeners with scope, exposure and reach from here; an obsolete service on every address is an alarm (exit 1)',
	async (t) => {
		const {lab} = t.context;
		const telnet = await lab.start(
			undefined,
			sshd.listenCommand('0.0.0.0', 23),
		);
		t.teardown(async () => stopChild(telnet));
		const isSudo = sshd.hasSudo();
		const result = await inClient(lab, [
			'audit',
			'ssh://target',
			'--json',
			...(isSudo ? ['--sudo'] : []),
		]).result;
		t.is(result.exitCode, 1, result.stderr);
		const json = JSON.parse(result.stdout) as AuditJson;
		t.is(json.ssh, 'ssh://target');
		const listener = (port: number) =>
			json.listeners.find((item) => item.port === port);
		t.like(listener(23), {
			address: '0.0.0.0',
			scope: 'all',
			exposure: 'alarm',
			reach: 'reachable from here',
		});
		t.like(listener(8443), {
			exposure: 'flagged',
			reach: 'listening on 0.0.0.0, not reachable from here (firewalled)',
		});
		t.like(listener(9090), {
			scope: 'loopback',
			exposure: 'loopback-only',
			reach: 'listening on loopback only',
		});
		t.is(json.alarms, 1);
		// The listeners are the ones ss sees there.
		t.deepEqual(
			json.listeners.map((item) => `${item.address}:${item.port}`).toSorted(),
			sshd.ssListeners(lab),
		);
		if (isSudo) {
			t.is(listener(23)?.owner?.comm, 'python3');
		}
	},
);

labTest(
	'during ssh://: watches the TCP ports the host listens on beyond loopback while COMMAND restarts one there, and names its downtime',
	async (t) => {
		const {lab} = t.context;
		const first = await lab.start(
			undefined,
			sshd.listenCommand('0.0.0.0', 7003),
		);
		t.teardown(async () => stopChild(first));
		const script = path.join(lab.dir, 'listen.py');
		const pidFile = path.join(lab.dir, 'restarted.pid');
		writeFileSync(script, sshd.listenScript);
		t.teardown(() => {
			try {
				process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
			} catch {
				// Never started, or gone.
			}
		});
		// The restart: the listener goes, and a new one takes its port a moment later.
		const restart = [
			`kill ${first.pid}`,
			'sleep 0.5',
			`ip netns exec ${lab.server} sh -c 'python3 ${script} 0.0.0.0 7003 >/dev/null 2>&1 & echo $! > ${pidFile}'`,
		].join('; ');
		const result = await inClient(lab, [
			'during',
			'ssh://target',
			'--json',
			'--timeout',
			'10s',
			'--interval',
			'100ms',
			'--probe-timeout',
			'300ms',
			'--',
			'sh',
			'-c',
			restart,
		]).result;
		t.is(result.exitCode, 0, result.stderr);
		const json = JSON.parse(result.stdout) as {
			watched: number;
			ports: Array<{port: number; restarted: boolean; before: string}>;
		};
		// 22, 7003 and 8443 (behind the drop); 9090 listens on loopback only.
		t.is(json.watched, 3);
		t.like(
			json.ports.find((port) => port.port === 7003),
			{restarted: true, before: 'open'},
		);
	},
);
