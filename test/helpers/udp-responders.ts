/* eslint-disable no-bitwise -- wire formats are bit fields */
/**
 * Loopback UDP servers for tests and benchmarks, and replies built per the RFCs, written here
 * independently of source/probe/payloads so a test does not check the parsers against themselves.
 */
import {Buffer} from 'node:buffer';
import {createSocket, type Socket} from 'node:dgram';
import type {Bytes} from '../../source/probe/payloads/payload.js';

export type Family = 4 | 6;

export type UdpResponder = {
	readonly address: string;
	readonly family: Family;
	readonly port: number;
	/** Datagrams received so far, in order. */
	readonly received: readonly Bytes[];
	close(): Promise<void>;
};

/** Answers each datagram with what `answer` returns; undefined means stay silent. */
export type Answer = (request: Bytes, index: number) => Uint8Array | undefined;

export async function startUdpResponder(options: {
	readonly address?: string;
	/** Default 0: a free port the kernel picks. */
	readonly port?: number;
	readonly answer: Answer;
}): Promise<UdpResponder> {
	const address = options.address ?? '127.0.0.1';
	const family: Family = address.includes(':') ? 6 : 4;
	const socket: Socket = createSocket(family === 6 ? 'udp6' : 'udp4');
	const received: Bytes[] = [];
	socket.on('message', (message, remote) => {
		received.push(message);
		const reply = options.answer(message, received.length - 1);
		if (reply) {
			socket.send(reply, remote.port, remote.address);
		}
	});
	await new Promise<void>((resolve, reject) => {
		socket.once('error', reject);
		socket.bind(options.port ?? 0, address, () => {
			socket.off('error', reject);
			resolve();
		});
	});
	let isClosed = false;
	return {
		address,
		family,
		port: socket.address().port,
		received,
		async close() {
			if (isClosed) {
				return;
			}

			isClosed = true;
			await new Promise<void>((resolve) => {
				socket.close(() => {
					resolve();
				});
			});
		},
	};
}

/** A port that nothing listens on right now: bound by us, then released. */
export async function freeUdpPort(address = '127.0.0.1'): Promise<number> {
	const responder = await startUdpResponder({address, answer: () => undefined});
	await responder.close();
	return responder.port;
}

// DNS (RFC 1035 §4.1): the reply to `. IN NS` names one root server.
function encodeDomainName(name: string): Bytes {
	const labels = name.split('.').filter(Boolean);
	return Buffer.concat([
		...labels.map((label) =>
			Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]),
		),
		Buffer.from([0]),
	]);
}

/** The end of the first question (QNAME as plain labels, then QTYPE and QCLASS), or undefined. */
function questionEnd(query: Bytes): number | undefined {
	let offset = 12;
	while (offset < query.length && query[offset] !== 0) {
		offset += 1 + query[offset]!;
	}

	return offset + 5 <= query.length ? offset + 5 : undefined;
}

export function dnsReply(
	query: Bytes,
	options: {readonly rcode?: number; readonly id?: number} = {},
): Bytes | undefined {
	const end = questionEnd(query);
	if (query.length < 12 || end === undefined) {
		return undefined;
	}

	const rcode = options.rcode ?? 0;
	const header = Buffer.alloc(12);
	header.writeUInt16BE(options.id ?? query.readUInt16BE(0), 0);
	// QR, the query's opcode and RD echoed, RA set, the rcode.
	header.writeUInt16BE(
		0x80_00 | (query.readUInt16BE(2) & 0x79_00) | 0x00_80 | rcode,
		2,
	);
	header.writeUInt16BE(1, 4); // QDCOUNT
	header.writeUInt16BE(rcode === 0 ? 1 : 0, 6); // ANCOUNT
	const question = query.subarray(12, end);
	if (rcode !== 0) {
		return Buffer.concat([header, question]);
	}

	const server = encodeDomainName('a.root-servers.net');
	const record = Buffer.alloc(12);
	record.writeUInt16BE(0xc0_0c, 0); // Pointer to the question's name
	record.writeUInt16BE(2, 2); // NS
	record.writeUInt16BE(1, 4); // IN
	record.writeUInt32BE(518_400, 6); // TTL
	record.writeUInt16BE(server.length, 10);
	return Buffer.concat([header, question, record, server]);
}

export async function startDnsResponder(
	options: {readonly address?: string; readonly rcode?: number} = {},
): Promise<UdpResponder> {
	return startUdpResponder({
		address: options.address,
		answer: (query) => dnsReply(query, {rcode: options.rcode}),
	});
}

// NTP (RFC 5905 §7.3): a server's mode 4 reply.
const ntpEpochOffset = 2_208_988_800; // Seconds from 1900-01-01 to 1970-01-01

function writeNtpTime(buffer: Bytes, offset: number, ms: number): void {
	const seconds = Math.floor(ms / 1000);
	buffer.writeUInt32BE((seconds + ntpEpochOffset) % 0x1_00_00_00_00, offset);
	buffer.writeUInt32BE(
		Math.floor(((ms % 1000) / 1000) * 0x1_00_00_00_00),
		offset + 4,
	);
}

export type NtpReplyOptions = {
	readonly stratum?: number;
	readonly leap?: number;
	readonly version?: number;
	/** Four ASCII letters for a kiss-o'-death (stratum 0). */
	readonly kissCode?: string;
	/** Copy this instead of the request's transmit timestamp into the origin timestamp. */
	readonly origin?: Bytes;
};

export function ntpReply(
	request: Bytes,
	options: NtpReplyOptions = {},
): Bytes | undefined {
	if (request.length < 48) {
		return undefined;
	}

	const now = Date.now();
	const reply = Buffer.alloc(48);
	const version = options.version ?? (request[0]! >> 3) & 0x7;
	reply[0] = ((options.leap ?? 0) << 6) | (version << 3) | 4;
	reply[1] = options.stratum ?? 2;
	reply[2] = request[2]!; // Poll, echoed
	reply.writeInt8(-20, 3); // Precision: about a microsecond
	reply.writeUInt32BE(0x00_00_01_00, 4); // Root delay, 1/256 s
	reply.writeUInt32BE(0x00_00_01_00, 8); // Root dispersion
	if (options.kissCode === undefined) {
		Buffer.from([192, 0, 2, 1]).copy(reply, 12); // Reference id: the upstream's IPv4 address
	} else {
		reply.write(options.kissCode, 12, 4, 'ascii');
	}

	writeNtpTime(reply, 16, now - 60_000); // Reference timestamp
	(options.origin ?? request.subarray(40, 48)).copy(reply, 24); // Origin = the client's transmit
	writeNtpTime(reply, 32, now); // Receive
	writeNtpTime(reply, 40, now); // Transmit
	return reply;
}

export async function startNtpResponder(
	options: {readonly address?: string} & NtpReplyOptions = {},
): Promise<UdpResponder> {
	return startUdpResponder({
		address: options.address,
		answer: (request) => ntpReply(request, options),
	});
}

/** A bound socket that never answers: a listener that ignores what it does not understand. */
export async function startSilentResponder(
	address = '127.0.0.1',
): Promise<UdpResponder> {
	return startUdpResponder({address, answer: () => undefined});
}

// SNMP (RFC 1157, RFC 3416), BER-encoded here independently of the probe's encoder.
function berLength(length: number): Bytes {
	if (length < 0x80) {
		return Buffer.from([length]);
	}

	return length < 0x1_00
		? Buffer.from([0x81, length])
		: Buffer.from([0x82, length >> 8, length & 0xff]);
}

export function ber(tag: number, ...contents: Uint8Array[]): Bytes {
	const content = Buffer.concat(contents);
	return Buffer.concat([
		Buffer.from([tag]),
		berLength(content.length),
		content,
	]);
}

function berInteger(value: number): Bytes {
	const bytes = Buffer.alloc(6);
	bytes.writeIntBE(value, 0, 6);
	let start = 0;
	// Drop leading bytes that only repeat the sign (X.690 §8.3.2).
	while (
		start < 5 &&
		((bytes[start] === 0 && bytes[start + 1]! < 0x80) ||
			(bytes[start] === 0xff && bytes[start + 1]! >= 0x80))
	) {
		start++;
	}

	return ber(0x02, bytes.subarray(start));
}

/** The request-id of a GetRequest with short-form lengths, as the probe sends. */
function snmpRequestId(request: Bytes): number | undefined {
	let offset = 2; // Inside the message SEQUENCE
	offset += 2 + request[offset + 1]!; // Version
	offset += 2 + request[offset + 1]!; // Community
	offset += 2; // Into the PDU
	const length = request[offset + 1];
	return length === undefined || offset + 2 + length > request.length
		? undefined
		: request.readIntBE(offset + 2, length);
}

export type SnmpReplyOptions = {
	/** The version field: 0 for v1, 1 for v2c. */
	readonly version?: number;
	readonly community?: string;
	/** SysDescr.0; without it the varbind carries noSuchObject (RFC 3416 §4.2.1). */
	readonly description?: string | Uint8Array;
	readonly requestId?: number;
	/** The PDU tag: 0xa2 Response; 0xa0 would be an echoed GetRequest. */
	readonly pduTag?: number;
};

export function snmpReply(
	request: Bytes,
	options: SnmpReplyOptions = {},
): Bytes | undefined {
	const requestId = options.requestId ?? snmpRequestId(request);
	if (requestId === undefined) {
		return undefined;
	}

	const description =
		typeof options.description === 'string'
			? Buffer.from(options.description, 'utf8')
			: options.description;
	const oid = ber(0x06, Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0]));
	const value = description ? ber(0x04, description) : ber(0x80); // NoSuchObject
	const varbinds = ber(0x30, ber(0x30, oid, value));
	const pdu = ber(
		options.pduTag ?? 0xa2,
		berInteger(requestId),
		berInteger(0),
		berInteger(0),
		varbinds,
	);
	return ber(
		0x30,
		berInteger(options.version ?? 1),
		ber(0x04, Buffer.from(options.community ?? 'public')),
		pdu,
	);
}

// NetBIOS NODE STATUS RESPONSE (RFC 1002 §4.2.18).
export type NetbiosName = {
	readonly name: string | Uint8Array;
	readonly suffix: number;
	readonly isGroup?: boolean;
};

export function netbiosReply(
	request: Bytes,
	names: readonly NetbiosName[],
	options: {
		readonly isCompressed?: boolean;
		readonly rcode?: number;
		readonly id?: number;
	} = {},
): Bytes | undefined {
	if (request.length < 50) {
		return undefined;
	}

	const header = Buffer.alloc(12);
	header.writeUInt16BE(options.id ?? request.readUInt16BE(0), 0);
	header.writeUInt16BE(0x84_00 | (options.rcode ?? 0), 2); // R, OPCODE 0, AA
	header.writeUInt16BE(1, 6); // ANCOUNT
	const rrName = options.isCompressed
		? Buffer.from([0xc0, 0x0c])
		: request.subarray(12, 46);
	const table = Buffer.alloc(1 + names.length * 18);
	table[0] = names.length;
	for (const [index, entry] of names.entries()) {
		const offset = 1 + index * 18;
		table.fill(0x20, offset, offset + 15);
		Buffer.from(entry.name).copy(table, offset, 0, 15);
		table[offset + 15] = entry.suffix;
		table.writeUInt16BE((entry.isGroup ? 0x80_00 : 0) | 0x04_00, offset + 16); // G, ACT
	}

	const statistics = Buffer.alloc(46); // Unit id (MAC) and counters, zero here
	const rdata = Buffer.concat([table, statistics]);
	const fixed = Buffer.alloc(10);
	fixed.writeUInt16BE(0x00_21, 0); // NBSTAT
	fixed.writeUInt16BE(0x00_01, 2); // IN
	fixed.writeUInt16BE(rdata.length, 8);
	return Buffer.concat([header, rrName, fixed, rdata]);
}

// ONC-RPC reply (RFC 5531 §9).
export type RpcReplyOptions = {
	/** 0 accepted, 1 denied. */
	readonly replyStat?: number;
	/** 0 SUCCESS, 1 PROG_UNAVAIL, 2 PROG_MISMATCH (with low and high), 3 PROC_UNAVAIL. */
	readonly acceptStat?: number;
	readonly mismatch?: readonly [number, number];
	/** A verifier body, padded to 4 bytes on the wire. */
	readonly verifier?: Uint8Array;
	readonly xid?: number;
};

export function rpcReply(
	request: Bytes,
	options: RpcReplyOptions = {},
): Bytes | undefined {
	if (request.length < 40) {
		return undefined;
	}

	const words = (...values: number[]) => {
		const buffer = Buffer.alloc(values.length * 4);
		for (const [index, value] of values.entries()) {
			buffer.writeUInt32BE(value, index * 4);
		}

		return buffer;
	};

	const head = words(
		options.xid ?? request.readUInt32BE(0),
		1,
		options.replyStat ?? 0,
	);
	if ((options.replyStat ?? 0) === 1) {
		return Buffer.concat([head, words(0, 2, 2)]); // RPC_MISMATCH, low 2, high 2
	}

	const verifier = options.verifier ?? new Uint8Array(0);
	const padding = Buffer.alloc((4 - (verifier.length % 4)) % 4);
	const acceptStat = options.acceptStat ?? 0;
	const tail =
		acceptStat === 2
			? words(2, ...(options.mismatch ?? [2, 4]))
			: words(acceptStat);
	return Buffer.concat([
		head,
		words(verifier.length === 0 ? 0 : 2, verifier.length),
		verifier,
		padding,
		tail,
	]);
}
