import {Buffer} from 'node:buffer';
import type net from 'node:net';
import https from 'node:https';
import tls from 'node:tls';
import test, {type ExecutionContext} from 'ava';
import {
	classifyAnswer,
	expectedKind,
	identifyTcp,
	type ServiceKind,
} from '../source/probe/identify.js';
import {connectTcp} from '../source/probe/tcp.js';
import {buildClientHello} from '../source/probe/tls-hello.js';
import {selfSignedPem} from './helpers/certificate.js';
import {
	catalogueEntry,
	hasUnsafeCharacter,
	httpServer,
	listenTcp,
	openFdCount,
	waitFor,
} from './helpers/probe-servers.js';

const esc = '\u001B';

const entry = catalogueEntry;

const local = (port: number) => ({
	address: '127.0.0.1',
	family: 4 as const,
	port,
});

async function greeter(t: ExecutionContext, greeting: string | Uint8Array) {
	return listenTcp(t, {
		onConnection(socket) {
			socket.write(greeting);
		},
	});
}

const pem = selfSignedPem();
const tlsTest = pem ? test : test.skip;

async function tlsServer(
	t: ExecutionContext,
	maxVersion: tls.SecureVersion = 'TLSv1.3',
) {
	const server = tls.createServer({...pem!, maxVersion}, (socket) => {
		socket.end();
	});
	server.on('tlsClientError', () => undefined);
	await new Promise<void>((resolve) => {
		server.listen(0, '127.0.0.1', resolve);
	});
	t.teardown(() => {
		server.close();
	});
	return (server.address() as net.AddressInfo).port;
}

test('an ssh-like greeting is SSH, as the entry expects', async (t) => {
	const {port} = await greeter(t, 'SSH-2.0-OpenSSH_9.6p1 Debian-3\r\n');
	const result = await identifyTcp({...local(port), entry: entry('ssh', 22)});
	t.deepEqual(result, {
		kind: 'SSH',
		expected: 'SSH',
		answered: 'SSH-2.0-OpenSSH_9.6p1 Debian-3',
		bytes: 32,
	});
});

test('an http port gets one HEAD request and reports the Server header', async (t) => {
	const server = await httpServer(t, 'nginx/1.24.0');
	const result = await identifyTcp({
		...local(server.port),
		entry: entry('http', 80),
	});
	t.like(result, {
		kind: 'HTTP',
		expected: 'HTTP',
		answered: 'HTTP nginx/1.24.0',
		mismatch: undefined,
	});
	t.deepEqual(server.requests, ['HEAD / HTTP/1.0']);
});

test('an http server without a Server header is still HTTP', async (t) => {
	const server = await httpServer(t);
	const result = await identifyTcp({
		...local(server.port),
		entry: entry('http-alt', 8080),
	});
	t.like(result, {kind: 'HTTP', answered: 'HTTP'});
});

test('mismatch: an HTTP server on a port the catalogue says is ssh', async (t) => {
	const server = await httpServer(t, 'Caddy');
	const result = await identifyTcp({
		...local(server.port),
		entry: entry('ssh', 22),
		// Long: the answer ends it; a loaded machine must not turn a slow answer into silence.
		budgetMs: 5000,
	});
	t.like(result, {
		kind: 'HTTP',
		expected: 'SSH',
		answered: 'HTTP Caddy',
		mismatch: 'expected SSH, answered HTTP',
	});
});

tlsTest(
	'a TLS port answers our ClientHello: TLS 1.3, and TLS 1.2 from a server capped there',
	async (t) => {
		const modern = await tlsServer(t);
		const old = await tlsServer(t, 'TLSv1.2');
		t.like(
			await identifyTcp({...local(modern), entry: entry('https', 443, true)}),
			{
				kind: 'TLS',
				answered: 'TLS 1.3',
				mismatch: undefined,
			},
		);
		t.like(
			await identifyTcp({...local(old), entry: entry('https', 443, true)}),
			{kind: 'TLS', answered: 'TLS 1.2'},
		);
	},
);

tlsTest(
	'inside the TLS of an HTTPS port, the web server is named as nmap -sV names it',
	async (t) => {
		const server = https.createServer(pem!, (_request, response) => {
			response.setHeader('Server', 'test-https/1.0');
			response.end();
		});
		server.on('tlsClientError', () => undefined);
		await new Promise<void>((resolve) => {
			server.listen(0, '127.0.0.1', resolve);
		});
		t.teardown(() => {
			server.closeAllConnections();
			server.close();
		});
		const {port} = server.address() as net.AddressInfo;
		t.like(
			await identifyTcp({...local(port), entry: entry('https', 443, true)}),
			{
				kind: 'TLS',
				answered: 'TLS 1.3; HTTP test-https/1.0',
				mismatch: undefined,
			},
		);
	},
);

test('mismatch: an SSH server on a TLS port', async (t) => {
	const {port} = await greeter(t, 'SSH-2.0-dropbear\r\n');
	const result = await identifyTcp({
		...local(port),
		entry: entry('imaps', 993, true),
	});
	t.like(result, {
		kind: 'SSH',
		expected: 'TLS',
		mismatch: 'expected TLS, answered SSH',
	});
});

test('hostile banner: escapes, OSC title, OSC 52, a 1 MB line and binary bytes come out inert and capped', async (t) => {
	let isClosedByProbe = false;
	const {port} = await listenTcp(t, {
		onConnection(socket) {
			socket.on('close', () => {
				isClosedByProbe = true;
			});
			socket.write(
				Buffer.concat([
					Buffer.from(
						`SSH-2.0-evil${esc}[2J${esc}[H${esc}]0;pwned${esc}\\${esc}]52;c;cm0gLXJmIH4=\u0007`,
					),
					// Every byte value but the newline, so the line runs on into the megabyte.
					Buffer.from(
						Array.from({length: 256}, (_, byte) => byte).filter(
							(byte) => byte !== 0x0a,
						),
					),
					Buffer.alloc(1024 * 1024, 0x41),
					Buffer.from('\r\n'),
				]),
			);
		},
	});
	const result = await identifyTcp({...local(port), entry: entry('ssh', 22)});
	t.is(result.kind, 'SSH');
	t.is(result.bytes, 4096);
	t.true(result.answered!.startsWith('SSH-2.0-evil'));
	t.true(result.answered!.includes('\uFFFD'));
	t.is([...result.answered!].length, 120);
	t.true(result.answered!.endsWith('A…'));
	t.false(hasUnsafeCharacter(result.answered!));
	t.false(result.answered!.includes('pwned'));
	t.false(result.answered!.includes('cm0g'));
	await waitFor(() => isClosedByProbe, 5000, 'the probe to hang up');
});

test('a silent service: no greeting, nudged with HEAD, nothing answered', async (t) => {
	const received: string[] = [];
	const {port} = await listenTcp(t, {
		onConnection(socket) {
			socket.on('data', (chunk) => {
				received.push(String(chunk));
			});
		},
	});
	const result = await identifyTcp({...local(port), budgetMs: 300});
	t.deepEqual(result, {kind: 'unknown', bytes: 0});
	await waitFor(() => received.length > 0, 5000, 'the nudge to arrive');
	t.deepEqual(received, ['HEAD / HTTP/1.0\r\n\r\n']);
});

test('a service that hangs up at once answers nothing', async (t) => {
	const {port} = await listenTcp(t);
	const result = await identifyTcp({
		...local(port),
		entry: entry('smtp', 25),
		budgetMs: 2000,
	});
	t.like(result, {
		kind: 'unknown',
		expected: 'SMTP',
		answered: undefined,
		mismatch: undefined,
	});
});

test('identification reuses a socket handed to it and closes it', async (t) => {
	const {port} = await greeter(t, '220 mail.example.org ESMTP Postfix\r\n');
	const {socket} = await connectTcp({...local(port), keepOpen: true});
	const result = await identifyTcp({
		...local(port),
		socket,
		entry: entry('smtp', 25),
	});
	t.like(result, {
		kind: 'SMTP',
		answered: '220 mail.example.org ESMTP Postfix',
	});
	t.true(socket!.destroyed);
});

test.serial(
	'abort during identification rejects and closes the socket',
	async (t) => {
		const {port} = await listenTcp(t, {
			onConnection() {
				// Silent: identification would wait its whole budget.
			},
		});
		const before = openFdCount();
		const controller = new AbortController();
		const identifying = identifyTcp({
			...local(port),
			budgetMs: 30_000,
			signal: controller.signal,
		});
		await waitFor(() => openFdCount() >= before + 2, 2000, 'the connection');
		controller.abort();
		await t.throwsAsync(identifying, {name: 'AbortError'});
		await waitFor(() => openFdCount() <= before + 1, 2000, 'our end to close');
	},
);

const greetings: Array<[string, ServiceKind, ServiceKind | undefined]> = [
	['220 (vsFTPd 3.0.5)\r\n', 'FTP', undefined],
	['220 mx.example.org ESMTP Exim 4.96\r\n', 'SMTP', undefined],
	['220 welcome\r\n', 'FTP', 'FTP'],
	['220 welcome\r\n', 'SMTP', 'SMTP'],
	['+OK Dovecot ready.\r\n', 'POP3', undefined],
	['* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n', 'IMAP', undefined],
	[
		'200 news.example.org InterNetNews NNRP server ready (posting ok)\r\n',
		'NNTP',
		undefined,
	],
	[
		':irc.example.net NOTICE * :*** Looking up your hostname...\r\n',
		'IRC',
		undefined,
	],
	['NOTICE AUTH :*** Processing connection\r\n', 'IRC', undefined],
	['HTTP/1.1 400 Bad Request\r\nServer: lighttpd\r\n\r\n', 'HTTP', undefined],
	['hello there\r\n', 'unknown', undefined],
];

for (const [greeting, kind, expected] of greetings) {
	test(`classify ${JSON.stringify(greeting.slice(0, 24))}${expected ? ` expecting ${expected}` : ''} as ${kind}`, (t) => {
		t.is(classifyAnswer(Buffer.from(greeting), expected).kind, kind);
	});
}

test('classify a TLS alert and our own ClientHello as TLS records', (t) => {
	t.deepEqual(
		classifyAnswer(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])),
		{
			kind: 'TLS',
			answered: 'TLS alert handshake_failure',
		},
	);
	t.is(classifyAnswer(buildClientHello('example.org')).kind, 'TLS');
});

test('what is expected: the entry first (TLS flag, service), then the port', (t) => {
	t.is(expectedKind(22), 'SSH');
	t.is(expectedKind(8000), 'HTTP');
	t.is(expectedKind(2222, entry('ssh', 2222)), 'SSH');
	t.is(expectedKind(465, entry('submissions', 465, true)), 'TLS');
	t.is(expectedKind(12_345), undefined);
});
