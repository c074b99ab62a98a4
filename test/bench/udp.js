/*
UDP 53, 123 and 161 on 127.0.0.1 against `nmap -sU -Pn -n -p53,123,161 127.0.0.1`.

Run from the repository root (the TypeScript source is loaded through tsx):

	node --import tsx test/bench/udp.js [--runs 9] [--quick]

Responders bound by this script on 127.0.0.1:53, :123 and :161 (which needs root, as nmap -sU
does; portui's probe itself does not) answer with the reply builders of
test/helpers/udp-responders.ts, written from the RFCs: a DNS answer, an NTPv4 server reply, an
SNMP response. nmap sends several payloads per port (for 53 a status query without a question
and a version.bind query, for 161 an SNMPv3 discovery and a v1 GetRequest); the responders answer
every one that their builder understands and stay silent on the rest, so both tools get a real
answer from each port. A port that is already bound, or binding without root, gives a
"skipped: why" row instead: the bench does not pick other ports, because nmap would then send
its empty-datagram default and the comparison would be another one.

Rows, each tool timed in the same run, interleaved round by round; medians of --runs (at least
3) after 2 warm-ups; both tools must agree on each port's state:
- warm in-process `sweep()` of the three UDP pairs (as the dashboard and `portui watch` run it)
  against nmap's whole run. Goal (issue 6): no slower than nmap.
- one-shot `portui probe 127.0.0.1 53,123,161 --proto udp` (the built binary, spawn to exit)
  against the same nmap run: a reference row (issue 6 sets no goal for it).
- the same three ports with the responders closed (ICMP port unreachable, which loopback does
  not rate-limit): warm sweep against nmap. Goal: no slower.
*/
import {createSocket} from 'node:dgram';
import {execFile} from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import {promisify} from 'node:util';
import {
	ensureBuilt,
	findNmap,
	isQuick,
	isRoot,
	median,
	report,
	root,
	runCount,
} from './lib/common.js';

/* eslint-disable n/file-extension-in-import -- tsx loads the TypeScript source */
const {sweep} = await import('../../source/probe/index.ts');
const {dnsReply, ntpReply, snmpReply} =
	await import('../helpers/udp-responders.ts');
/* eslint-enable n/file-extension-in-import */

// As in sweep.js: tsx turns source maps on, the shipped bundle runs without them.
process.setSourceMapsEnabled(false);

const execFileAsync = promisify(execFile);
const host = '127.0.0.1';
const runs = runCount({fallback: 9, quickFallback: 5, least: 3});
const warmups = 2;
const anchorName = 'nmap -sU -Pn -n';
const services = [
	{port: 53, build: dnsReply},
	{port: 123, build: ntpReply},
	{port: 161, build: snmpReply},
];
const portList = services.map((service) => service.port).join(',');

/** A builder that cannot parse the request (it was written for portui's requests) stays silent. */
function answerOf(build, request) {
	try {
		return build(request);
	} catch {
		return undefined;
	}
}

async function bindResponder({port, build}) {
	const socket = createSocket('udp4');
	socket.on('message', (message, remote) => {
		const reply = answerOf(build, message);
		if (reply) {
			socket.send(reply, remote.port, remote.address);
		}
	});
	await new Promise((resolve, reject) => {
		socket.once('error', reject);
		socket.bind({port, address: host, exclusive: true}, () => {
			socket.off('error', reject);
			resolve();
		});
	});
	return socket;
}

async function closeAll(sockets) {
	await Promise.all(
		sockets.map(
			async (socket) =>
				new Promise((resolve) => {
					socket.close(resolve);
				}),
		),
	);
}

/** The three responders, or the reason they cannot all be bound. */
async function startResponders() {
	const sockets = [];
	for (const service of services) {
		try {
			// eslint-disable-next-line no-await-in-loop -- one at a time, closed again on failure
			sockets.push(await bindResponder(service));
		} catch (error) {
			// eslint-disable-next-line no-await-in-loop
			await closeAll(sockets);
			const why =
				error.code === 'EADDRINUSE'
					? 'taken by another process'
					: error.code === 'EACCES'
						? 'permission denied (ports below 1024 need root)'
						: error.message;
			return {reason: `cannot bind udp ${host}:${service.port}: ${why}`};
		}
	}

	return {sockets};
}

const statesOf = (entries) =>
	entries
		.toSorted((a, b) => a[0] - b[0])
		.map(([port, state]) => `${port}:${state}`)
		.join(' ');

const tools = {
	async warm() {
		const snapshot = await sweep({
			host,
			pairs: services.map(({port}) => ({port, protocol: 'udp'})),
		});
		return {
			states: statesOf(
				snapshot.results.map((result) => [result.port, result.state]),
			),
			answered: snapshot.results.map((result) => result.answered ?? '-'),
		};
	},
	async oneshot() {
		const {stdout} = await execFileAsync(
			process.execPath,
			[
				path.join(root, 'bin', 'portui.js'),
				'probe',
				host,
				portList,
				'--proto',
				'udp',
			],
			{cwd: root},
		);
		const entries = [
			...stdout.matchAll(/^\s*(\d+)\s+udp\s+\S+\s+(\S+)\s/gmv),
		].map((match) => [Number(match[1]), match[2]]);
		return {states: statesOf(entries)};
	},
	async nmap() {
		const {stdout} = await execFileAsync('nmap', [
			'-sU',
			'-Pn',
			'-n',
			`-p${portList}`,
			host,
		]);
		const entries = [...stdout.matchAll(/^(\d+)\/udp\s+(\S+)\s/gmv)].map(
			(match) => [Number(match[1]), match[2]],
		);
		return {states: statesOf(entries)};
	},
};

async function timed(task) {
	const start = performance.now();
	const value = await task();
	return {ms: performance.now() - start, value};
}

/** Medians of `portui` and nmap, interleaved; whether every round's states agreed. */
async function measure(portui) {
	const times = {portui: [], nmap: []};
	let isAgreed = true;
	let last;
	for (let round = 0; round < warmups + runs; round++) {
		/* eslint-disable no-await-in-loop -- one at a time is the method */
		const mine = await timed(portui);
		const theirs = await timed(tools.nmap);
		/* eslint-enable no-await-in-loop */
		isAgreed &&= mine.value.states === theirs.value.states;
		last = {portui: mine.value, nmap: theirs.value};
		if (round >= warmups) {
			times.portui.push(mine.ms);
			times.nmap.push(theirs.ms);
		}
	}

	return {
		portui: median(times.portui),
		anchor: median(times.nmap),
		isAgreed,
		last,
	};
}

function row(name, result, goal) {
	const agreement = result.isAgreed
		? `both ${result.last.portui.states}`
		: `TOOLS DISAGREE: portui ${result.last.portui.states}, nmap ${result.last.nmap.states}`;
	return {
		name: `${name} (${agreement})`,
		portui: result.portui,
		anchor: result.anchor,
		anchorName,
		goal: goal ?? 'reference',
		ok: goal ? result.portui <= result.anchor && result.isAgreed : undefined,
		agree: result.isAgreed,
		...(result.last.portui.answered && {
			answered: result.last.portui.answered,
		}),
		runs,
	};
}

const names = {
	warm: `warm sweep udp ${host} ${portList}, responders`,
	oneshot: `one-shot probe udp ${host} ${portList}, responders`,
	closed: `warm sweep udp ${host} ${portList}, closed`,
};
const rows = [];
const nmap = findNmap();
const buildFailure = ensureBuilt();
const responders =
	isRoot() && nmap.isAvailable && !buildFailure ? await startResponders() : {};
const reason = isRoot()
	? (buildFailure ?? (nmap.isAvailable ? responders.reason : nmap.reason))
	: 'nmap -sU needs root (portui does not), and so does binding 53, 123 and 161';
if (reason) {
	for (const name of Object.values(names)) {
		rows.push({name, skipped: reason});
	}
} else {
	try {
		const warm = await measure(tools.warm);
		rows.push(row(names.warm, warm, '<= 1x nmap -sU'));
		const oneshot = await measure(tools.oneshot);
		rows.push(row(names.oneshot, oneshot));
	} finally {
		await closeAll(responders.sockets);
	}

	const closed = await measure(tools.warm);
	rows.push(row(names.closed, closed, '<= 1x nmap -sU'));
}

report(
	'udp',
	`UDP probe vs ${anchorName}: medians of ${runs} runs after ${warmups} warm-ups${isQuick ? ' (quick)' : ''}`,
	rows,
);
