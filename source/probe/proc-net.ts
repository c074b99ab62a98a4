import {Buffer} from 'node:buffer';
import {endianness} from 'node:os';
import type {Family, Protocol} from './types.js';

/** One socket line of /proc/net/{tcp,tcp6,udp,udp6} that portui counts as listening. */
export type ProcNetSocket = {
	readonly protocol: Protocol;
	readonly family: Family;
	readonly address: string;
	readonly port: number;
	readonly uid: number;
	readonly inode: number;
};

export type ParseProcNetOptions = {
	/** Byte order of the machine that wrote the file; the host's by default. */
	readonly isLittleEndian?: boolean;
};

// TCP_LISTEN. Other TCP states are connections, not services.
const tcpListen = '0A';
/*
UDP has no listen state. An unconnected bound socket shows as TCP_CLOSE (07), which `ss -ul` prints
as UNCONN: it takes datagrams from anyone, so it is a service. A connect()ed UDP socket shows as
ESTABLISHED (01) and only hears its one peer (a resolver's query, portui's own UDP probes), so it is
a client and is left out, as `ss -ul` leaves it out.
*/
const udpUnconnected = '07';

const hostIsLittleEndian = endianness() === 'LE';

/**
Parses the text of one /proc/net table. Lines that do not have the expected shape are skipped,
not thrown on: the file is the kernel's, but a future kernel may add columns or lines.

Hand-tokenised rather than split on a regular expression: with thousands of sockets this is most of
the cost of a snapshot after the read itself (2,000 lines: 5 ms with split, see the bench).
*/
export function parseProcNet(
	text: string,
	protocol: Protocol,
	family: Family,
	options: ParseProcNetOptions = {},
): ProcNetSocket[] {
	const line: LineContext = {
		protocol,
		family,
		wantedState: protocol === 'tcp' ? tcpListen : udpUnconnected,
		addressLength: family === 4 ? 8 : 32,
		isLittleEndian: options.isLittleEndian ?? hostIsLittleEndian,
		addresses: new Map(),
	};
	const sockets: ProcNetSocket[] = [];
	// The first line is the column header.
	let lineStart = text.indexOf('\n') + 1;
	while (lineStart > 0 && lineStart < text.length) {
		const newline = text.indexOf('\n', lineStart);
		const lineEnd = newline === -1 ? text.length : newline;
		const socket = isOtherState(text, lineStart, lineEnd, line)
			? undefined
			: parseLine({text, index: lineStart, end: lineEnd}, line);
		if (socket) {
			sockets.push(socket);
		}

		lineStart = lineEnd + 1;
	}

	return sockets;
}

type LineContext = {
	readonly protocol: Protocol;
	readonly family: Family;
	readonly wantedState: string;
	readonly addressLength: number;
	readonly isLittleEndian: boolean;
	/** A table repeats a few addresses (0.0.0.0, 127.0.0.1) many times: format each once. */
	readonly addresses: Map<string, string>;
};

/**
Whether a line is, at a glance, a socket in a state we do not count: the kernel prints
`%4d: %08X:%04X %08X:%04X %02X ` (32 hex digits an address for IPv6), so the state sits at a fixed
distance from the first colon. A busy host's table is mostly connections and TIME_WAIT (a probe
leaves its own), and tokenising each of them was most of the cost of reading it. A line of any
other shape is left to `parseLine`.
*/
function isOtherState(
	text: string,
	lineStart: number,
	lineEnd: number,
	line: LineContext,
): boolean {
	const colon = text.indexOf(':', lineStart);
	const local = colon + 2;
	const state = local + 2 * (line.addressLength + 6);
	return (
		colon !== -1 &&
		state + 3 <= lineEnd &&
		text.codePointAt(colon + 1) === 0x20 &&
		text.codePointAt(local + line.addressLength) === 0x3a &&
		text.codePointAt(state - 1) === 0x20 &&
		text.codePointAt(state + 2) === 0x20 &&
		!text.startsWith(line.wantedState, state)
	);
}

function parseLine(
	cursor: Cursor,
	line: LineContext,
): ProcNetSocket | undefined {
	const {addressLength} = line;
	// Sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
	nextField(cursor);
	const local = nextField(cursor);
	nextField(cursor);
	if (nextField(cursor) !== line.wantedState || local === undefined) {
		return undefined;
	}

	const hexAddress = local.slice(0, addressLength);
	const hexPort = local.slice(addressLength + 1);
	if (
		local.charAt(addressLength) !== ':' ||
		hexAddress.length !== addressLength ||
		!isHex(hexAddress) ||
		!isHex(hexPort)
	) {
		return undefined;
	}

	for (let skip = 0; skip < 3; skip++) {
		nextField(cursor);
	}

	const uid = Number(nextField(cursor) ?? Number.NaN);
	nextField(cursor);
	const inode = Number(nextField(cursor) ?? Number.NaN);
	const port = Number.parseInt(hexPort, 16);
	if (
		port === 0 ||
		!Number.isSafeInteger(uid) ||
		!Number.isSafeInteger(inode)
	) {
		return undefined;
	}

	let address = line.addresses.get(hexAddress);
	if (address === undefined) {
		address = formatProcAddress(hexAddress, line.isLittleEndian);
		line.addresses.set(hexAddress, address);
	}

	return {
		protocol: line.protocol,
		family: line.family,
		address,
		port,
		uid,
		inode,
	};
}

type Cursor = {readonly text: string; index: number; readonly end: number};

/** The next blank-separated field of the line, or undefined at its end. */
function nextField(cursor: Cursor): string | undefined {
	const {text, end} = cursor;
	let {index} = cursor;
	while (index < end && isBlank(text.codePointAt(index)!)) {
		index++;
	}

	if (index >= end) {
		cursor.index = index;
		return undefined;
	}

	const start = index;
	while (index < end && !isBlank(text.codePointAt(index)!)) {
		index++;
	}

	cursor.index = index;
	return text.slice(start, index);
}

function isBlank(code: number): boolean {
	return code === 0x20 || code === 0x09 || code === 0x0d;
}

/**
The kernel prints an address as 32-bit words, each in the host's byte order (`%08X` of the word
as it sits in memory), so on x86 every group of four bytes is reversed: ::1 is
00000000000000000000000001000000 and 127.0.0.1 is 0100007F.
*/
export function formatProcAddress(
	hex: string,
	isLittleEndian = hostIsLittleEndian,
): string {
	const bytes = Buffer.alloc(hex.length / 2);
	for (let word = 0; word < hex.length / 8; word++) {
		const value = Number.parseInt(hex.slice(word * 8, word * 8 + 8), 16);
		if (isLittleEndian) {
			bytes.writeUInt32LE(value, word * 4);
		} else {
			bytes.writeUInt32BE(value, word * 4);
		}
	}

	return bytes.length === 4 ? bytes.join('.') : formatIpv6(bytes);
}

/** RFC 5952 text: lower case, longest run of two or more zero groups as `::`, v4-mapped as ::ffff:a.b.c.d. */
export function formatIpv6(bytes: Uint8Array): string {
	if (
		bytes.subarray(0, 10).every((byte) => byte === 0) &&
		bytes[10] === 0xff &&
		bytes[11] === 0xff
	) {
		return `::ffff:${bytes.subarray(12).join('.')}`;
	}

	const groups: number[] = [];
	for (let index = 0; index < 16; index += 2) {
		groups.push(bytes[index]! * 256 + bytes[index + 1]!);
	}

	let bestStart = -1;
	let bestLength = 1;
	for (let start = 0; start < 8; start++) {
		let length = 0;
		while (start + length < 8 && groups[start + length] === 0) {
			length++;
		}

		if (length > bestLength) {
			bestStart = start;
			bestLength = length;
		}

		start += length;
	}

	const hexGroups = groups.map((group) => group.toString(16));
	if (bestStart === -1) {
		return hexGroups.join(':');
	}

	const head = hexGroups.slice(0, bestStart).join(':');
	const tail = hexGroups.slice(bestStart + bestLength).join(':');
	return `${head}::${tail}`;
}

function isHex(text: string): boolean {
	return /^[\dA-Fa-f]+$/v.test(text);
}
