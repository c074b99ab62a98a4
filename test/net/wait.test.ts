/*
 * `wait` never reports a false success on a real network (issue 16, rows 3 and 4): UDP silence
 * from a host that is not there, or from a closed port whose ICMP answer another prober used
 * up, is not open. In the namespaces of topology.ts; skipped with the reason where they cannot
 * be made.
 */
import process from 'node:process';
import test from 'ava';
import {runChild} from '../helpers/child.js';
import {namespaceTest, withTopology} from '../helpers/net-suite.js';
import {nmap, portui, portuiBin} from './tools.js';
import {absentNoRoute4, absentOnLink4, server4} from './topology.js';

const netTest = namespaceTest(test);

netTest(
	'row 3: UDP to a host that does not exist is unreachable, and wait does not call it open',
	async (t) => {
		const topology = await withTopology(t);
		for (const host of [absentNoRoute4, absentOnLink4]) {
			// One after another: each is its own case and nmap judges both.
			// eslint-disable-next-line no-await-in-loop
			const probed = await portui(topology, [
				'probe',
				host,
				'43006',
				'--proto',
				'udp',
				'--json',
			]);
			const [result] = (
				JSON.parse(probed.stdout) as {
					results: Array<{state: string; reason: string}>;
				}
			).results;
			// eslint-disable-next-line no-await-in-loop
			const judged = await nmap(topology, [
				'-sU',
				'-p',
				'43006',
				'--reason',
				host,
			]);
			t.log(
				`${host}: portui ${result!.state} (${result!.reason}); nmap ${judged.ports.map((port) => `${port.state} (${port.reason})`).join(', ')}`,
			);
			t.is(result!.state, 'unreachable');
			t.true(judged.ports.every((port) => port.state !== 'open'));

			// eslint-disable-next-line no-await-in-loop
			const waited = await portui(topology, [
				'wait',
				`${host}:43006/udp`,
				'--timeout',
				'8s',
			]);
			t.is(waited.status, 1, `wait ${host}:43006/udp: ${waited.stderr}`);
			t.log(waited.stderr.trim());
		}
	},
);

netTest(
	'row 4: wait for a UDP port where nothing listens, while another portui sweeps the host, never exits 0',
	async (t) => {
		const topology = await withTopology(t);
		// Another portui sweeps 30 closed UDP ports of the host, over and over, for the whole wait.
		const sweeper = new AbortController();
		const sweeping = (async () => {
			while (!sweeper.signal.aborted) {
				// eslint-disable-next-line no-await-in-loop -- one sweep after another, like a watch
				await runChild(
					'ip',
					[
						'netns',
						'exec',
						topology.client,
						process.execPath,
						portuiBin,
						'probe',
						server4,
						'43900-43929',
						'--proto',
						'udp',
						'--timeout',
						'300ms',
					],
					{signal: sweeper.signal},
				).catch(() => undefined);
			}
		})();
		const waited = await portui(topology, [
			'wait',
			`${server4}:43900/udp`,
			'--timeout',
			'8s',
			'--interval',
			'100ms',
		]);
		sweeper.abort();
		await sweeping;
		t.is(waited.status, 1, `wait exited ${waited.status}: ${waited.stderr}`);
		t.regex(waited.stderr, /not open after 8s: closed/v);
	},
);
