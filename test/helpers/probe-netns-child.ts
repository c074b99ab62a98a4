/*
 * Runs inside the network namespace that test/probe-netns.test.ts builds (never on the host's
 * network): 10.99.0.2 is a peer in a second namespace behind a veth pair, 10.99.0.3 a
 * neighbour whose frames go nowhere, 10.98.0.0/24 an unreachable route, 10.97.0.0/24 a
 * prohibit route, and nothing else is routed. Prints one JSON object.
 */
import process from 'node:process';
import {identifyTcp} from '../../source/probe/identify.js';
import {sweep} from '../../source/probe/sweep.js';
import {resolveTarget} from '../../source/probe/targets.js';
import {probeTcp} from '../../source/probe/tcp.js';
import {probeUdp} from '../../source/probe/udp.js';

const peer = {address: '10.99.0.2', family: 4} as const;
const openPort = Number(process.argv[2]);

// The peer's listener starts alongside this script: wait for it (bounded) rather than sleep.
for (let attempt = 0; attempt < 50; attempt++) {
	// eslint-disable-next-line no-await-in-loop -- polling the peer, one attempt at a time
	const probe = await probeTcp({...peer, port: openPort, timeoutMs: 100});
	if (probe.state === 'open') {
		break;
	}

	// eslint-disable-next-line no-await-in-loop
	await new Promise((resolve) => {
		setTimeout(resolve, 100);
	});
}

const tcp = {
	open: await probeTcp({...peer, port: openPort}),
	closed: await probeTcp({...peer, port: 9}),
	filtered: await probeTcp({
		address: '10.99.0.3',
		family: 4,
		port: 80,
		timeoutMs: 300,
	}),
	hostUnreachable: await probeTcp({address: '10.98.0.1', family: 4, port: 80}),
	prohibited: await probeTcp({address: '10.97.0.1', family: 4, port: 80}),
	noRoute: await probeTcp({address: '10.96.0.1', family: 4, port: 80}),
};
const identified = await identifyTcp({...peer, port: openPort, budgetMs: 1000});

// More closed ports than the peer's ICMP burst: the sweep must see every one closed.
const udpStarts: number[] = [];
const began = performance.now();
const spaced = await sweep({
	host: peer.address,
	pairs: [7, 9, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31].map((port) => ({
		port,
		protocol: 'udp' as const,
	})),
	timeoutMs: 500,
	onResult() {
		udpStarts.push(performance.now() - began);
	},
});

// The same peer without spacing, for the record: what the rate limit does to a burst.
const burst = await Promise.all(
	Array.from({length: 12}, async (_, index) =>
		probeUdp({...peer, port: 20 + index, timeoutMs: 1000}),
	),
);

const unresolvable = await resolveTarget('portui-test.invalid');

process.stdout.write(
	JSON.stringify({
		tcp,
		identified,
		spaced: spaced.results.map((result) => result.state),
		udpDoneAtMs: udpStarts,
		burst: burst.map((result) => result.state),
		unresolvable,
	}),
);
