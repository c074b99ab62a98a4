import type {Bytes} from '../payloads/payload.js';
import {sanitize} from '../sanitize.js';
import {partial, type ReadResult, type Speaker} from './speaker.js';

// MySQL client/server protocol: packets are a 3-byte little-endian length, a sequence id, a payload.
const packetHeaderLength = 4;
const protocolVersion10 = 10;
const errorPacket = 0xff;
const maxPacketLength = 16_384;
const maxTextLength = 60;

/**
 * The server speaks first: Protocol::HandshakeV10 (version 10, then the server version up to a
 * NUL), or an ERR packet when it refuses the client's host. MariaDB prefixes its version with
 * `5.5.5-` for old clients.
 */
function read(data: Bytes): ReadResult {
	if (data.length < packetHeaderLength + 1) {
		return data.length === 0 ? undefined : partial;
	}

	const length = data.readUIntLE(0, 3);
	if (length < 2 || length > maxPacketLength || data[3] !== 0) {
		return undefined;
	}

	const end = packetHeaderLength + length;
	if (data.length < end) {
		return partial;
	}

	const payload = data.subarray(packetHeaderLength, end);
	if (payload[0] === errorPacket) {
		// Error code (2 bytes), then the message.
		const message = sanitize(payload.subarray(3), maxTextLength);
		return {
			kind: 'MySQL',
			answered: message ? `MySQL (refused: ${message})` : 'MySQL (refused)',
		};
	}

	const nul = payload.indexOf(0, 1);
	if (payload[0] !== protocolVersion10 || nul === -1) {
		return undefined;
	}

	const version = sanitize(payload.subarray(1, nul), maxTextLength);
	if (/mariadb/iv.test(version)) {
		return {
			kind: 'MySQL',
			answered: `MariaDB ${version.replace(/^5\.5\.5-/v, '')}`,
		};
	}

	return {kind: 'MySQL', answered: version ? `MySQL ${version}` : 'MySQL'};
}

export const mysqlSpeaker: Speaker = {kind: 'MySQL', read};
