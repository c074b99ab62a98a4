/* eslint-disable no-bitwise -- record marks are bit fields */
import {Buffer} from 'node:buffer';
import type {Bytes, UdpPayload} from '../payloads/payload.js';
import {partial, type ServiceKind, type Speaker} from './speaker.js';

type Framing = {
	readonly headerLength: number;
	readonly header: (length: number) => Bytes;
	/** The length of the first message, from its header. */
	readonly bodyLength: (data: Bytes) => number;
};

/** DNS over TCP: a two-byte length before each message (RFC 1035 §4.2.2, RFC 7766 §8). */
export const dnsFraming: Framing = {
	headerLength: 2,
	header(length) {
		const header = Buffer.alloc(2);
		header.writeUInt16BE(length);
		return header;
	},
	bodyLength: (data) => data.readUInt16BE(0),
};

const lastFragment = 0x80_00_00_00;

/** ONC RPC over TCP: record marking, a last-fragment bit and a 31-bit length (RFC 5531 §11). */
export const rpcFraming: Framing = {
	headerLength: 4,
	header(length) {
		const header = Buffer.alloc(4);
		header.writeUInt32BE((lastFragment | length) >>> 0);
		return header;
	},
	bodyLength: (data) => data.readUInt32BE(0) & 0x7f_ff_ff_ff,
};

/**
 * The TCP form of a request that UDP carries bare: the same message behind a length header, and
 * the UDP payload's reader for the answer. An answer longer than we read is read as far as it came.
 */
export function framedSpeaker(
	kind: ServiceKind,
	payload: UdpPayload,
	framing: Framing,
	maxBytes = 4096,
): Speaker {
	const {headerLength} = framing;
	return {
		kind,
		request() {
			const body = payload.build();
			return Buffer.concat([framing.header(body.length), body]);
		},
		read(data, request) {
			if (data.length < headerLength) {
				return data.length === 0 ? undefined : partial;
			}

			const length = framing.bodyLength(data);
			const end = headerLength + length;
			if (data.length < end && data.length < maxBytes) {
				return partial;
			}

			const answered = payload.parse(
				data.subarray(headerLength, end),
				request.subarray(headerLength),
			);
			return answered === undefined ? undefined : {kind, answered};
		},
	};
}
