/* eslint-disable no-bitwise -- RFC 1035 packs the header flags into bit fields */
import {Buffer} from 'node:buffer';
import {randomInt} from '../random.js';
import {sanitize} from '../sanitize.js';
import {definePayload, type Bytes} from './payload.js';

// RFC 1035 §4.1.1 header fields.
const headerLength = 12;
const isResponseBit = 0x80_00;
const recursionDesiredBit = 0x01_00;
const typeNs = 2;
const typeTxt = 16;
const classIn = 1;
const classChaos = 3;
const maxLabelLength = 63;
const maxNameLength = 255; // RFC 1035 §2.3.4
const maxVersionLength = 60;

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

/** The offset just past the name at `offset` (labels, or labels ending in a pointer, RFC 1035 §4.1.4). */
export function skipName(buffer: Bytes, offset: number): number | undefined {
	let position = offset;
	while (position - offset <= maxNameLength) {
		const length = buffer[position];
		if (length === undefined) {
			return undefined;
		}

		if (length === 0) {
			return position + 1;
		}

		if ((length & 0xc0) === 0xc0) {
			return position + 2 <= buffer.length ? position + 2 : undefined;
		}

		if (length > maxLabelLength) {
			return undefined;
		}

		position += 1 + length;
	}

	return undefined;
}

/**
 * `version.bind CH TXT`, without recursion: BIND, dnsmasq, Unbound, Knot and PowerDNS answer it
 * with their name and version unless told to hide it, and answer REFUSED or NOTIMP then, which
 * proves DNS as well (the CHAOS class convention of BIND, kept by the others).
 */
function buildVersion(): Uint8Array {
	const name = Buffer.from('\u0007version\u0004bind\u0000', 'latin1');
	const query = Buffer.alloc(headerLength + name.length + 4);
	query.writeUInt16BE(randomInt(0, 0x1_00_00), 0);
	query.writeUInt16BE(1, 4); // QDCOUNT
	name.copy(query, headerLength);
	query.writeUInt16BE(typeTxt, headerLength + name.length);
	query.writeUInt16BE(classChaos, headerLength + name.length + 2);
	return query;
}

/** The first character-string of the first TXT answer (RFC 1035 §3.3.14), after the question. */
function firstTxt(reply: Bytes): Bytes | undefined {
	let offset = skipName(reply, headerLength);
	if (offset === undefined || reply.readUInt16BE(6) === 0) {
		return undefined;
	}

	// The question's type and class, then the answer's name, type, class, TTL and RDLENGTH.
	offset = skipName(reply, offset + 4);
	if (offset === undefined || offset + 11 > reply.length) {
		return undefined;
	}

	if (reply.readUInt16BE(offset) !== typeTxt) {
		return undefined;
	}

	const rdataEnd = Math.min(
		reply.length,
		offset + 10 + reply.readUInt16BE(offset + 8),
	);
	const textEnd = Math.min(rdataEnd, offset + 11 + reply[offset + 10]!);
	return reply.subarray(offset + 11, textEnd);
}

function parseVersion(reply: Bytes, request: Bytes): string | undefined {
	const flags = responseFlags(reply, request);
	if (flags === undefined) {
		return undefined;
	}

	if ((flags & 0xf) !== 0) {
		return parse(reply, request);
	}

	const text = firstTxt(reply);
	const version = text ? sanitize(text, maxVersionLength) : '';
	return version ? `DNS ${version}` : 'DNS';
}

export const dnsVersionPayload = definePayload(
	'dns-version',
	buildVersion,
	parseVersion,
);
