/* eslint-disable no-bitwise -- RFC 5905 packs leap indicator, version and mode into one byte */
import {Buffer} from 'node:buffer';
import {randomBytes} from '../random.js';
import {definePayload, type Bytes} from './payload.js';

// RFC 5905 §7.3: a 48-byte header without extension fields or MAC.
const packetLength = 48;
const referenceIdOffset = 12;
const originOffset = 24;
const transmitOffset = 40;
const modeClient = 3;
const modeServer = 4;
const version = 4;
const stratumUnsynchronised = 16;
const leapUnsynchronised = 3;

/**
 * A mode 3 (client) v4 request. Every field but the transmit timestamp is zero; that one is random
 * (as draft-ietf-ntp-data-minimization advises, so the request says nothing about our clock) and
 * the server must copy it into the origin timestamp of its reply (RFC 5905 §8), which is how a
 * reply is matched to this request.
 */
function build(): Uint8Array {
	const request = Buffer.alloc(packetLength);
	request[0] = (version << 3) | modeClient; // LI 0, VN 4, mode 3
	randomBytes(8).copy(request, transmitOffset);
	return request;
}

function parse(reply: Bytes, request: Bytes): string | undefined {
	if (reply.length < packetLength || request.length < packetLength) {
		return undefined;
	}

	const first = reply[0]!;
	const mode = first & 0x7;
	const replyVersion = (first >> 3) & 0x7;
	if (mode !== modeServer || replyVersion < 1 || replyVersion > version) {
		return undefined;
	}

	const origin = reply.subarray(originOffset, originOffset + 8);
	if (!origin.equals(request.subarray(transmitOffset, transmitOffset + 8))) {
		return undefined;
	}

	const name = `NTPv${replyVersion}`;
	const stratum = reply[1]!;
	if (stratum === 0) {
		// A kiss-o'-death (RFC 5905 §7.4): the reference id carries four ASCII letters (RATE, DENY).
		const code = reply.subarray(referenceIdOffset, referenceIdOffset + 4);
		const isLetters = code.every((byte) => byte >= 0x41 && byte <= 0x5a);
		return isLetters
			? `${name} kiss code ${code.toString('latin1')}`
			: `${name} kiss-o'-death`;
	}

	if (stratum >= stratumUnsynchronised || first >> 6 === leapUnsynchronised) {
		return `${name} unsynchronised`;
	}

	return `${name} stratum ${stratum}`;
}

export const ntpPayload = definePayload('ntp', build, parse);
