import {Buffer} from 'node:buffer';
import {networkInterfaces} from 'node:os';
import test from 'ava';
import {
	dnsPayload,
	dnsVersionPayload,
	netbiosPayload,
	ntpPayload,
	payloadByName,
	payloadForPort,
	rpcPayload,
	snmpPayload,
	snmpV3Payload,
	type UdpPayload,
} from '../source/probe/payloads/index.js';
import {bufferOf, type Bytes} from '../source/probe/payloads/payload.js';
import {
	icmpRateLimitMs,
	probeUdp,
	udpSpacingMs,
	type UdpProbe,
	type UdpProbeOptions,
} from '../source/probe/udp.js';
import {openFdCount, waitFor} from './helpers/probe-servers.js';
import {
	ber,
	dnsReply,
	freeUdpPort,
	netbiosReply,
	ntpReply,
	rpcReply,
	snmpReply,
	startDnsResponder,
	startNtpResponder,
	startSilentResponder,
	startUdpResponder,
	type UdpResponder,
} from './helpers/udp-responders.js';
import {fuzzInputs} from './helpers/fuzz.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacters = /[\u0000-\u001F\u007F-\u009F]/v;

/** What a promise rejected with: ava's throwsAsync takes native errors only, not DOMException. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
	return promise.then(
		() => undefined,
		(error: unknown) => error,
	);
}

/** A probe of a loopback port (127.0.0.1 unless `address` says ::1) with 2 s to answer, ample on a busy machine. */
async function probeLoopback(
	port: number,
	options: Partial<Omit<UdpProbeOptions, 'port' | 'family'>> = {},
): Promise<UdpProbe> {
	const address = options.address ?? '127.0.0.1';
	return probeUdp({
		family: address.includes(':') ? 6 : 4,
		timeoutMs: 2000,
		...options,
		address,
		port,
	});
}

function request(payload: UdpPayload): Bytes {
	return bufferOf(payload.build());
}

// The fd test runs first and alone: other tests' sockets would blur its count.
test.serial(
	'10,000 probes of open, closed and silent ports leave the fd count where it started',
	async (t) => {
		const dns = await startDnsResponder();
		const silent = await startSilentResponder();
		t.teardown(async () => {
			await dns.close();
			await silent.close();
		});
		const closedPort = await freeUdpPort();
		const before = openFdCount();
		const total = 10_000;
		const concurrency = 200;
		const states = new Map<string, number>();
		let next = 0;
		const worker = async () => {
			while (next < total) {
				const index = next++;
				const kind =
					index % 100 === 0 ? 'silent' : index % 2 === 0 ? 'open' : 'closed';
				const port =
					kind === 'open'
						? dns.port
						: kind === 'silent'
							? silent.port
							: closedPort;
				// eslint-disable-next-line no-await-in-loop
				const result = await probeUdp({
					address: '127.0.0.1',
					family: 4,
					port,
					// A loop this busy answers late: only the silent port gets a short timeout.
					timeoutMs: kind === 'silent' ? 100 : 5000,
					payload: dnsPayload,
				});
				states.set(
					`${kind}:${result.state}`,
					(states.get(`${kind}:${result.state}`) ?? 0) + 1,
				);
			}
		};

		const started = performance.now();
		await Promise.all(Array.from({length: concurrency}, worker));
		t.log(
			`${total} probes in ${Math.round(performance.now() - started)} ms:`,
			Object.fromEntries(states),
		);
		t.is(states.get('open:open'), 4900);
		t.is(states.get('closed:closed'), 5000);
		t.is(states.get('silent:open|filtered'), 100);
		// Socket handles close on the next turn of the loop: wait for the count rather than sleep.
		await t.notThrowsAsync(
			waitFor(() => openFdCount() <= before, 5000, `${before} open fds`),
		);
	},
);

// Serial: a test running beside it could stall the loop, and a stalled sample is not shown.
test.serial(
	'a DNS responder on 127.0.0.1 is open and identified as DNS',
	async (t) => {
		const responder = await startDnsResponder();
		t.teardown(async () => responder.close());
		const result = await probeLoopback(responder.port, {payload: dnsPayload});
		t.like(result, {
			address: '127.0.0.1',
			family: 4,
			state: 'open',
			reason: 'reply',
			answered: 'DNS',
		});
		t.is(typeof result.rttMs, 'number');
		t.true(result.rttMs! >= 0 && result.rttMs! < 2000);
		// What went out is a DNS query for `. NS`.
		const query = responder.received[0]!;
		t.is(query.readUInt16BE(2), 0x01_00);
		t.deepEqual([...query.subarray(12)], [0, 0, 2, 0, 1]);
	},
);

test('a DNS responder on ::1 is open and identified, and a refusing server is still DNS', async (t) => {
	const responder = await startDnsResponder({address: '::1'});
	const refusing = await startDnsResponder({address: '::1', rcode: 5});
	t.teardown(async () => {
		await responder.close();
		await refusing.close();
	});
	const result = await probeLoopback(responder.port, {
		address: '::1',
		payload: payloadByName('dns'),
	});
	t.like(result, {address: '::1', family: 6, state: 'open', answered: 'DNS'});
	const refused = await probeLoopback(refusing.port, {
		address: '::1',
		payload: dnsPayload,
	});
	t.like(refused, {state: 'open', answered: 'DNS REFUSED'});
});

test('an NTP responder is open and identified with its version and stratum, on 127.0.0.1 and ::1', async (t) => {
	const v4 = await startNtpResponder({stratum: 3});
	const v6 = await startNtpResponder({address: '::1', stratum: 1});
	t.teardown(async () => {
		await v4.close();
		await v6.close();
	});
	const result = await probeLoopback(v4.port, {payload: ntpPayload});
	t.like(result, {state: 'open', reason: 'reply', answered: 'NTPv4 stratum 3'});
	const result6 = await probeLoopback(v6.port, {
		address: '::1',
		payload: ntpPayload,
	});
	t.like(result6, {family: 6, state: 'open', answered: 'NTPv4 stratum 1'});
	t.is(v4.received[0]![0], 0x23); // LI 0, VN 4, mode 3
});

test('SNMP, NetBIOS and portmapper responders are identified end to end', async (t) => {
	const snmp = await startUdpResponder({
		answer: (query) => snmpReply(query, {description: 'Linux gw 6.1.0 x86_64'}),
	});
	const netbios = await startUdpResponder({
		answer: (query) =>
			netbiosReply(query, [
				{name: 'FILESRV', suffix: 0x00},
				{name: 'WORKGROUP', suffix: 0x00, isGroup: true},
			]),
	});
	const rpc = await startUdpResponder({answer: (query) => rpcReply(query)});
	t.teardown(async () => {
		await Promise.all([snmp.close(), netbios.close(), rpc.close()]);
	});
	const probe = async (responder: UdpResponder, payload: UdpPayload) =>
		probeLoopback(responder.port, {payload});
	t.like(await probe(snmp, snmpPayload), {
		state: 'open',
		answered: 'SNMP v2c: Linux gw 6.1.0 x86_64',
	});
	t.like(await probe(netbios, netbiosPayload), {
		state: 'open',
		answered: 'NetBIOS FILESRV',
	});
	t.like(await probe(rpc, rpcPayload), {
		state: 'open',
		answered: 'ONC-RPC portmapper v2',
	});
});

test('well-known ports choose their payload; other ports get an empty datagram and any reply means open', async (t) => {
	t.is(payloadForPort(53), dnsVersionPayload);
	t.is(payloadForPort(111), rpcPayload);
	t.is(payloadForPort(123), ntpPayload);
	t.is(payloadForPort(137), netbiosPayload);
	t.is(payloadForPort(161), snmpV3Payload);
	t.is(payloadForPort(7), undefined);
	const echo = await startUdpResponder({answer: () => Buffer.from('hello')});
	t.teardown(async () => echo.close());
	const result = await probeLoopback(echo.port);
	t.like(result, {state: 'open', reason: 'reply', answered: 'reply (5 bytes)'});
	t.is(echo.received[0]!.length, 0);
});

test('a reply that is not the protocol asked for still means open, without a name', async (t) => {
	// An echo service hands the NTP request back: mode 3, not a server's mode 4.
	const echo = await startUdpResponder({answer: (query) => query});
	t.teardown(async () => echo.close());
	const result = await probeLoopback(echo.port, {payload: ntpPayload});
	t.like(result, {state: 'open', answered: 'reply (48 bytes)'});
});

test.serial(
	'a closed UDP port is closed by ICMP port unreachable, on 127.0.0.1 and ::1',
	async (t) => {
		const port4 = await freeUdpPort('127.0.0.1');
		const port6 = await freeUdpPort('::1');
		const result = await probeLoopback(port4);
		t.like(result, {
			state: 'closed',
			reason: 'icmp-unreachable',
			code: 'ECONNREFUSED',
		});
		t.is(typeof result.rttMs, 'number');
		const result6 = await probeLoopback(port6, {
			address: '::1',
			payload: dnsPayload,
		});
		t.like(result6, {
			family: 6,
			state: 'closed',
			reason: 'icmp-unreachable',
			code: 'ECONNREFUSED',
		});
	},
);

test('a silent UDP socket is open|filtered after the timeout, with one retransmit', async (t) => {
	const silent = await startSilentResponder();
	const silent6 = await startSilentResponder('::1');
	t.teardown(async () => {
		await silent.close();
		await silent6.close();
	});
	const started = performance.now();
	const result = await probeLoopback(silent.port, {
		timeoutMs: 300,
		payload: dnsPayload,
	});
	t.true(performance.now() - started >= 290);
	t.deepEqual(result, {
		address: '127.0.0.1',
		family: 4,
		state: 'open|filtered',
		reason: 'no-reply',
	});
	t.is(silent.received.length, 2);
	t.deepEqual(silent.received[0], silent.received[1]);
	const result6 = await probeLoopback(silent6.port, {
		address: '::1',
		timeoutMs: 200,
		retransmit: false,
	});
	t.like(result6, {state: 'open|filtered', reason: 'no-reply'});
	t.is(silent6.received.length, 1);
});

test('the retransmit finds a service whose first datagram was lost', async (t) => {
	const lossy = await startUdpResponder({
		answer: (query, index) => (index % 2 === 1 ? dnsReply(query) : undefined),
	});
	t.teardown(async () => lossy.close());
	const probe = async (retransmit: boolean) =>
		probeLoopback(lossy.port, {
			timeoutMs: 400,
			payload: dnsPayload,
			retransmit,
		});
	t.like(await probe(true), {state: 'open', answered: 'DNS'});
	t.like(await probe(false), {state: 'open|filtered'});
});

test('a socket the kernel gives the target port is not taken for an open port', async (t) => {
	// Binding the probe's first socket to the free target port reproduces what the kernel does about
	// once in 10,000 loopback probes: the socket is connected to itself and hears its own datagram.
	const port = await freeUdpPort();
	const result = await probeLoopback(port, {localPort: port});
	t.like(result, {state: 'closed', reason: 'icmp-unreachable'});
	const port6 = await freeUdpPort('::1');
	const result6 = await probeLoopback(port6, {
		address: '::1',
		localPort: port6,
	});
	t.like(result6, {state: 'closed'});
});

test('an address the kernel will not send to is unreachable with its code', async (t) => {
	// Connecting to the broadcast address without SO_BROADCAST fails in connect(): nothing is sent.
	const result = await probeUdp({
		address: '255.255.255.255',
		family: 4,
		port: 9,
		timeoutMs: 2000,
	});
	t.like(result, {state: 'unreachable', reason: 'EACCES', code: 'EACCES'});
});

test('aborting mid-probe settles at once and closes the socket', async (t) => {
	const silent = await startSilentResponder();
	t.teardown(async () => silent.close());
	const before = openFdCount();
	const controller = new AbortController();
	const started = performance.now();
	const probe = probeLoopback(silent.port, {
		timeoutMs: 10_000,
		signal: controller.signal,
	});
	await t.notThrowsAsync(
		waitFor(() => silent.received.length === 1, 5000, 'the request'),
	);
	controller.abort();
	const error = await rejection(probe);
	t.is((error as DOMException).name, 'AbortError');
	t.true(performance.now() - started < 5000);
	await t.notThrowsAsync(
		waitFor(() => openFdCount() <= before, 5000, `${before} open fds`),
	);
	// The retransmit timer was cleared with the rest.
	await new Promise((resolve) => {
		setTimeout(resolve, 50);
	});
	t.is(silent.received.length, 1);
});

test('an abort reason is passed on, and an aborted signal sends nothing', async (t) => {
	const silent = await startSilentResponder();
	t.teardown(async () => silent.close());
	const controller = new AbortController();
	const probe = probeLoopback(silent.port, {
		timeoutMs: 10_000,
		signal: controller.signal,
	});
	const reason = new Error('sweep stopped');
	controller.abort(reason);
	const error = await rejection(probe);
	t.is(error, reason);
	const early = await rejection(
		probeUdp({
			address: '127.0.0.1',
			family: 4,
			port: silent.port,
			signal: AbortSignal.abort(),
		}),
	);
	t.is((early as DOMException).name, 'AbortError');
	t.is(silent.received.length, 0);
});

test('bad options are a TypeError, not a probe', async (t) => {
	await t.throwsAsync(probeUdp({address: '::1', family: 4, port: 53}), {
		instanceOf: TypeError,
	});
	await t.throwsAsync(probeUdp({address: 'localhost', family: 4, port: 53}), {
		instanceOf: TypeError,
	});
	await t.throwsAsync(probeUdp({address: '127.0.0.1', family: 4, port: 0}), {
		instanceOf: TypeError,
	});
	await t.throwsAsync(
		probeUdp({address: '127.0.0.1', family: 4, port: 65_536}),
		{instanceOf: TypeError},
	);
	await t.throwsAsync(
		probeUdp({address: '127.0.0.1', family: 4, port: 53, timeoutMs: 0}),
		{instanceOf: TypeError},
	);
});

test('UDP probes to another host are spaced by the ICMP rate limit; loopback and own addresses are not', (t) => {
	t.is(udpSpacingMs('127.0.0.1'), 0);
	t.is(udpSpacingMs('127.3.2.1'), 0);
	t.is(udpSpacingMs('::1'), 0);
	t.is(udpSpacingMs('::ffff:127.0.0.1'), 0);
	t.is(udpSpacingMs('198.51.100.7'), icmpRateLimitMs);
	t.is(udpSpacingMs('2001:db8::7'), icmpRateLimitMs);
	const own = Object.values(networkInterfaces())
		.flat()
		.map((entry) => entry?.address ?? '');
	t.true(own.length > 0);
	t.deepEqual(
		own.filter((address) => udpSpacingMs(address) !== 0),
		[],
	);
});

// The requests, checked byte by byte against the RFCs.

test('the DNS request is `. IN NS` with a random id (RFC 1035 §4.1)', (t) => {
	const query = request(dnsPayload);
	t.is(query.length, 17);
	t.deepEqual(
		[...query.subarray(2)],
		[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1],
	);
	const ids = new Set(
		Array.from({length: 8}, () => request(dnsPayload).readUInt16BE(0)),
	);
	t.true(ids.size > 1);
});

test('the NTP request is a v4 client packet with a random transmit timestamp (RFC 5905 §7.3)', (t) => {
	const packet = request(ntpPayload);
	t.is(packet.length, 48);
	t.is(packet[0], 0x23);
	t.true(packet.subarray(1, 40).every((byte) => byte === 0));
	t.notDeepEqual(packet.subarray(40), request(ntpPayload).subarray(40));
});

test('the SNMP request is a v2c GetRequest of sysDescr.0 with community public (RFC 3416)', (t) => {
	const packet = request(snmpPayload);
	// Assembled by hand: SEQUENCE {INTEGER 1, OCTET STRING "public", GetRequest {id, 0, 0, {{sysDescr.0, NULL}}}}.
	const idLength = packet[16]!;
	const id = packet.subarray(17, 17 + idLength);
	const pdu = [
		0x02,
		idLength,
		...id,
		0x02,
		0x01,
		0x00,
		0x02,
		0x01,
		0x00,
		0x30,
		0x0e,
		0x30,
		0x0c,
		0x06,
		0x08,
		0x2b,
		6,
		1,
		2,
		1,
		1,
		1,
		0,
		0x05,
		0x00,
	];
	const body = [
		0x02,
		0x01,
		0x01,
		0x04,
		0x06,
		...Buffer.from('public'),
		0xa0,
		pdu.length,
		...pdu,
	];
	t.deepEqual([...packet], [0x30, body.length, ...body]);
	t.true(id.readIntBE(0, idLength) > 0);
});

test('the NetBIOS request is a node status query for `*` (RFC 1002 §4.2.17)', (t) => {
	const packet = request(netbiosPayload);
	t.is(packet.length, 50);
	t.deepEqual([...packet.subarray(2, 12)], [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
	t.is(packet[12], 32);
	t.is(packet.toString('ascii', 13, 45), `CK${'A'.repeat(30)}`);
	t.deepEqual([...packet.subarray(45)], [0, 0, 0x21, 0, 1]);
});

test('the RPC request calls the portmapper v2 NULL procedure with AUTH_NONE (RFC 5531 §9, RFC 1833)', (t) => {
	const packet = request(rpcPayload);
	const words = Array.from({length: packet.length / 4}, (_, index) =>
		packet.readUInt32BE(index * 4),
	);
	t.deepEqual(words.slice(1), [0, 2, 100_000, 2, 0, 0, 0, 0, 0]);
});

// The parsers, on replies built per the RFCs.

test('DNS replies: an answer, an error code, a foreign id and a query are told apart', (t) => {
	const query = request(dnsPayload);
	t.is(dnsPayload.parse(dnsReply(query)!, query), 'DNS');
	t.is(dnsPayload.parse(dnsReply(query, {rcode: 2})!, query), 'DNS SERVFAIL');
	t.is(dnsPayload.parse(dnsReply(query, {rcode: 9})!, query), 'DNS rcode 9');
	t.is(
		dnsPayload.parse(
			dnsReply(query, {id: (query.readUInt16BE(0) + 1) % 0x1_00_00})!,
			query,
		),
		undefined,
	);
	t.is(dnsPayload.parse(query, query), undefined);
	t.is(dnsPayload.parse(dnsReply(query)!.subarray(0, 11), query), undefined);
});

test('NTP replies: version, stratum, kiss codes, unsynchronised servers and a foreign origin', (t) => {
	const packet = request(ntpPayload);
	t.is(
		ntpPayload.parse(ntpReply(packet, {stratum: 2})!, packet),
		'NTPv4 stratum 2',
	);
	t.is(
		ntpPayload.parse(ntpReply(packet, {version: 3, stratum: 4})!, packet),
		'NTPv3 stratum 4',
	);
	t.is(
		ntpPayload.parse(ntpReply(packet, {stratum: 0, kissCode: 'RATE'})!, packet),
		'NTPv4 kiss code RATE',
	);
	t.is(
		ntpPayload.parse(
			ntpReply(packet, {stratum: 0, kissCode: '\u001B[2J'})!,
			packet,
		),
		"NTPv4 kiss-o'-death",
	);
	t.is(
		ntpPayload.parse(ntpReply(packet, {stratum: 16, leap: 3})!, packet),
		'NTPv4 unsynchronised',
	);
	t.is(
		ntpPayload.parse(ntpReply(packet, {origin: Buffer.alloc(8)})!, packet),
		undefined,
	);
	t.is(ntpPayload.parse(ntpReply(packet)!.subarray(0, 47), packet), undefined);
});

test('SNMP replies: version, sanitised and capped sysDescr, long-form lengths, foreign ids', (t) => {
	const packet = request(snmpPayload);
	t.is(
		snmpPayload.parse(
			snmpReply(packet, {description: 'Cisco IOS 15.2'})!,
			packet,
		),
		'SNMP v2c: Cisco IOS 15.2',
	);
	t.is(
		snmpPayload.parse(
			snmpReply(packet, {version: 0, description: 'printer'})!,
			packet,
		),
		'SNMP v1: printer',
	);
	t.is(snmpPayload.parse(snmpReply(packet)!, packet), 'SNMP v2c');
	const hostile = snmpPayload.parse(
		snmpReply(packet, {
			description: '\u001B]0;owned\u0007\u001B[2JLinux\r\nbox',
		})!,
		packet,
	)!;
	t.notRegex(hostile, controlCharacters);
	t.true(hostile.startsWith('SNMP v2c: ') && hostile.includes('Linux'));
	// 300 bytes of description need a two-byte BER length; the text is capped.
	const long = snmpPayload.parse(
		snmpReply(packet, {description: 'x'.repeat(300)})!,
		packet,
	)!;
	t.true(
		long.startsWith('SNMP v2c: xxx') && long.length <= 'SNMP v2c: '.length + 60,
	);
	t.is(
		snmpPayload.parse(snmpReply(packet, {requestId: 7})!, packet),
		undefined,
	);
	t.is(
		snmpPayload.parse(snmpReply(packet, {pduTag: 0xa0})!, packet),
		undefined,
	);
	t.is(snmpPayload.parse(packet, packet), undefined);
	// Indefinite length (0x80) is not BER that SNMP allows.
	t.is(
		snmpPayload.parse(
			Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0, 0]),
			packet,
		),
		undefined,
	);
	t.is(
		snmpPayload.parse(ber(0x30, ber(0x02, Buffer.from([1]))), packet),
		undefined,
	);
});

test('NetBIOS replies: the unique <00> name is the computer name, sanitised; groups and errors are not', (t) => {
	const packet = request(netbiosPayload);
	const names = [
		{name: 'WORKGROUP', suffix: 0x00, isGroup: true},
		{name: 'HOST-7', suffix: 0x20},
		{name: 'HOST-7', suffix: 0x00},
	];
	t.is(
		netbiosPayload.parse(netbiosReply(packet, names)!, packet),
		'NetBIOS HOST-7',
	);
	t.is(
		netbiosPayload.parse(
			netbiosReply(packet, names, {isCompressed: true})!,
			packet,
		),
		'NetBIOS HOST-7',
	);
	t.is(
		netbiosPayload.parse(netbiosReply(packet, [names[0]!])!, packet),
		'NetBIOS',
	);
	t.is(netbiosPayload.parse(netbiosReply(packet, [])!, packet), 'NetBIOS');
	const hostile = netbiosPayload.parse(
		netbiosReply(packet, [{name: '\u001B]52;c;AAAA\u0007', suffix: 0}])!,
		packet,
	)!;
	t.notRegex(hostile, controlCharacters);
	t.true(hostile.startsWith('NetBIOS'));
	t.is(
		netbiosPayload.parse(netbiosReply(packet, names, {rcode: 3})!, packet),
		undefined,
	);
	t.is(
		netbiosPayload.parse(
			netbiosReply(packet, names, {
				id: (packet.readUInt16BE(0) + 1) % 0x1_00_00,
			})!,
			packet,
		),
		undefined,
	);
	t.is(netbiosPayload.parse(packet, packet), undefined);
	// Cut inside the name table: what is whole is read, the rest ignored.
	t.is(
		netbiosPayload.parse(netbiosReply(packet, names)!.subarray(0, 60), packet),
		'NetBIOS',
	);
});

test('RPC replies: accepted, version mismatch, unavailable program, denied, a verifier to skip, foreign xid', (t) => {
	const packet = request(rpcPayload);
	t.is(rpcPayload.parse(rpcReply(packet)!, packet), 'ONC-RPC portmapper v2');
	t.is(
		rpcPayload.parse(
			rpcReply(packet, {verifier: Buffer.from('abcde')})!,
			packet,
		),
		'ONC-RPC portmapper v2',
	);
	t.is(
		rpcPayload.parse(
			rpcReply(packet, {acceptStat: 2, mismatch: [3, 4]})!,
			packet,
		),
		'ONC-RPC portmapper v3-v4',
	);
	t.is(
		rpcPayload.parse(rpcReply(packet, {acceptStat: 1})!, packet),
		'ONC-RPC (no portmapper)',
	);
	t.is(rpcPayload.parse(rpcReply(packet, {acceptStat: 3})!, packet), 'ONC-RPC');
	t.is(
		rpcPayload.parse(rpcReply(packet, {replyStat: 1})!, packet),
		'ONC-RPC (call denied)',
	);
	t.is(
		rpcPayload.parse(
			rpcReply(packet, {xid: (packet.readUInt32BE(0) + 1) % 2 ** 32})!,
			packet,
		),
		undefined,
	);
	t.is(rpcPayload.parse(packet, packet), undefined);
});

test('parsers never throw and never pass a control character, whatever the bytes', (t) => {
	const cases: Array<[UdpPayload, (request: Bytes) => Bytes | undefined]> = [
		[dnsPayload, (query) => dnsReply(query)],
		[ntpPayload, (query) => ntpReply(query)],
		[
			snmpPayload,
			(query) => snmpReply(query, {description: 'Linux \u001B[31mred'}),
		],
		[
			netbiosPayload,
			(query) => netbiosReply(query, [{name: 'A\u0007B', suffix: 0}]),
		],
		[rpcPayload, (query) => rpcReply(query, {acceptStat: 2})],
	];
	let parsed = 0;
	const unsafe: string[] = [];
	for (const [payload, reply] of cases) {
		const sent = request(payload);
		const valid = reply(sent)!;
		// Random bytes, random bytes behind the right id, and every truncation and single-byte flip of a valid reply.
		const inputs = fuzzInputs(valid, {
			prefix: sent.subarray(0, 4),
			count: 2000,
			maxLength: 120,
		});

		for (const input of inputs) {
			const result = payload.parse(input, sent);
			parsed += result === undefined ? 0 : 1;
			if (result !== undefined && controlCharacters.test(result)) {
				unsafe.push(`${payload.name}: ${JSON.stringify(result)}`);
			}
		}
	}

	t.deepEqual(unsafe, []);

	// The flips and truncations keep many replies valid; a parser that always said undefined would fail here.
	t.true(parsed > 100);
});
