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
		socket.bind(0, address, () => {
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
