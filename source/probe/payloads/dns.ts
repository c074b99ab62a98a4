/* eslint-disable no-bitwise -- RFC 1035 packs the header flags into bit fields */
import {Buffer} from 'node:buffer';
import {randomInt} from '../random.js';
import {definePayload, type Bytes} from './payload.js';

// RFC 1035 §4.1.1 header fields.
const headerLength = 12;
const isResponseBit = 0x80_00;
const recursionDesiredBit = 0x01_00;
const typeNs = 2;
const classIn = 1;

// RFC 1035 §4.1.1 and RFC 6895 §2.3, indexed by RCODE: what a server may say to a root NS query.
const rcodeNames = [
	'NOERROR',
	'FORMERR',
	'SERVFAIL',
	'NXDOMAIN',
	'NOTIMP',
	'REFUSED',
] as const;

/**
 * `. IN NS` with recursion desired: every resolver answers it (the root hints are always at hand)
 * and an authoritative-only server still answers, if only with REFUSED. Either proves DNS.
 */
function build(): Uint8Array {
	const query = Buffer.alloc(headerLength + 5);
	query.writeUInt16BE(randomInt(0, 0x1_00_00), 0);
	query.writeUInt16BE(recursionDesiredBit, 2);
	query.writeUInt16BE(1, 4); // QDCOUNT
	// Byte 12 stays 0: the root name is one zero-length label.
	query.writeUInt16BE(typeNs, 13);
	query.writeUInt16BE(classIn, 15);
	return query;
}

/**
 * The header flags of `reply` when it is a response to the standard query `request`, else
 * undefined. NetBIOS name service packets share this header (RFC 1002 §4.2.1.1).
 */
export function responseFlags(
	reply: Bytes,
	request: Bytes,
): number | undefined {
	if (reply.length < headerLength || request.length < headerLength) {
		return undefined;
	}

	// A reply with another id answers someone else; resolvers check the same (RFC 5452 §4.3).
	if (reply.readUInt16BE(0) !== request.readUInt16BE(0)) {
		return undefined;
	}

	const flags = reply.readUInt16BE(2);
	const opcode = (flags >> 11) & 0xf;
	return (flags & isResponseBit) === 0 || opcode !== 0 ? undefined : flags;
}

function parse(reply: Bytes, request: Bytes): string | undefined {
	const flags = responseFlags(reply, request);
	if (flags === undefined) {
		return undefined;
	}

	const rcode = flags & 0xf;
	if (rcode === 0) {
		return 'DNS';
	}

	return `DNS ${rcodeNames[rcode] ?? `rcode ${rcode}`}`;
}

export const dnsPayload = definePayload('dns', build, parse);
