/*
Remote refresh cost over SSH against `ssh host ss -tulpn`, in the same run.

Run from the repository root, as root (it builds a network namespace with a real sshd, a user and
a key of its own; see test/remote/sshd.ts):

	node --import tsx test/bench/remote.js [--runs 9] [--quick]

Two scenes: 50 and 2,000 TCP listeners held by one process in the server namespace (plus sshd's
own). Per scene, interleaved so that load on the shared machine hits all alike, median of --runs
after a warm-up, of:

- portui: one refresh on the session's long-lived connection (`scanner.list()`: the fixed script
  runs, its snapshot comes back, the same scanner as for this machine parses it), as the login user
  and through `sudo -n` (which reads every process's descriptors: far more work).
- `ssh host ss -tulpn`: what a user would run, a new connection each time; and the same over an
  ssh ControlMaster connection (`-o ControlPath`), so that the connection set-up is out of it.
  As the login user and through `sudo -n`.

Bytes are what came back for one refresh (portui: snapshot plus the request line; ss: its stdout).
Then CPU: this process's user+system time for 10 refreshes of one host against 10 refreshes of
three hosts at once (three sessions, the one sshd: a stand-in for three hosts, since the dashboard
reads each host over its own session), per host; the goal is that three hosts cost no more per
host than one. Prints a table, then JSON lines for test/bench/run.js.
*/
import {execFile} from 'node:child_process';
import {Buffer} from 'node:buffer';
import process from 'node:process';
import {promisify} from 'node:util';
import {isQuick, isRoot, median, report, runCount} from './lib/common.js';

/* eslint-disable n/file-extension-in-import -- tsx loads the TypeScript source */
const {createSshLab, hasSudo, whyNoSshLab} = await import('../remote/sshd.ts');
const {openRemoteHost} = await import('../../source/remote/remote-host.ts');
/* eslint-enable n/file-extension-in-import */

const execFileAsync = promisify(execFile);
const runs = runCount({fallback: 9, quickFallback: 3, least: 3});

const holdScript = [
	'import socket, sys, time',
	'held = []',
	'for i in range(int(sys.argv[2])):',
	'    s = socket.socket()',
	'    s.bind((sys.argv[1], 0))',
	'    s.listen(1)',
	'    held.append(s)',
	'print("ready", flush=True)',
	'time.sleep(900)',
].join('\n');

async function timed(run) {
	const started = performance.now();
	const bytes = await run();
	return {ms: performance.now() - started, bytes};
}

/** Each case once per round, a warm-up round first: load on the machine hits all alike. */
async function interleaved(cases) {
	const samples = new Map(cases.map(([name]) => [name, []]));
	for (let run = -1; run < runs; run++) {
		for (const [name, measure] of cases) {
			// eslint-disable-next-line no-await-in-loop -- measured one at a time
			const sample = await timed(measure);
			if (run >= 0) {
				samples.get(name).push(sample);
			}
		}
	}

	return samples;
}

async function main() {
	const why = whyNoSshLab() ?? (isRoot() ? undefined : 'needs root');
	if (why !== undefined) {
		report('remote', 'Remote refresh over SSH', [
			{name: 'refresh', skipped: why},
		]);
		return;
	}

	const lab = await createSshLab();
	const sessions = [];
	try {
		const withSudo = hasSudo();
		const control = `${lab.dir}/cm-%C`;
		const sshArgs = (extra, command) => [
			'-F',
			lab.config,
			...extra,
			'target',
			...command,
		];
		const ss = async (extra, isSudo) => {
			const {stdout} = await execFileAsync(
				lab.sshWrapper,
				sshArgs(
					extra,
					isSudo ? ['sudo', '-n', 'ss', '-tulpn'] : ['ss', '-tulpn'],
				),
				{maxBuffer: 64 * 1024 * 1024, encoding: 'latin1'},
			);
			return Buffer.byteLength(stdout, 'latin1');
		};

		const main_ = [
			'-o',
			'ControlMaster=auto',
			'-o',
			`ControlPath=${control}`,
			'-o',
			'ControlPersist=120',
		];
		const open = (isSudo) => {
			const remote = openRemoteHost(
				{host: 'target', text: 'ssh://target'},
				{configFile: lab.config, sshCommand: lab.sshWrapper, isSudo},
			);
			sessions.push(remote);
			return remote;
		};

		const plain = open(false);
		const rooted = withSudo ? open(true) : undefined;
		const portui = (remote) => async () => {
			const list = await remote.scanner.list();
			if (!list.isAvailable) {
				throw new Error(list.reason);
			}

			return list.cost.bytesIn + list.cost.bytesOut;
		};

		const rows = [];
		const scenes = isQuick ? [50] : [50, 2000];
		for (const count of scenes) {
			// eslint-disable-next-line no-await-in-loop -- one scene after the other
			const holder = await lab.start(undefined, [
				'/usr/bin/python3',
				'-c',
				holdScript,
				lab.address,
				String(count),
			]);
			const cases = [
				['portui', portui(plain)],
				['ssh ss -tulpn', async () => ss([], false)],
				['ssh ss (ControlMaster)', async () => ss(main_, false)],
				...(rooted
					? [
							['portui --sudo', portui(rooted)],
							['ssh sudo ss -tulpn', async () => ss([], true)],
							['ssh sudo ss (ControlMaster)', async () => ss(main_, true)],
						]
					: []),
			];
			// eslint-disable-next-line no-await-in-loop -- one scene after the other
			const samples = await interleaved(cases);

			const summary = (name) => {
				const list = samples.get(name);
				return {
					ms: median(list.map((sample) => sample.ms)),
					bytes: median(list.map((sample) => sample.bytes)),
				};
			};

			for (const [mine, theirs, reused] of [
				['portui', 'ssh ss -tulpn', 'ssh ss (ControlMaster)'],
				['portui --sudo', 'ssh sudo ss -tulpn', 'ssh sudo ss (ControlMaster)'],
			]) {
				if (!samples.has(mine)) {
					continue;
				}

				const a = summary(mine);
				const b = summary(theirs);
				const c = summary(reused);
				rows.push(
					{
						name: `${count} sockets: ${mine} ms vs new ssh`,
						portui: a.ms,
						anchor: b.ms,
						anchorName: theirs,
						bytes: a.bytes,
						anchorBytes: b.bytes,
					},
					{
						name: `${count} sockets: ${mine} ms vs ControlMaster`,
						portui: a.ms,
						anchor: c.ms,
						anchorName: reused,
					},
					{
						name: `${count} sockets: ${mine} bytes`,
						unit: 'B',
						portui: a.bytes,
						anchor: b.bytes,
						anchorName: theirs,
					},
				);
			}

			holder.kill('SIGKILL');
		}

		// CPU of this process: 10 refreshes of one host, then of three at once, per host.
		const extra = [open(false), open(false)];
		const cpu = async (hosts) => {
			await Promise.all(hosts.map(async (remote) => remote.scanner.list()));
			const before = process.cpuUsage();
			for (let refresh = 0; refresh < 10; refresh++) {
				// eslint-disable-next-line no-await-in-loop -- refreshes follow each other, as the dashboard's
				await Promise.all(hosts.map(async (remote) => remote.scanner.list()));
			}

			const used = process.cpuUsage(before);
			return (used.user + used.system) / 1000 / hosts.length;
		};

		const one = [];
		const three = [];
		for (let run = 0; run < Math.max(3, Math.ceil(runs / 3)); run++) {
			// eslint-disable-next-line no-await-in-loop
			one.push(await cpu([plain]));
			// eslint-disable-next-line no-await-in-loop
			three.push(await cpu([plain, ...extra]));
		}

		const perHost = median(three);
		const single = median(one);
		rows.push({
			name: 'CPU ms per host, 10 refreshes, 3 hosts vs 1',
			portui: perHost,
			anchor: single,
			anchorName: '1 host',
			goal: '<= 1.2x one host',
			ok: perHost <= single * 1.2,
		});
		report('remote', 'Remote refresh over SSH (medians)', rows);
	} finally {
		for (const remote of sessions) {
			remote.close();
		}

		lab.close();
	}
}

await main();
