import {Buffer} from 'node:buffer';
import {randomInt} from '../random.js';
import {definePayload, type Bytes} from './payload.js';

// RFC 5531 §9 (ONC RPC v2 messages, XDR big-endian 32-bit words) and RFC 1833 §3 (portmapper).
const messageCall = 0;
const messageReply = 1;
const rpcVersion = 2;
const programPortmapper = 100_000;
const portmapperVersion = 2;
const procedureNull = 0;
const authNone = 0;
const replyAccepted = 0;
const replyDenied = 1;
const acceptSuccess = 0;
const acceptProgUnavailable = 1;
const acceptProgMismatch = 2;
const maxAuthBytes = 400; // RFC 5531 §8.2: opaque_auth body<400>

/**
 * A call of procedure 0 (NULL) of the portmapper v2: it takes no arguments and does nothing, so it
 * is the cheapest question a portmapper (or rpcbind, which keeps v2) answers, and it is not a DUMP
 * of every registered program to whoever asks.
 */
function build(): Uint8Array {
	const words = [
		randomInt(0, 0x1_00_00_00_00), // Xid
		messageCall,
		rpcVersion,
		programPortmapper,
		portmapperVersion,
		procedureNull,
		authNone, // Credential flavour, then body length 0
		0,
		authNone, // Verifier flavour, then body length 0
		0,
	];
	const call = Buffer.alloc(words.length * 4);
	for (const [index, word] of words.entries()) {
		call.writeUInt32BE(word, index * 4);
	}

	return call;
}

function parse(reply: Bytes, request: Bytes): string | undefined {
	if (reply.length < 12 || request.length < 4) {
		return undefined;
	}

	if (
		reply.readUInt32BE(0) !== request.readUInt32BE(0) ||
		reply.readUInt32BE(4) !== messageReply
	) {
		return undefined;
	}

	const replyStat = reply.readUInt32BE(8);
	if (replyStat === replyDenied) {
		return 'ONC-RPC (call denied)';
	}

	if (replyStat !== replyAccepted || reply.length < 20) {
		return replyStat === replyAccepted ? 'ONC-RPC' : undefined;
	}

	// Skip the verifier: flavour, length, then the body padded to a multiple of 4.
	const verifierLength = reply.readUInt32BE(16);
	const acceptOffset = 20 + Math.ceil(verifierLength / 4) * 4;
	if (verifierLength > maxAuthBytes || acceptOffset + 4 > reply.length) {
		return 'ONC-RPC';
	}

	switch (reply.readUInt32BE(acceptOffset)) {
		case acceptSuccess: {
			return `ONC-RPC portmapper v${portmapperVersion}`;
		}

		case acceptProgMismatch: {
			if (acceptOffset + 12 > reply.length) {
				return 'ONC-RPC portmapper';
			}

			const low = reply.readUInt32BE(acceptOffset + 4);
			const high = reply.readUInt32BE(acceptOffset + 8);
			return `ONC-RPC portmapper v${low}-v${high}`;
		}

		case acceptProgUnavailable: {
			return 'ONC-RPC (no portmapper)';
		}

		default: {
			return 'ONC-RPC';
		}
	}
}

export const rpcPayload = definePayload('rpcbind', build, parse);
