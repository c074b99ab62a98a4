import test from 'ava';
import {resolveTarget} from '../source/probe/targets.js';

// Only inputs that never reach a DNS server: literals, localhost, and names refused before
// lookup. A name that does not resolve is tested inside a network namespace (probe-netns).

test('IPv4 and IPv6 literals are taken as they are', async (t) => {
	t.deepEqual(await resolveTarget('127.0.0.1'), {
		host: '127.0.0.1',
		isResolved: true,
		addresses: [{address: '127.0.0.1', family: 4}],
	});
	t.deepEqual(await resolveTarget('::1'), {
		host: '::1',
		isResolved: true,
		addresses: [{address: '::1', family: 6}],
	});
	t.deepEqual(await resolveTarget('::ffff:127.0.0.1'), {
		host: '::ffff:127.0.0.1',
		isResolved: true,
		addresses: [{address: '::ffff:127.0.0.1', family: 6}],
	});
});

test('an IPv6 literal in brackets loses its brackets; the host stays as given', async (t) => {
	t.deepEqual(await resolveTarget('[::1]'), {
		host: '[::1]',
		isResolved: true,
		addresses: [{address: '::1', family: 6}],
	});
});

test('localhost is both loopbacks, whatever /etc/hosts says', async (t) => {
	for (const host of ['localhost', 'LOCALHOST', 'localhost.', ' localhost ']) {
		// eslint-disable-next-line no-await-in-loop -- a handful, in order
		t.deepEqual(await resolveTarget(host), {
			host,
			isResolved: true,
			addresses: [
				{address: '127.0.0.1', family: 4},
				{address: '::1', family: 6},
			],
		});
	}
});

const invalid: Array<[string, RegExp]> = [
	['', /empty host name/v],
	['   ', /empty host name/v],
	['[::1', /not a valid IPv6 address/v],
	['[localhost]', /not a valid IPv6 address in brackets/v],
	['::g', /not a valid IPv6 address/v],
	['999.1.1.1', /not a valid IPv4 address/v],
	['10.1', /not a valid IPv4 address/v],
	['bad host', /not a valid host name/v],
	['-leading.example', /not a valid host name/v],
	['a..b', /not a valid host name/v],
	[`${'a'.repeat(64)}.example`, /not a valid host name/v],
	['evil\u001B]0;title\u0007', /not a valid host name/v],
];

for (const [host, error] of invalid) {
	test(`${JSON.stringify(host)} is an unresolved target, not a throw`, async (t) => {
		const target = await resolveTarget(host);
		t.like(target, {host, isResolved: false});
		t.regex((target as {error: string}).error, error);
		// The message quotes the host sanitised: no escape sequence reaches the terminal.
		t.false((target as {error: string}).error.includes('\u001B'));
	});
}

test('an aborted signal rejects', async (t) => {
	const controller = new AbortController();
	controller.abort();
	await t.throwsAsync(resolveTarget('localhost', {signal: controller.signal}), {
		name: 'AbortError',
	});
});
