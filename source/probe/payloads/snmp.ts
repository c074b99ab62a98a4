/* eslint-disable no-bitwise -- BER lengths and integers are bit-packed (X.690 §8.1.3, §8.3) */
import {Buffer} from 'node:buffer';
import {randomInt} from '../random.js';
import {sanitize} from '../sanitize.js';
import {definePayload, type Bytes} from './payload.js';

// BER tags (X.690) and SNMP PDU tags (RFC 3416 §3, RFC 1157 §4.1).
const tagInteger = 0x02;
const tagOctetString = 0x04;
const tagNull = 0x05;
const tagOid = 0x06;
const tagSequence = 0x30;
const tagGetRequest = 0xa0;
const tagResponse = 0xa2;

const community = 'public';
// 1.3.6.1.2.1.1.1.0 (sysDescr.0): the first two arcs pack into 40 * 1 + 3 = 43, then a byte per arc.
const sysDescrOid = Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0]);
// RFC 3584 §2.1: version 0 is v1 and 1 is v2c; RFC 3412 gives v3 the value 3.
const versionNames = new Map([
	[0, 'v1'],
	[1, 'v2c'],
	[3, 'v3'],
]);
const versionV2c = 1;
const maxDescriptionLength = 60;

function encodeLength(length: number): Bytes {
	if (length < 0x80) {
		return Buffer.from([length]);
	}

	// Long form: 0x80 | count of length bytes, then the length big-endian. Our message stays < 64 KiB.
	return length < 0x1_00
		? Buffer.from([0x81, length])
		: Buffer.from([0x82, length >> 8, length & 0xff]);
}

function tlv(tag: number, ...contents: Uint8Array[]): Bytes {
	const content = Buffer.concat(contents);
	return Buffer.concat([
		Buffer.from([tag]),
		encodeLength(content.length),
		content,
	]);
}

/** A non-negative INTEGER in the fewest two's-complement bytes (X.690 §8.3.2). */
function encodeInteger(value: number): Bytes {
	const bytes = [value & 0xff];
	for (
		let rest = Math.floor(value / 0x1_00);
		rest > 0;
		rest = Math.floor(rest / 0x1_00)
	) {
		bytes.unshift(rest & 0xff);
	}

	// A set top bit would read as negative.
	if (bytes[0]! >= 0x80) {
		bytes.unshift(0);
	}

	return tlv(tagInteger, Buffer.from(bytes));
}

/** SNMPv2c GetRequest for sysDescr.0 with community `public` (RFC 1901, RFC 3416 §4.2.1). */
function build(): Uint8Array {
	const requestId = randomInt(1, 0x7f_ff_ff_ff);
	const varbind = tlv(tagSequence, tlv(tagOid, sysDescrOid), tlv(tagNull));
	const pdu = tlv(
		tagGetRequest,
		encodeInteger(requestId),
		encodeInteger(0), // Error-status
		encodeInteger(0), // Error-index
		tlv(tagSequence, varbind),
	);
	return tlv(
		tagSequence,
		encodeInteger(versionV2c),
		tlv(tagOctetString, Buffer.from(community, 'latin1')),
		pdu,
	);
}

type Element = {
	readonly tag: number;
	readonly start: number;
	readonly end: number;
};

/** The BER element at `offset` if it ends within `limit`; definite lengths only, as SNMP requires. */
function readElement(
	buffer: Bytes,
	offset: number | undefined,
	limit: number,
): Element | undefined {
	if (offset === undefined || offset + 2 > limit) {
		return undefined;
	}

	const tag = buffer[offset]!;
	const first = buffer[offset + 1]!;
	let start = offset + 2;
	let length = first;
	if (first >= 0x80) {
		const count = first & 0x7f;
		// 0x80 is the indefinite form; more than 3 length bytes cannot fit in a datagram.
		if (count === 0 || count > 3 || start + count > limit) {
			return undefined;
		}

		length = buffer.readUIntBE(start, count);
		start += count;
	}

	const end = start + length;
	return end > limit ? undefined : {tag, start, end};
}

/** The children of a constructed element, in order, as far as they parse. */
function readChildren(
	buffer: Bytes,
	parent: Element,
	count: number,
): Element[] {
	const children: Element[] = [];
	let offset = parent.start;
	while (children.length < count) {
		const child = readElement(buffer, offset, parent.end);
		if (!child) {
			break;
		}

		children.push(child);
		offset = child.end;
	}

	return children;
}

function readInteger(
	buffer: Bytes,
	element: Element | undefined,
): number | undefined {
	if (element?.tag !== tagInteger) {
		return undefined;
	}

	const length = element.end - element.start;
	return length >= 1 && length <= 6
		? buffer.readIntBE(element.start, length)
		: undefined;
}

type Message = {readonly version: number; readonly pdu: Element};

/** Message ::= SEQUENCE {version INTEGER, community OCTET STRING, data PDU} (RFC 1901 §3). */
function readMessage(buffer: Bytes): Message | undefined {
	const message = readElement(buffer, 0, buffer.length);
	if (message?.tag !== tagSequence) {
		return undefined;
	}

	const [versionElement, communityElement, pdu] = readChildren(
		buffer,
		message,
		3,
	);
	const version = readInteger(buffer, versionElement);
	return version === undefined ||
		communityElement?.tag !== tagOctetString ||
		!pdu
		? undefined
		: {version, pdu};
}

/** The value of sysDescr.0 when the first variable binding carries it as an OCTET STRING. */
function readDescription(
	buffer: Bytes,
	varbinds: Element | undefined,
): Bytes | undefined {
	const [varbind] =
		varbinds?.tag === tagSequence ? readChildren(buffer, varbinds, 1) : [];
	const [name, value] =
		varbind?.tag === tagSequence ? readChildren(buffer, varbind, 2) : [];
	const isSysDescr =
		name?.tag === tagOid &&
		buffer.subarray(name.start, name.end).equals(sysDescrOid);
	return isSysDescr && value?.tag === tagOctetString
		? buffer.subarray(value.start, value.end)
		: undefined;
}

function parse(reply: Bytes, request: Bytes): string | undefined {
	const response = readMessage(reply);
	const sent = readMessage(request);
	if (response?.pdu.tag !== tagResponse || !sent) {
		return undefined;
	}

	// PDU ::= SEQUENCE {request-id, error-status, error-index, variable-bindings} (RFC 3416 §3).
	const fields = readChildren(reply, response.pdu, 4);
	const requestId = fields[0];
	const varbinds = fields[3];
	const [sentId] = readChildren(request, sent.pdu, 1);
	const id = readInteger(reply, requestId);
	if (id === undefined || id !== readInteger(request, sentId)) {
		return undefined;
	}

	const versionName = versionNames.get(response.version);
	const answered = versionName ? `SNMP ${versionName}` : 'SNMP';
	const description = readDescription(reply, varbinds);
	const text = description ? sanitize(description, maxDescriptionLength) : '';
	return text ? `${answered}: ${text}` : answered;
}

export const snmpPayload = definePayload('snmp', build, parse);
