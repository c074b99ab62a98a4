import {Buffer} from 'node:buffer';
import type {Bytes} from '../payloads/payload.js';
import {partial, type ReadResult, type Speaker} from './speaker.js';

// PostgreSQL frontend/backend protocol, "SSLRequest": length 8, then the code 1234 5679.
const sslRequestCode = 80_877_103;
const maxErrorLength = 10_000;

/**
 * An SSLRequest: the server answers one byte, `S` (TLS may follow) or `N`, before any login.
 * Neither answer commits us to anything, so closing after it is clean.
 */
function request(): Uint8Array {
	const message = Buffer.alloc(8);
	message.writeUInt32BE(8, 0);
	message.writeUInt32BE(sslRequestCode, 4);
	return message;
}

function read(data: Bytes): ReadResult {
	if (data.length === 1 && data[0] === 0x53) {
		return {kind: 'PostgreSQL', answered: 'PostgreSQL (TLS offered)'};
	}

	if (data.length === 1 && data[0] === 0x4e) {
		return {kind: 'PostgreSQL', answered: 'PostgreSQL (no TLS)'};
	}

	// A server too old for SSLRequest answers an ErrorResponse: 'E', then an int32 length.
	if (data[0] === 0x45) {
		if (data.length < 5) {
			return partial;
		}

		const length = data.readUInt32BE(1);
		return length >= 4 && length <= maxErrorLength
			? {kind: 'PostgreSQL', answered: 'PostgreSQL (error)'}
			: undefined;
	}

	return undefined;
}

export const postgresSpeaker: Speaker = {kind: 'PostgreSQL', request, read};
