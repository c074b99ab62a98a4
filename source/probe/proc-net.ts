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
*/
export function parseProcNet(
	text: string,
	protocol: Protocol,
	family: Family,
	options: ParseProcNetOptions = {},
): ProcNetSocket[] {
	const isLittleEndian = options.isLittleEndian ?? hostIsLittleEndian;
	const wantedState = protocol === 'tcp' ? tcpListen : udpUnconnected;
	const addressLength = family === 4 ? 8 : 32;
	const sockets: ProcNetSocket[] = [];
	const lines = text.split('\n');
	// The first line is the column header.
	for (let index = 1; index < lines.length; index++) {
		const fields = lines[index]!.trim().split(/\s+/v);
		// Sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
		if (fields.length < 10 || fields[3] !== wantedState) {
			continue;
		}

		const [hexAddress, hexPort] = fields[1]!.split(':');
		if (
			hexAddress?.length !== addressLength ||
			!isHex(hexAddress) ||
			!hexPort ||
			!isHex(hexPort)
		) {
			continue;
		}

		const port = Number.parseInt(hexPort, 16);
		const uid = Number(fields[7]);
		const inode = Number(fields[9]);
		if (
			port === 0 ||
			!Number.isSafeInteger(uid) ||
			!Number.isSafeInteger(inode)
		) {
			continue;
		}

		sockets.push({
			protocol,
			family,
			address: formatProcAddress(hexAddress, isLittleEndian),
			port,
			uid,
			inode,
		});
	}

	return sockets;
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
