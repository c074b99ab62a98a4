/*
 * UDP on a real network (issue 16 row 6) beside nmap -sU in the same namespaces: a relay adds
 * 300 ms each way and drops a fifth of the packets each way, and the server's kernel limits its
 * ICMP port unreachables (a burst of six, then one a second).
 */
import process from 'node:process';
import test from 'ava';
import {namespaceTest, withTopology} from '../helpers/net-suite.js';
import {nmap, portuiProbe} from './tools.js';
import {server4} from './topology.js';

const netTest = namespaceTest(test);

netTest(
	'row 6: over a 600 ms round trip with 20 % loss, 24 UDP ports are read as they are',
	async (t) => {
		const topology = await withTopology(t, {
			relay: {delayMs: 300, loss: 0.2, seed: 7},
		});
		const open = Array.from({length: 8}, (_, index) => 43_300 + index);
		const closed = Array.from({length: 16}, (_, index) => 43_320 + index);
		const listener = await topology.start(topology.server, process.execPath, [
			'test/net/servers.cjs',
			...open.map((port) => `udp:${server4}:${port}`),
		]);
		t.teardown(() => listener.kill());
		const ports = [...open, ...closed].join(',');
		const expected = (port: number) =>
			open.includes(port) ? 'open' : 'closed';
		const ours = await portuiProbe(topology, server4, ports, [
			'--proto',
			'udp',
		]);
		const misread = ours.results.filter(
			(result) => result.state !== expected(result.port),
		);
		const theirs = await nmap(topology, [
			'-sU',
			'--reason',
			'-p',
			ports,
			server4,
		]);
		const theirMisread = theirs.ports.filter(
			(port) => port.state !== expected(port.port),
		);
		t.log(
			`portui ${Math.round(ours.ms)} ms, misread ${JSON.stringify(misread.map((result) => `${result.port} ${result.state}`))}`,
		);
		t.log(`nmap ${Math.round(theirs.ms)} ms, misread ${theirMisread.length}`);
		t.true(misread.length <= 1, `${misread.length} of 24 misread`);
	},
);
