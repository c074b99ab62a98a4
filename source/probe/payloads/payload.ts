import {Buffer} from 'node:buffer';

/**
 * A request a UDP service answers, and a reader of its reply.
 *
 * UDP services stay silent when a datagram makes no sense to them, so a probe of a known port
 * speaks its protocol: the reply is the only proof that something listens.
 */
export type UdpPayload = {
	/** Protocol name, for tests and logs: `dns`, `ntp`, `snmp`, `netbios-ns`, `rpcbind`. */
	readonly name: string;
	/** A fresh request; transaction ids are random on every call. */
	build(): Uint8Array;
	/**
	 * What answered (`DNS`, `NTPv4 stratum 2`), or undefined when the reply is not this protocol
	 * or not an answer to `request` (its id differs). Built from fixed words, numbers and
	 * sanitised text only. Never throws, whatever the bytes.
	 */
	parse(reply: Uint8Array, request: Uint8Array): string | undefined;
};

/**
 * The parsers' view of bytes: Buffer, for its bounds-checked big-endian readers. The exported
 * API takes and returns Uint8Array, which Buffer is.
 */
// eslint-disable-next-line @typescript-eslint/no-restricted-types
export type Bytes = Buffer;

/** A Buffer view of the same bytes (no copy). */
export function bufferOf(bytes: Uint8Array): Bytes {
	return Buffer.isBuffer(bytes)
		? bytes
		: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A payload whose reply reader sees both datagrams as Buffers, whatever the caller passes. */
export function definePayload(
	name: string,
	build: () => Uint8Array,
	parse: (reply: Bytes, request: Bytes) => string | undefined,
): UdpPayload {
	return {
		name,
		build,
		parse: (reply, request) => parse(bufferOf(reply), bufferOf(request)),
	};
}
