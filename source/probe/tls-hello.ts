import net from 'node:net';
import {randomBytes} from './random.js';

/*
 * A TLS ClientHello written from RFC 8446 (4.1.2, 4.2) and RFC 5246, and a reader for the
 * first record that answers it. Building the hello by hand, rather than letting node:tls
 * handshake, keeps the server's raw answer: an SSH or HTTP server on a TLS port shows up as
 * what it is instead of an OpenSSL error, and nothing past the ServerHello is needed.
 */

type Bytes = readonly number[];

const u8 = (value: number): Bytes => [value % 256];
const u16 = (value: number): Bytes => [
	Math.floor(value / 256) % 256,
	value % 256,
];
const u24 = (value: number): Bytes => [
	Math.floor(value / 65_536) % 256,
	...u16(value),
];
const withLength8 = (body: Bytes): Bytes => [...u8(body.length), ...body];
const withLength16 = (body: Bytes): Bytes => [...u16(body.length), ...body];
const list16 = (values: Bytes): Bytes =>
	withLength16(values.flatMap((value) => u16(value)));
const extension = (type: number, body: Bytes): Bytes => [
	...u16(type),
	...withLength16(body),
];
const random = (length: number): Bytes => [...randomBytes(length)];
const read16 = (data: Uint8Array, offset: number) =>
	(data[offset] ?? 0) * 256 + (data[offset + 1] ?? 0);

const tls13 = 0x03_04;
const tls12 = 0x03_03;
const x25519 = 0x00_1d;

// TLS 1.3 suites, then the ECDHE suites of TLS 1.2, then plain RSA ones so old servers still answer.
const cipherSuites = [
	0x13_01, 0x13_02, 0x13_03, 0xc0_2b, 0xc0_2f, 0xc0_2c, 0xc0_30, 0xcc_a9,
	0xcc_a8, 0xc0_09, 0xc0_13, 0xc0_0a, 0xc0_14, 0x00_9c, 0x00_9d, 0x00_2f,
	0x00_35,
];

// Ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256, the 384 and 512 variants, ed25519, rsa_pkcs1_sha1.
const signatureAlgorithms = [
	0x04_03, 0x08_04, 0x04_01, 0x05_03, 0x08_05, 0x05_01, 0x08_06, 0x06_01,
	0x08_07, 0x02_01,
];

/** A ClientHello record offering TLS 1.3 and 1.2; `servername` (a DNS name, never an IP) goes in SNI. */
export function buildClientHello(servername?: string): Uint8Array {
	const extensions: Bytes[] = [];
	if (servername && net.isIP(servername) === 0) {
		const name = [...new TextEncoder().encode(servername)];
		extensions.push(
			extension(0x00_00, withLength16([...u8(0), ...withLength16(name)])),
		);
	}

	extensions.push(
		extension(0x00_0a, list16([x25519, 0x00_17, 0x00_18])),
		extension(0x00_0b, withLength8([0])),
		extension(0x00_0d, list16(signatureAlgorithms)),
		extension(0x00_2b, withLength8([...u16(tls13), ...u16(tls12)])),
		// Any 32 bytes are a valid X25519 public key, and this handshake is never finished.
		extension(
			0x00_33,
			withLength16([...u16(x25519), ...withLength16(random(32))]),
		),
		extension(0x00_2d, withLength8([1])),
		extension(0xff_01, withLength8([])),
	);

	const body = [
		...u16(tls12),
		...random(32),
		...withLength8(random(32)),
		...list16(cipherSuites),
		...withLength8([0]),
		...withLength16(extensions.flat()),
	];
	const handshake = [...u8(1), ...u24(body.length), ...body];
	return Uint8Array.from([
		...u8(0x16),
		...u16(0x03_01),
		...withLength16(handshake),
	]);
}

const versionNames: ReadonlyMap<number, string> = new Map([
	[0x03_00, 'SSL 3.0'],
	[0x03_01, 'TLS 1.0'],
	[0x03_02, 'TLS 1.1'],
	[tls12, 'TLS 1.2'],
	[tls13, 'TLS 1.3'],
]);

const alertNames: ReadonlyMap<number, string> = new Map([
	[10, 'unexpected_message'],
	[40, 'handshake_failure'],
	[47, 'illegal_parameter'],
	[50, 'decode_error'],
	[70, 'protocol_version'],
	[71, 'insufficient_security'],
	[80, 'internal_error'],
	[112, 'unrecognized_name'],
	[120, 'no_application_protocol'],
]);

/** Whether `data` begins like a TLS handshake or alert record (type, then version 3.0 to 3.4). */
export function isTlsRecord(data: Uint8Array): boolean {
	return (
		data.length >= 3 &&
		(data[0] === 0x16 || data[0] === 0x15) &&
		data[1] === 0x03 &&
		data[2]! <= 0x04
	);
}

/** Bytes needed for the first record, once its header is in. */
export function tlsRecordLength(data: Uint8Array): number | undefined {
	return data.length >= 5 ? 5 + read16(data, 3) : undefined;
}

/** The version a ServerHello body (after the 4-byte handshake header) selects: supported_versions, else legacy_version. */
function serverHelloVersion(hello: Uint8Array): number | undefined {
	const legacy = hello.length >= 2 ? read16(hello, 0) : undefined;
	const sessionIdAt = 2 + 32;
	if (hello.length <= sessionIdAt) {
		return legacy;
	}

	// Session id, then cipher suite (2) and compression method (1), then the extensions.
	const extensionsAt = sessionIdAt + 1 + hello[sessionIdAt]! + 3;
	if (hello.length < extensionsAt + 2) {
		return legacy;
	}

	const end = Math.min(
		hello.length,
		extensionsAt + 2 + read16(hello, extensionsAt),
	);
	for (
		let offset = extensionsAt + 2;
		offset + 4 <= end;
		offset += 4 + read16(hello, offset + 2)
	) {
		if (
			read16(hello, offset) === 0x00_2b &&
			read16(hello, offset + 2) === 2 &&
			offset + 6 <= end
		) {
			return read16(hello, offset + 4);
		}
	}

	return legacy;
}

/** What a TLS record says, in a few words: `TLS 1.3`, `TLS 1.2`, `TLS alert handshake_failure`. */
export function describeTlsRecord(data: Uint8Array): string {
	if (data[0] === 0x15) {
		const description = data[6];
		return description === undefined
			? 'TLS alert'
			: `TLS alert ${alertNames.get(description) ?? `#${description}`}`;
	}

	if (data.length >= 9 && data[5] === 0x02) {
		const version = serverHelloVersion(data.subarray(9));
		return (
			(version === undefined ? undefined : versionNames.get(version)) ?? 'TLS'
		);
	}

	return 'TLS';
}
