import {Buffer} from 'node:buffer';
import type {Bytes} from '../payloads/payload.js';
import {partial, type ReadResult, type Speaker} from './speaker.js';

// RESP: a command is an array of bulk strings; a simple reply is `+text` or `-ERRORCODE text`.
const ping = '*1\r\n$4\r\nPING\r\n';

// What Redis (and Valkey, KeyDB) say to a PING, and what it means to an admin.
const replies: ReadonlyArray<[RegExp, string]> = [
	[/^\+PONG$/v, 'Redis (no password)'],
	[/^-NOAUTH /v, 'Redis (password required)'],
	[/^-DENIED /v, 'Redis (protected mode)'],
	[/^-WRONGPASS /v, 'Redis (password required)'],
	[/^-ERR /v, 'Redis (error)'],
];

function read(data: Bytes): ReadResult {
	const end = data.indexOf('\r\n');
	if (end === -1) {
		return data.length < 256 && (data[0] === 0x2b || data[0] === 0x2d)
			? partial
			: undefined;
	}

	const line = data.subarray(0, end).toString('latin1');
	for (const [pattern, answered] of replies) {
		if (pattern.test(line)) {
			return {kind: 'Redis', answered};
		}
	}

	return undefined;
}

export const redisSpeaker: Speaker = {
	kind: 'Redis',
	request: () => Buffer.from(ping),
	read,
};
