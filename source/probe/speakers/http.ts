import {Buffer} from 'node:buffer';
import type {Bytes} from '../payloads/payload.js';
import {sanitize} from '../sanitize.js';
import {partial, type ReadResult, type Speaker} from './speaker.js';

export const httpHead = 'HEAD / HTTP/1.0\r\n\r\n';
const maxBodyWait = 2048;

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
	const status = /^HTTP\/\d(?:\.\d)? (\d{3})/v.exec(head)?.[1];
	if (status === '400') {
		// The page that says why is in the body: wait for the length the header gives.
		const length = Number(
			/^content-length:[ \t]*(\d{1,6})/imv.exec(head)?.[1] ?? 0,
		);
		const body = data.subarray(end).toString('latin1');
		if (plainToTls.some((pattern) => pattern.test(body))) {
			return {
				kind: 'TLS',
				answered: 'TLS (HTTPS)',
				isTlsBehind: true,
				isHttps: true,
			};
		}

		if (body.length < Math.min(length, maxBodyWait)) {
			return partial;
		}
	}

	const header = /^server:[ \t]*(.*)$/imv.exec(head);
	const server = header?.[1] ? sanitize(header[1], 100) : '';
	return {kind: 'HTTP', answered: server ? `HTTP ${server}` : 'HTTP'};
}

export const httpSpeaker: Speaker = {
	kind: 'HTTP',
	request: () => Buffer.from(httpHead),
	read,
};
