import {Buffer} from 'node:buffer';
import {randomBytes, randomInt} from 'node:crypto';
import test from 'ava';
import type {Bytes} from '../source/probe/payloads/payload.js';
import {
	engineVendor,
	secondLookForPort,
	snmpPublicPayload,
	snmpV3Payload,
} from '../source/probe/payloads/index.js';
import {probeUdpService} from '../source/probe/udp-looks.js';
import {ber, berInteger, berString} from './helpers/tcp-replies.js';
import {snmpReply, startUdpResponder} from './helpers/udp-responders.js';

/** Steps into a BER element: the offset of its contents and their end. */
function contents(bytes: Bytes, offset: number): {start: number; end: number} {
	const first = bytes[offset + 1]!;
	const count = first >= 0x80 ? first - 0x80 : 0;
	const length = count === 0 ? first : bytes.readUIntBE(offset + 2, count);
	const start = offset + 2 + count;
	return {start, end: start + length};
}

/** The msgID of an SNMPv3 message: SEQUENCE {msgVersion, SEQUENCE {msgID, ...}, ...} (RFC 3412 §6). */
function messageId(request: Bytes): number {
	const message = contents(request, 0);
	const header = contents(request, contents(request, message.start).end);
	const id = contents(request, header.start);
	return request.readUIntBE(id.start, id.end - id.start);
}

const netSnmpEngine = Buffer.from('80001f8880a1b2c3d4e5f60718', 'hex');

/** A Report PDU carrying usmStatsUnknownEngineIDs, as an agent answers discovery (RFC 3414 §4). */
function report(request: Bytes, engineId: Bytes = netSnmpEngine): Bytes {
	const id = messageId(request);
	const idBytes = Buffer.alloc(4);
	idBytes.writeUInt32BE(id);
	const usm = ber(
		0x30,
		berString(engineId),
		berInteger(3),
		berInteger(100),
		berString(''),
		berString(''),
		berString(''),
	);
	// 1.3.6.1.6.3.15.1.1.4.0, a Counter32 (APPLICATION 1) of 1.
	const varbind = ber(
		0x30,
		ber(0x06, Buffer.from([0x2b, 6, 1, 6, 3, 15, 1, 1, 4, 0])),
		ber(0x41, Buffer.from([1])),
	);
	const pdu = ber(
		0xa8,
		ber(0x02, idBytes),
		berInteger(0),
		berInteger(0),
		ber(0x30, varbind),
	);
	return ber(
		0x30,
		berInteger(3),
		ber(
			0x30,
			ber(0x02, idBytes),
			ber(0x02, Buffer.from([0x05, 0xdc])),
			berString(Buffer.from([0])),
			berInteger(3),
		),
		berString(usm),
		ber(0x30, berString(engineId), berString(''), pdu),
	);
}

const isV3 = (request: Bytes) =>
	request.includes(Buffer.from([0x02, 0x01, 0x03]));

test('the discovery request is v3, noAuthNoPriv and reportable, with an empty user and engine id (RFC 3414 §4)', (t) => {
	const request = Buffer.from(snmpV3Payload.build());
	t.is(request[0], 0x30);
	t.true(isV3(request));
	// MsgFlags: one octet, reportable only.
	t.true(request.includes(Buffer.from([0x04, 0x01, 0x04])));
	// The USM parameters: six empty or zero fields.
	t.true(
		request.includes(
			Buffer.from([
				0x30, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x04, 0x00,
				0x04, 0x00, 0x04, 0x00,
			]),
		),
	);
	t.not(messageId(request), messageId(Buffer.from(snmpV3Payload.build())));
});

test('a Report names the engine vendor from its enterprise number (RFC 3411)', (t) => {
	const request = Buffer.from(snmpV3Payload.build());
	t.is(
		snmpV3Payload.parse(report(request), request),
		'SNMP v3, engine net-snmp',
	);
	t.is(
		snmpV3Payload.parse(
			report(request, Buffer.from('800000090300aabbccddeeff', 'hex')),
			request,
		),
		'SNMP v3, engine Cisco',
	);
	t.is(
		snmpV3Payload.parse(
			report(request, Buffer.from('80012345040a', 'hex')),
			request,
		),
		'SNMP v3, engine enterprise 74565',
	);
	// Another message's report answers someone else.
	const other = Buffer.from(snmpV3Payload.build());
	t.is(snmpV3Payload.parse(report(other), request), undefined);
	t.is(engineVendor(Buffer.from([0x80, 0, 0x1f])), undefined);
});

test('the v3 parser never throws and never passes a control character', (t) => {
	const request = Buffer.from(snmpV3Payload.build());
	const valid = report(request, Buffer.from('\u001B]0;x\u0007', 'latin1'));
	let parsed = 0;
	for (let index = 0; index < 3000; index++) {
		const input =
			index % 3 === 0
				? randomBytes(randomInt(0, 200))
				: index % 3 === 1
					? valid.subarray(0, randomInt(0, valid.length + 1))
					: Buffer.from(valid).fill(
							randomInt(0, 256),
							randomInt(0, valid.length),
							randomInt(0, valid.length) + 1,
						);
		const result = snmpV3Payload.parse(input, request);
		parsed += result === undefined ? 0 : 1;
		// eslint-disable-next-line no-control-regex -- finding control characters is the point
		t.notRegex(result ?? '', /[\u0000-\u001F\u007F-\u009F]/v);
	}

	t.true(parsed > 10);
});

test.serial(
	"161/udp: v3 discovery and v2c 'public' go out together; a hardened agent answers v3 only",
	async (t) => {
		t.is(secondLookForPort(161), snmpPublicPayload);
		const agent = await startUdpResponder({
			address: '127.0.11.20',
			port: 161,
			answer: (request) => (isV3(request) ? report(request) : undefined),
		});
		t.teardown(async () => agent.close());
		const started = performance.now();
		const result = await probeUdpService({
			address: '127.0.11.20',
			family: 4,
			port: 161,
			timeoutMs: 5000,
		});
		t.like(result, {state: 'open', answered: 'SNMP v3, engine net-snmp'});
		// The silent community costs a short grace after the v3 answer, not the 5 s timeout.
		t.true(performance.now() - started < 2500);
		t.true(agent.received.length >= 2);
	},
);

test.serial(
	"161/udp: an agent that still answers 'public' is told, with its sysDescr",
	async (t) => {
		const agent = await startUdpResponder({
			address: '127.0.11.21',
			port: 161,
			answer: (request) =>
				isV3(request)
					? report(request)
					: snmpReply(request, {description: 'Linux gw 6.1'}),
		});
		t.teardown(async () => agent.close());
		const result = await probeUdpService({
			address: '127.0.11.21',
			family: 4,
			port: 161,
		});
		t.like(result, {
			state: 'open',
			answered:
				"SNMP v3, engine net-snmp; v2c 'public' answers! (Linux gw 6.1)",
		});
	},
);

test.serial(
	"161/udp: a v2c-only agent that answers 'public' is open, without waiting out the silent v3 request",
	async (t) => {
		const agent = await startUdpResponder({
			address: '127.0.11.22',
			port: 161,
			answer: (request) => (isV3(request) ? undefined : snmpReply(request)),
		});
		t.teardown(async () => agent.close());
		const started = performance.now();
		const result = await probeUdpService({
			address: '127.0.11.22',
			family: 4,
			port: 161,
			timeoutMs: 5000,
		});
		t.like(result, {state: 'open', answered: "SNMP v2c 'public' answers!"});
		t.true(performance.now() - started < 2500);
	},
);
