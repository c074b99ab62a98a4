/* eslint-disable no-bitwise -- wire formats are bit fields */
/**
 * Answers of real protocols to portui's first words, built from the protocols' documents here,
 * independently of source/probe/speakers, so a test does not check the readers against themselves.
 */
import {Buffer} from 'node:buffer';
import type {Bytes} from '../../source/probe/payloads/payload.js';

/** BER: tag, definite length (short or two-byte long form), contents. */
export function ber(tag: number, ...contents: Uint8Array[]): Bytes {
	const body = Buffer.concat(contents);
	const length =
		body.length < 0x80
			? Buffer.from([body.length])
			: Buffer.from([0x82, body.length >> 8, body.length % 256]);
	return Buffer.concat([Buffer.from([tag]), length, body]);
}

export const berInteger = (value: number, tag = 0x02) =>
	ber(tag, Buffer.from(value < 0x80 ? [value] : [0, value]));
export const berString = (text: string | Uint8Array) =>
	ber(0x04, typeof text === 'string' ? Buffer.from(text) : text);

/** DNS over TCP: the answer to a version.bind CH TXT query (RFC 1035 §4.1, §4.2.2), RCODE `rcode`. */
export function dnsTcpReply(request: Bytes, text: string, rcode = 0): Bytes {
	const query = request.subarray(2);
	const header = Buffer.from(query.subarray(0, 12));
	header.writeUInt16BE(0x84_00 | rcode, 2); // QR, AA
	header.writeUInt16BE(rcode === 0 ? 1 : 0, 6); // ANCOUNT
	const question = query.subarray(12);
	const txt = Buffer.concat([
		Buffer.from([text.length]),
		Buffer.from(text, 'latin1'),
	]);
	const answer = Buffer.alloc(12);
	answer.writeUInt16BE(0xc0_0c, 0); // The question's name, by pointer
	answer.writeUInt16BE(16, 2); // TXT
	answer.writeUInt16BE(3, 4); // CH
	answer.writeUInt32BE(0, 6);
	answer.writeUInt16BE(txt.length, 10);
	const message = Buffer.concat([
		header,
		question,
		...(rcode === 0 ? [answer, txt] : []),
	]);
	const length = Buffer.alloc(2);
	length.writeUInt16BE(message.length);
	return Buffer.concat([length, message]);
}

/** The message id of an LDAP request: LDAPMessage ::= SEQUENCE {messageID INTEGER, ...} (RFC 4511 §4.2.1). */
function ldapMessageId(request: Bytes): number {
	// 30 LL 02 NN id...; our requests have short lengths for the sequence up to 127 bytes.
	const lengthBytes = request[1]! >= 0x80 ? request[1]! - 0x80 : 0;
	const at = 2 + lengthBytes;
	return request.readUIntBE(at + 2, request[at + 1]!);
}

function ldapId(id: number): Bytes {
	const bytes = Buffer.alloc(4);
	bytes.writeUInt32BE(id);
	let start = 0;
	while (start < 3 && bytes[start] === 0 && bytes[start + 1]! < 0x80) {
		start++;
	}

	return ber(0x02, bytes.subarray(start));
}

/** A RootDSE SearchResultEntry with `attributes`, then SearchResultDone with `resultCode`. */
export function ldapRootDseReply(
	request: Bytes,
	attributes: Record<string, string[]>,
	resultCode = 0,
): Bytes {
	const id = ldapId(ldapMessageId(request));
	const list = Object.entries(attributes).map(([name, values]) =>
		ber(
			0x30,
			berString(name),
			ber(0x31, ...values.map((value) => berString(value))),
		),
	);
	const entry = ber(0x30, id, ber(0x64, berString(''), ber(0x30, ...list)));
	const done = ber(
		0x30,
		id,
		ber(0x65, berInteger(resultCode, 0x0a), berString(''), berString('')),
	);
	return Buffer.concat(resultCode === 0 ? [entry, done] : [done]);
}

/** ONC RPC over TCP: an accepted, successful reply to the call in `request` (RFC 5531 §9, §11). */
export function rpcTcpReply(request: Bytes): Bytes {
	const reply = Buffer.alloc(24);
	request.copy(reply, 0, 4, 8); // Xid
	reply.writeUInt32BE(1, 4); // REPLY
	// MSG_ACCEPTED (0), verifier AUTH_NONE with no body, SUCCESS (0): zeros.
	const mark = Buffer.alloc(4);
	mark.writeUInt32BE((0x80_00_00_00 | reply.length) >>> 0);
	return Buffer.concat([mark, reply]);
}

/** [MS-SMB2] 2.2.4: a NEGOTIATE response selecting `dialect`, behind the Direct TCP header. */
export function smb2NegotiateResponse(
	dialect: number,
	securityMode = 1,
): Bytes {
	const header = Buffer.alloc(64);
	Buffer.from([0xfe, 0x53, 0x4d, 0x42]).copy(header);
	header.writeUInt16LE(64, 4);
	header.writeUInt32LE(0x1, 16); // Flags: SERVER_TO_REDIR
	const body = Buffer.alloc(65);
	body.writeUInt16LE(65, 0);
	body.writeUInt16LE(securityMode, 2);
	body.writeUInt16LE(dialect, 4);
	const transport = Buffer.alloc(4);
	transport.writeUInt32BE(header.length + body.length);
	return Buffer.concat([transport, header, body]);
}

/** MySQL Protocol::HandshakeV10 with `version`, as packet 0. */
export function mysqlGreeting(version: string): Bytes {
	const payload = Buffer.concat([
		Buffer.from([10]),
		Buffer.from(version, 'latin1'),
		Buffer.from([0]),
		Buffer.alloc(4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10 + 13),
	]);
	const header = Buffer.alloc(4);
	header.writeUIntLE(payload.length, 0, 3);
	return Buffer.concat([header, payload]);
}

/** A TLS record carrying a ServerHello that selects TLS 1.3 through supported_versions (RFC 8446 §4.1.3). */
export function serverHello13(): Bytes {
	const extensions = Buffer.from([0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
	const body = Buffer.concat([
		Buffer.from([0x03, 0x03]),
		Buffer.alloc(32, 7),
		Buffer.from([0]), // Empty session id
		Buffer.from([0x13, 0x01, 0x00]),
		Buffer.from([0x00, extensions.length]),
		extensions,
	]);
	const handshake = Buffer.concat([
		Buffer.from([0x02, 0, body.length >> 8, body.length % 256]),
		body,
	]);
	return Buffer.concat([
		Buffer.from([
			0x16,
			0x03,
			0x03,
			handshake.length >> 8,
			handshake.length % 256,
		]),
		handshake,
	]);
}
