/* eslint-disable no-bitwise -- SMB2 packs flags into bit fields */
import {Buffer} from 'node:buffer';
import type {Bytes} from '../payloads/payload.js';
import {randomBytes} from '../random.js';
import {partial, type ReadResult, type Speaker} from './speaker.js';

// [MS-SMB2] 2.1 Direct TCP transport: a zero byte and a 24-bit length before each message.
const transportHeaderLength = 4;
// [MS-SMB2] 2.2.1 SMB2 header (64 bytes, little-endian), 2.2.3 NEGOTIATE request, 2.2.4 response.
const headerLength = 64;
const commandNegotiate = 0;
const signingEnabled = 0x01;
const signingRequired = 0x02;
const smb2Magic = Buffer.from([0xfe, 0x53, 0x4d, 0x42]);
const smb1Magic = Buffer.from([0xff, 0x53, 0x4d, 0x42]);
// SMB 2.0.2 to 3.0.2: 3.1.1 would need negotiate contexts, and any server that has it has these.
const dialects = [0x02_02, 0x02_10, 0x03_00, 0x03_02];
const dialectNames: ReadonlyMap<number, string> = new Map([
	[0x02_02, '2.0.2'],
	[0x02_10, '2.1'],
	[0x03_00, '3.0'],
	[0x03_02, '3.0.2'],
	[0x03_11, '3.1.1'],
	[0x02_ff, '2.x'],
]);

/** An SMB2 NEGOTIATE: the first message of every SMB2 session, answered before any login. */
function request(): Uint8Array {
	const header = Buffer.alloc(headerLength);
	smb2Magic.copy(header, 0);
	header.writeUInt16LE(headerLength, 4); // StructureSize
	header.writeUInt16LE(commandNegotiate, 12);
	header.writeUInt16LE(1, 14); // CreditRequest
	// MessageId, TreeId, SessionId and the signature stay zero in the first message.
	const body = Buffer.alloc(36 + dialects.length * 2);
	body.writeUInt16LE(36, 0); // StructureSize
	body.writeUInt16LE(dialects.length, 2);
	body.writeUInt16LE(signingEnabled, 4);
	randomBytes(16).copy(body, 12); // ClientGuid; Capabilities and ClientStartTime stay zero
	for (const [index, dialect] of dialects.entries()) {
		body.writeUInt16LE(dialect, 36 + index * 2);
	}

	const transport = Buffer.alloc(transportHeaderLength);
	transport.writeUInt32BE(headerLength + body.length);
	return Buffer.concat([transport, header, body]);
}

function read(data: Bytes): ReadResult {
	if (data.length < transportHeaderLength + 4) {
		return data[0] === 0 ? partial : undefined;
	}

	if (data[0] !== 0) {
		return undefined;
	}

	const magic = data.subarray(transportHeaderLength, transportHeaderLength + 4);
	if (magic.equals(smb1Magic)) {
		return {kind: 'SMB', answered: 'SMB1 only'};
	}

	if (!magic.equals(smb2Magic)) {
		return undefined;
	}

	const bodyAt = transportHeaderLength + headerLength;
	if (data.length < bodyAt + 6) {
		return partial;
	}

	const status = data.readUInt32LE(transportHeaderLength + 8);
	if (data.readUInt16LE(transportHeaderLength + 12) !== commandNegotiate) {
		return undefined;
	}

	if (status !== 0) {
		return {
			kind: 'SMB',
			answered: `SMB2 (status 0x${status.toString(16).padStart(8, '0')})`,
		};
	}

	const securityMode = data.readUInt16LE(bodyAt + 2);
	const dialect = data.readUInt16LE(bodyAt + 4);
	const name = dialectNames.get(dialect) ?? `dialect 0x${dialect.toString(16)}`;
	const signing =
		(securityMode & signingRequired) === 0 ? '' : ', signing required';
	return {kind: 'SMB', answered: `SMB ${name}${signing}`};
}

export const smbSpeaker: Speaker = {kind: 'SMB', request, read};
