import {Buffer} from 'node:buffer';
import type {Bytes} from '../payloads/payload.js';
import {sanitize} from '../sanitize.js';
import {partial, type ReadResult, type Speaker} from './speaker.js';

export const httpHead = 'HEAD / HTTP/1.0\r\n\r\n';

/**
 * What servers answer when plain HTTP reaches their TLS port: nginx's 400 page and Apache's
 * (mod_ssl) 400 page. Either means TLS listens, with HTTP inside.
 */
const plainToTls = [
	/plain HTTP request was sent to HTTPS port/iv,
	/speaking plain HTTP to an SSL-enabled server port/iv,
];

function headerEnd(data: Bytes): number {
	const crlf = data.indexOf('\r\n\r\n');
	if (crlf !== -1) {
		return crlf + 4;
	}

	const lf = data.indexOf('\n\n');
	return lf === -1 ? -1 : lf + 2;
}

/** Read an HTTP response: the Server header, and whether it says TLS was expected instead. */
function read(data: Bytes): ReadResult {
	if (data.length < 5) {
		return data.length > 0 &&
			Buffer.from('HTTP/').subarray(0, data.length).equals(data)
			? partial
			: undefined;
	}

	if (data.subarray(0, 5).toString('latin1') !== 'HTTP/') {
		return undefined;
	}

	const end = headerEnd(data);
	if (end === -1) {
		return partial;
	}

	const head = data.subarray(0, end).toString('latin1');
	const body = data.subarray(end).toString('latin1');
	if (plainToTls.some((pattern) => pattern.test(body))) {
		return {
			kind: 'TLS',
			answered: 'TLS (HTTPS)',
			isTlsBehind: true,
			isHttps: true,
		};
	}

	const header = /^server:[ \t]*(.*)$/imv.exec(head);
	const server = header?.[1] ? sanitize(header[1], 100) : '';
	const answered = server ? `HTTP ${server}` : 'HTTP';
	// A plain server has no reason to refuse a well-formed HEAD / HTTP/1.0 with 400; a TLS
	// server that speaks HTTP does (nginx's "plain HTTP request was sent to HTTPS port", whose
	// page a HEAD does not get): a ClientHello tells.
	const status = /^HTTP\/\d(?:\.\d)? (\d{3})/v.exec(head)?.[1];
	return status === '400'
		? {kind: 'HTTP', answered, isTlsBehind: true, isHttps: true}
		: {kind: 'HTTP', answered};
}

export const httpSpeaker: Speaker = {
	kind: 'HTTP',
	request: () => Buffer.from(httpHead),
	read,
};
