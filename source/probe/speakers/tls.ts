import type {Bytes} from '../payloads/payload.js';
import {
	buildClientHello,
	describeTlsRecord,
	isTlsRecord,
	tlsRecordLength,
} from '../tls-hello.js';
import {partial, type ReadResult, type Speaker} from './speaker.js';

/** The first TLS record of an answer: a ServerHello's version or an alert. */
function read(data: Bytes): ReadResult {
	if (data.length < 3) {
		return data[0] === 0x16 || data[0] === 0x15 ? partial : undefined;
	}

	if (!isTlsRecord(data)) {
		return undefined;
	}

	const length = tlsRecordLength(data);
	return length === undefined || data.length < length
		? partial
		: {kind: 'TLS', answered: describeTlsRecord(data)};
}

export const tlsSpeaker: Speaker = {
	kind: 'TLS',
	request: (servername) => buildClientHello(servername),
	read,
};
