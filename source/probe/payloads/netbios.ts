/* eslint-disable no-bitwise -- RFC 1002 packs header flags and name flags into bit fields */
import {Buffer} from 'node:buffer';
import {randomInt} from '../random.js';
import {sanitize} from '../sanitize.js';
import {responseFlags, skipName} from './dns.js';
import {definePayload, type Bytes} from './payload.js';

// RFC 1002 §4.2.1.1 header, §4.2.17 NODE STATUS REQUEST and §4.2.18 NODE STATUS RESPONSE.
const headerLength = 12;
const typeNbstat = 0x00_21;
const classIn = 0x00_01;
const nameEntryLength = 18; // 15 name bytes, 1 suffix byte, 2 bytes NAME_FLAGS
const isGroupBit = 0x80_00;
const suffixWorkstation = 0x00;

/**
 * RFC 1001 §14.1 first-level encoding: each byte of the 16-byte name becomes two letters, 'A' plus
 * its high nibble and 'A' plus its low nibble, behind a length byte; a zero byte ends the (empty) scope.
 */
function encodeName(name: Uint8Array): Bytes {
	const encoded = Buffer.alloc(1 + 32 + 1);
	encoded[0] = 32;
	for (const [index, byte] of name.entries()) {
		encoded[1 + index * 2] = 0x41 + (byte >> 4);
		encoded[2 + index * 2] = 0x41 + (byte & 0xf);
	}

	return encoded;
}

/** The wildcard name `*` padded with NULs (RFC 1002 §4.2.17): every node answers for it. */
const wildcardName = encodeName(
	Buffer.concat([Buffer.from('*'), Buffer.alloc(15)]),
);

function build(): Uint8Array {
	const header = Buffer.alloc(headerLength);
	header.writeUInt16BE(randomInt(0, 0x1_00_00), 0); // NAME_TRN_ID
	// Flags stay 0: a unicast query (OPCODE 0, no broadcast, no recursion).
	header.writeUInt16BE(1, 4); // QDCOUNT
	const question = Buffer.alloc(4);
	question.writeUInt16BE(typeNbstat, 0);
	question.writeUInt16BE(classIn, 2);
	return Buffer.concat([header, wildcardName, question]);
}

/** Where the NODE_NAME entries start and end, after the answer's name, type, class, TTL and RDLENGTH. */
function nameTable(
	reply: Bytes,
): {start: number; end: number; count: number} | undefined {
	// RFC 1002's response has no question section, but a responder that echoes one is skipped over.
	let offset: number | undefined = headerLength;
	for (
		let index = 0;
		index < reply.readUInt16BE(4) && offset !== undefined;
		index++
	) {
		offset = skipName(reply, offset);
		offset = offset === undefined ? undefined : offset + 4;
	}

	offset = offset === undefined ? undefined : skipName(reply, offset);
	if (
		offset === undefined ||
		offset + 11 > reply.length ||
		reply.readUInt16BE(offset) !== typeNbstat
	) {
		return undefined;
	}

	const end = Math.min(
		reply.length,
		offset + 10 + reply.readUInt16BE(offset + 8),
	);
	return {start: offset + 11, end, count: reply[offset + 10]!};
}

/** The computer name: the unique name with the workstation suffix <00>, the one nbtstat lists first. */
function computerName(
	reply: Bytes,
	table: {start: number; end: number; count: number},
): Bytes | undefined {
	for (let index = 0; index < table.count; index++) {
		const entry = table.start + index * nameEntryLength;
		if (entry + nameEntryLength > table.end) {
			return undefined;
		}

		const isGroup = (reply.readUInt16BE(entry + 16) & isGroupBit) !== 0;
		if (reply[entry + 15] === suffixWorkstation && !isGroup) {
			return reply.subarray(entry, entry + 15);
		}
	}

	return undefined;
}

function parse(reply: Bytes, request: Bytes): string | undefined {
	// An answer: a response without an error (RCODE 0) that carries a record (ANCOUNT).
	const flags = responseFlags(reply, request);
	if (
		flags === undefined ||
		(flags & 0xf) !== 0 ||
		reply.readUInt16BE(6) === 0
	) {
		return undefined;
	}

	const table = nameTable(reply);
	if (!table) {
		return undefined;
	}

	// Names are padded with spaces to 15 bytes; sanitize collapses and trims them.
	const name = computerName(reply, table);
	const text = name ? sanitize(name, 15) : '';
	return text ? `NetBIOS ${text}` : 'NetBIOS';
}

export const netbiosPayload = definePayload('netbios-ns', build, parse);
