import process from 'node:process';
import test from 'ava';
import {runChild} from './helpers/child.js';
import {canUseNetworkNamespaces} from './helpers/probe-servers.js';

/*
 * What loopback cannot show (a remote peer, a dropped SYN on the wire, unreachable and
 * prohibited routes, a failing resolver, the ICMP rate limit) shown in network namespaces
 * this test makes and tears down: namespace A runs the probes, namespace B is the peer,
 * joined by a veth pair. No packet can leave them. Needs root; skipped otherwise.
 */
const openPort = 2222;
const peerListener = String.raw`require('node:net').createServer(s => { s.on('error', () => {}); s.end('SSH-2.0-peer\r\n'); }).listen(${openPort}, '10.99.0.2')`;
const setup = String.raw`
set -e
ip link set lo up
ip link add v0 type veth peer name v1
unshare -n sleep 120 &
PEER=$!
trap 'kill $PEER $LISTENER 2>/dev/null' EXIT
for i in $(seq 100); do
	[ "$(readlink /proc/$PEER/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.05
done
ip link set v1 netns $PEER
nsenter -t $PEER -n sh -c 'ip link set lo up && ip addr add 10.99.0.2/24 dev v1 && ip link set v1 up'
ip addr add 10.99.0.1/24 dev v0
ip link set v0 up
ip neigh add 10.99.0.3 lladdr 02:00:00:00:00:03 dev v0 nud permanent
ip route add unreachable 10.98.0.0/24
ip route add prohibit 10.97.0.0/24
nsenter -t $PEER -n "$NODE" -e "$LISTENER_SCRIPT" &
LISTENER=$!
"$NODE" --import=tsx test/helpers/probe-netns-child.ts ${openPort}
`;

const netnsTest = canUseNetworkNamespaces() ? test : test.skip;

netnsTest(
	'in network namespaces: remote open/closed, dropped SYN, unreachable codes, UDP spacing, no resolver',
	async (t) => {
		const {status, stdout, stderr} = await runChild(
			'unshare',
			['-n', 'sh', '-c', setup],
			{
				env: {
					...process.env,
					NODE: process.execPath,
					LISTENER_SCRIPT: peerListener,
				},
			},
		);
		t.is(status, 0, `child failed: ${stderr}`);
		const report = JSON.parse(stdout) as {
			tcp: Record<
				string,
				{state: string; reason: string; code?: string; rttMs?: number}
			>;
			identified: {kind: string; answered?: string};
			spaced: string[];
			udpDoneAtMs: number[];
			burst: string[];
			unresolvable: {isResolved: boolean; error?: string};
		};

		t.like(report.tcp.open, {state: 'open', reason: 'connected'});
		t.like(report.tcp.closed, {state: 'closed', reason: 'refused'});
		t.like(report.tcp.filtered, {state: 'filtered', reason: 'timeout'});
		t.is(report.tcp.filtered!.rttMs, undefined);
		t.like(report.tcp.hostUnreachable, {
			state: 'unreachable',
			code: 'EHOSTUNREACH',
		});
		t.like(report.tcp.prohibited, {
			state: 'filtered',
			reason: 'admin-prohibited',
			code: 'EACCES',
		});
		t.like(report.tcp.noRoute, {state: 'unreachable', code: 'ENETUNREACH'});
		t.like(report.identified, {kind: 'SSH', answered: 'SSH-2.0-peer'});

		// Twelve closed ports in one sweep: more than the peer's ICMP burst, so the sweep must
		// notice its rate limit and probe the silent ones again at its pace.
		t.deepEqual(
			report.spaced,
			Array.from({length: 12}, () => 'closed'),
		);
		t.log(
			`UDP answers at ${report.udpDoneAtMs.map((ms) => Math.round(ms)).join(', ')} ms`,
		);

		t.false(report.unresolvable.isResolved);
		t.log(`unresolvable: ${report.unresolvable.error!}`);
		t.log(
			`12 unspaced UDP probes to one closed peer: ${report.burst.filter((state) => state === 'closed').length} closed, ${report.burst.filter((state) => state === 'open|filtered').length} open|filtered`,
		);
	},
);
