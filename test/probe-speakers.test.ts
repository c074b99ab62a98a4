import {Buffer} from 'node:buffer';
import type net from 'node:net';
import test, {type ExecutionContext} from 'ava';
import {classifyAnswer, identifyTcp} from '../source/probe/identify.js';
import type {Bytes} from '../source/probe/payloads/payload.js';
import {
	dnsSpeaker,
	httpSpeaker,
	ldapSpeaker,
	mysqlSpeaker,
	postgresSpeaker,
	redisSpeaker,
	rpcSpeaker,
	smbSpeaker,
	tlsSpeaker,
	type Speaker,
} from '../source/probe/speakers/index.js';
import {fuzzInputs} from './helpers/fuzz.js';
import {catalogueEntry, listenTcp} from './helpers/probe-servers.js';
import {
	dnsTcpReply,
	ldapRootDseReply,
	mysqlGreeting,
	rpcTcpReply,
	serverHello13,
	smb2NegotiateResponse,
} from './helpers/tcp-replies.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacters = /[\u0000-\u001F\u007F-\u009F]/v;

const local = (port: number) => ({
	address: '127.0.0.1',
	family: 4 as const,
	port,
});

type Responder = {
	readonly port: number;
	/** What each connection sent, in order of connection. */
	readonly received: Bytes[];
	/** Connections the probe closed. */
	closed: number;
};

/**
 * A server that answers the first request of each connection with `answer(request, index)`
 * (undefined: stay silent) and keeps the connection open: only the probe may close it.
 */
async function responder(
	t: ExecutionContext,
	answer: (request: Bytes, index: number) => Uint8Array | undefined,
): Promise<Responder> {
	const state: Responder = {port: 0, received: [], closed: 0};
	const {port} = await listenTcp(t, {
		onConnection(socket: net.Socket) {
			const index = state.received.length;
			state.received.push(Buffer.alloc(0));
			let isAnswered = false;
			socket.on('data', (chunk: Bytes) => {
				state.received[index] = Buffer.concat([state.received[index]!, chunk]);
				if (!isAnswered) {
					isAnswered = true;
					const reply = answer(state.received[index], index);
					if (reply) {
						socket.write(reply);
					}
				}
			});
			socket.on('close', () => {
				state.closed++;
			});
		},
	});
	return Object.assign(state, {port});
}

/** Identify, with a budget so long that only an answer that closes the exchange ends it in time. */
async function identify(port: number, service: string, wellKnown: number) {
	const started = performance.now();
	const result = await identifyTcp({
		...local(port),
		entry: catalogueEntry(service, wellKnown),
		budgetMs: 30_000,
	});
	return {result, elapsedMs: performance.now() - started};
}

async function identified(port: number, service: string, wellKnown: number) {
	const {result} = await identify(port, service, wellKnown);
	return result;
}

const quickly = (t: ExecutionContext, elapsedMs: number) => {
	// Far below the 30 s budget: the answer ended the exchange, nothing waited it out.
	t.true(elapsedMs < 10_000, `took ${elapsedMs} ms`);
};

test('DNS over TCP: a length-prefixed version.bind CH TXT query; the answer names the server', async (t) => {
	const server = await responder(t, (request) =>
		dnsTcpReply(request, 'dnsmasq-2.90'),
	);
	const {result, elapsedMs} = await identify(server.port, 'domain', 53);
	t.like(result, {
		kind: 'DNS',
		answered: 'DNS dnsmasq-2.90',
		mismatch: undefined,
	});
	quickly(t, elapsedMs);
	const request = server.received[0]!;
	t.is(request.readUInt16BE(0), request.length - 2);
	// RFC 1035: one question, version.bind, TXT (16), CH (3).
	t.is(request.readUInt16BE(2 + 4), 1);
	t.true(
		request
			.subarray(2 + 12)
			.equals(
				Buffer.from(
					'\u0007version\u0004bind\u0000\u0000\u0010\u0000\u0003',
					'latin1',
				),
			),
	);
	await t.notThrowsAsync(async () => {
		while (server.closed === 0) {
			// eslint-disable-next-line no-await-in-loop -- wait for our end to close
			await new Promise((resolve) => {
				setTimeout(resolve, 5);
			});
		}
	});
});

test('DNS that refuses version.bind is still DNS', async (t) => {
	const server = await responder(t, (request) => dnsTcpReply(request, '', 5));
	const {result} = await identify(server.port, 'domain', 53);
	t.like(result, {kind: 'DNS', answered: 'DNS REFUSED'});
});

test('LDAP: an anonymous RootDSE search; the versions and vendor it publishes', async (t) => {
	const server = await responder(t, (request) =>
		ldapRootDseReply(request, {
			supportedLDAPVersion: ['3'],
			vendorName: ['Example\u001B[31m Directory'],
			vendorVersion: ['9.1'],
		}),
	);
	const {result, elapsedMs} = await identify(server.port, 'ldap', 389);
	t.like(result, {kind: 'LDAP', answered: 'LDAP v3 (Example Directory 9.1)'});
	quickly(t, elapsedMs);
	// LDAPMessage SEQUENCE, then a SearchRequest ([APPLICATION 3]) with base "" and scope base.
	const request = server.received[0]!;
	t.is(request[0], 0x30);
	t.true(request.includes(Buffer.from([0x63])));
	t.true(request.includes(Buffer.from('objectClass')));
});

test('LDAP that refuses anonymous reads says why', async (t) => {
	const server = await responder(t, (request) =>
		ldapRootDseReply(request, {}, 50),
	);
	const {result} = await identify(server.port, 'ldap', 389);
	t.like(result, {kind: 'LDAP', answered: 'LDAP (insufficientAccessRights)'});
});

test('ONC-RPC over TCP: a record-marked portmapper NULL call', async (t) => {
	const server = await responder(t, (request) => rpcTcpReply(request));
	const {result, elapsedMs} = await identify(server.port, 'sunrpc', 111);
	t.like(result, {kind: 'RPC', answered: 'ONC-RPC portmapper v2'});
	quickly(t, elapsedMs);
	const request = server.received[0]!;
	t.is(request.readUInt32BE(0), 0x80_00_00_00 + request.length - 4);
	t.is(request.readUInt32BE(4 + 12), 100_000); // Program: portmapper
	t.is(request.readUInt32BE(4 + 20), 0); // Procedure: NULL
});

test('SMB: an SMB2 NEGOTIATE; the dialect chosen and whether signing is required', async (t) => {
	const server = await responder(t, () => smb2NegotiateResponse(0x03_02, 3));
	const {result, elapsedMs} = await identify(server.port, 'microsoft-ds', 445);
	t.like(result, {kind: 'SMB', answered: 'SMB 3.0.2, signing required'});
	quickly(t, elapsedMs);
	const request = server.received[0]!;
	t.is(request.readUInt32BE(0), request.length - 4);
	t.true(request.subarray(4, 8).equals(Buffer.from([0xfe, 0x53, 0x4d, 0x42])));
	t.is(request.readUInt16LE(4 + 12), 0); // NEGOTIATE
});

test('PostgreSQL: an SSLRequest; S or N', async (t) => {
	const offering = await responder(t, () => Buffer.from('S'));
	const plain = await responder(t, () => Buffer.from('N'));
	t.like(await identified(offering.port, 'postgresql', 5432), {
		kind: 'PostgreSQL',
		answered: 'PostgreSQL (TLS offered)',
	});
	t.like(await identified(plain.port, 'postgresql', 5432), {
		answered: 'PostgreSQL (no TLS)',
	});
	t.deepEqual([...offering.received[0]!], [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
});

test('Redis: PING; PONG, or the password it wants', async (t) => {
	const open = await responder(t, () => Buffer.from('+PONG\r\n'));
	const locked = await responder(t, () =>
		Buffer.from('-NOAUTH Authentication required.\r\n'),
	);
	t.like(await identified(open.port, 'redis', 6379), {
		kind: 'Redis',
		answered: 'Redis (no password)',
	});
	t.like(await identified(locked.port, 'redis', 6379), {
		answered: 'Redis (password required)',
	});
	t.is(String(open.received[0]), '*1\r\n$4\r\nPING\r\n');
});

test('MySQL and MariaDB greet with their version', async (t) => {
	const mysql = await listenTcp(t, {
		onConnection(socket) {
			socket.write(mysqlGreeting('8.0.36'));
		},
	});
	const mariadb = await listenTcp(t, {
		onConnection(socket) {
			socket.write(mysqlGreeting('5.5.5-10.11.6-MariaDB-0+deb12u1'));
		},
	});
	t.like(await identified(mysql.port, 'mysql', 3306), {
		kind: 'MySQL',
		answered: 'MySQL 8.0.36',
	});
	t.like(await identified(mariadb.port, 'mysql', 3306), {
		answered: 'MariaDB 10.11.6-MariaDB-0+deb12u1',
	});
});

test('a greeting service on a port that expects a speak-second protocol is named, with the mismatch', async (t) => {
	const ssh = await listenTcp(t, {
		onConnection(socket) {
			socket.write('SSH-2.0-OpenSSH_9.2p1\r\n');
		},
	});
	const {result, elapsedMs} = await identify(ssh.port, 'domain', 53);
	t.like(result, {kind: 'SSH', mismatch: 'expected DNS, answered SSH'});
	quickly(t, elapsedMs);
});

test('a TLS alert in answer to plain HTTP means TLS: a ClientHello on a second connection gets the version', async (t) => {
	const server = await responder(t, (request) =>
		request[0] === 0x16
			? serverHello13()
			: Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a]),
	);
	const {result} = await identify(server.port, 'http-alt', 8080);
	t.like(result, {
		kind: 'TLS',
		answered: 'TLS 1.3 (HTTPS)',
		mismatch: 'expected HTTP, answered TLS',
	});
	// Connections that sent nothing are left out: on a loaded machine the connect's RTT may be
	// measured again on connections of its own (tcp.ts), which say nothing to the server.
	const spoken = server.received.filter((bytes) => bytes.length > 0);
	t.is(String(spoken[0]), 'HEAD / HTTP/1.0\r\n\r\n');
	t.is(spoken[1]?.[0], 0x16);
});

test("nginx's 400 to HEAD names the server behind the TLS: a ClientHello for the version, and no handshake", async (t) => {
	const server = await responder(t, (request) =>
		request[0] === 0x16
			? serverHello13()
			: Buffer.from(
					'HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n\r\n',
				),
	);
	const {result} = await identify(server.port, 'http-alt', 8080);
	t.like(result, {
		kind: 'TLS',
		answered: 'TLS 1.3 (HTTPS); HTTP nginx/1.22.1',
		mismatch: 'expected HTTP, answered TLS',
	});
	const spoken = server.received.filter((bytes) => bytes.length > 0);
	t.is(spoken.length, 2, 'HEAD, then one ClientHello');
	t.is(String(spoken[0]), 'HEAD / HTTP/1.0\r\n\r\n');
	t.is(spoken[1]?.[0], 0x16);
});

test('an HTTPS port whose 400 to plain HEAD names the server is named so, without a handshake', async (t) => {
	const server = await responder(t, (request) =>
		request[0] === 0x16
			? serverHello13()
			: Buffer.from(
					'HTTP/1.1 400 Bad Request\r\nServer: Apache/2.4.62\r\n\r\n',
				),
	);
	const {result} = await identify(server.port, 'https', 443);
	t.like(result, {
		kind: 'TLS',
		answered: 'TLS 1.3; HTTP Apache/2.4.62',
		mismatch: undefined,
	});
	const spoken = server.received.filter((bytes) => bytes.length > 0);
	t.is(spoken.length, 2, 'a ClientHello, then HEAD');
	t.is(spoken[0]?.[0], 0x16);
	t.is(String(spoken[1]), 'HEAD / HTTP/1.0\r\n\r\n');
});

test('a 400 to HEAD from a server that is plain HTTP after all stays HTTP', async (t) => {
	const server = await responder(t, (request) =>
		request[0] === 0x16
			? Buffer.from('HTTP/1.1 400 Bad Request\r\nServer: picky\r\n\r\n')
			: Buffer.from('HTTP/1.1 400 Bad Request\r\nServer: picky\r\n\r\n'),
	);
	const {result} = await identify(server.port, 'http', 80);
	t.like(result, {kind: 'HTTP', answered: 'HTTP picky', mismatch: undefined});
});

test("nginx's and Apache's plain-to-TLS pages read as TLS", (t) => {
	for (const page of [
		'The plain HTTP request was sent to HTTPS port',
		"You're speaking plain HTTP to an SSL-enabled server port.",
	]) {
		t.like(
			classifyAnswer(
				Buffer.from(
					`HTTP/1.1 400 Bad Request\r\nServer: x\r\nContent-Length: ${page.length}\r\n\r\n${page}`,
				),
			),
			{kind: 'TLS', answered: 'TLS (HTTPS)'},
		);
	}
});

test('a silent service on an unknown port costs one nudge and the budget, no more', async (t) => {
	const server = await responder(t, () => undefined);
	const started = performance.now();
	const result = await identifyTcp({...local(server.port), budgetMs: 400});
	const elapsedMs = performance.now() - started;
	t.deepEqual(result, {kind: 'unknown', bytes: 0});
	t.is(String(server.received[0]), 'HEAD / HTTP/1.0\r\n\r\n');
	t.true(elapsedMs >= 390, `took ${elapsedMs} ms`);
});

test('--timeout bounds identification: the budget is what the connect left of it', async (t) => {
	const server = await responder(t, () => undefined);
	const started = performance.now();
	await identifyTcp({
		...local(server.port),
		timeoutMs: 300,
		rttMs: 100,
		budgetMs: 30_000,
	});
	const elapsedMs = performance.now() - started;
	t.true(elapsedMs < 5000, `took ${elapsedMs} ms`);
	t.true(elapsedMs >= 190, `took ${elapsedMs} ms`);
});

/** A valid answer to each speaker's request, for the fuzz below. */
const answers: Array<[Speaker, (request: Bytes) => Bytes]> = [
	[dnsSpeaker, (request) => dnsTcpReply(request, 'bind 9.18 \u001B]0;x\u0007')],
	[
		ldapSpeaker,
		(request) =>
			ldapRootDseReply(request, {
				supportedLDAPVersion: ['2', '3'],
				vendorName: ['\u009B31m evil'],
			}),
	],
	[rpcSpeaker, (request) => rpcTcpReply(request)],
	[smbSpeaker, () => smb2NegotiateResponse(0x03_11, 1)],
	[postgresSpeaker, () => Buffer.from('S')],
	[
		redisSpeaker,
		() => Buffer.from('-DENIED Redis is running in protected mode\r\n'),
	],
	[mysqlSpeaker, () => mysqlGreeting('8.0.36\u001B[2J')],
	[tlsSpeaker, () => serverHello13()],
	[
		httpSpeaker,
		() => Buffer.from('HTTP/1.1 200 OK\r\nServer: nginx\u001B[31m\r\n\r\n'),
	],
];

test('readers never throw and never pass a control character, whatever the bytes', (t) => {
	let readings = 0;
	const unsafe: string[] = [];
	for (const [speaker, answer] of answers) {
		const request = Buffer.from(speaker.request?.() ?? new Uint8Array(0));
		const valid = answer(request);
		// Random bytes, random bytes behind a valid start, every truncation and single-byte flip of a valid answer.
		const inputs = fuzzInputs(valid, {
			prefix: valid.subarray(0, 6),
			count: 1000,
			maxLength: 160,
		});

		for (const input of inputs) {
			const reading = speaker.read(input, request);
			if (reading !== undefined && reading !== 'partial') {
				readings++;
				if (controlCharacters.test(reading.answered)) {
					unsafe.push(`${speaker.kind}: ${JSON.stringify(reading.answered)}`);
				}
			}

			const classified = classifyAnswer(input);
			if (classified.answered && controlCharacters.test(classified.answered)) {
				unsafe.push(`classify: ${JSON.stringify(classified.answered)}`);
			}
		}

		// The valid answer reads, and nothing of it leaks raw.
		t.not(
			speaker.read(valid, request),
			undefined,
			`${speaker.kind} reads its own answer`,
		);
	}

	t.deepEqual(unsafe, []);
	// Flips keep many answers valid; a reader that always said undefined would fail here.
	t.true(readings > 200);
});

test('a binary greeting without a line end is read at the end of the greeting wait, not the budget', async (t) => {
	const {port} = await listenTcp(t, {
		onConnection(socket) {
			socket.write(Buffer.from([0x00, 0x01, 0x02, 0x03]));
		},
	});
	const started = performance.now();
	const result = await identifyTcp({...local(port), budgetMs: 30_000});
	t.like(result, {kind: 'unknown', bytes: 4});
	t.true(performance.now() - started < 10_000);
});
