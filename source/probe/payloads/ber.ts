/* eslint-disable no-bitwise -- BER lengths and integers are bit-packed (X.690 §8.1.3, §8.3) */
import {Buffer} from 'node:buffer';
import type {Bytes} from './payload.js';

/*
 * The part of BER (X.690) that SNMP (RFC 3416, RFC 3412) and LDAP (RFC 4511 §5.1) use: definite
 * lengths, universal INTEGER, OCTET STRING, NULL, OID, SEQUENCE, and context or application tags.
 */

export const tagBoolean = 0x01;
export const tagInteger = 0x02;
export const tagOctetString = 0x04;
export const tagNull = 0x05;
export const tagOid = 0x06;
export const tagEnumerated = 0x0a;
export const tagSequence = 0x30;

function encodeLength(length: number): Bytes {
	if (length < 0x80) {
		return Buffer.from([length]);
	}

	// Long form: 0x80 | count of length bytes, then the length big-endian. Our messages stay < 64 KiB.
	return length < 0x1_00
		? Buffer.from([0x81, length])
		: Buffer.from([0x82, length >> 8, length & 0xff]);
}

/** One element: tag, length, contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Bytes {
	const content = Buffer.concat(contents);
	return Buffer.concat([
		Buffer.from([tag]),
		encodeLength(content.length),
		content,
	]);
}

/** A non-negative INTEGER (or ENUMERATED with `tag`) in the fewest two's-complement bytes (X.690 §8.3.2). */
export function encodeInteger(value: number, tag = tagInteger): Bytes {
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

	return tlv(tag, Buffer.from(bytes));
}

export const octets = (text: string | Uint8Array = '') =>
	tlv(tagOctetString, typeof text === 'string' ? Buffer.from(text) : text);

export type Element = {
	readonly tag: number;
	readonly start: number;
	readonly end: number;
};

/** The element at `offset` if it ends within `limit`; definite lengths only, as SNMP and LDAP require. */
export function readElement(
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
		// 0x80 is the indefinite form; more than 3 length bytes is more than we ever read.
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
export function readChildren(
	buffer: Bytes,
	parent: Element,
	count = Infinity,
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

export function readInteger(
	buffer: Bytes,
	element: Element | undefined,
	tag = tagInteger,
): number | undefined {
	if (element?.tag !== tag) {
		return undefined;
	}

	const length = element.end - element.start;
	return length >= 1 && length <= 6
		? buffer.readIntBE(element.start, length)
		: undefined;
}

/** The contents of an OCTET STRING element, else undefined. */
export function readOctets(
	buffer: Bytes,
	element: Element | undefined,
): Bytes | undefined {
	return element?.tag === tagOctetString
		? buffer.subarray(element.start, element.end)
		: undefined;
}
