import net from 'node:net';
import process from 'node:process';
import {domainToASCII} from 'node:url';
import {invalidHostName} from './host-name.js';
import {sanitize} from './sanitize.js';
import {abortReason} from './tcp.js';
import type {Family, ResolvedTarget} from './types.js';

type Address = {address: string; family: Family};

/** RFC 6761: `localhost` is the loopback of both families, whatever /etc/hosts says (some list only one). */
const localhostAddresses: readonly Address[] = [
	{address: '127.0.0.1', family: 4},
	{address: '::1', family: 6},
];

const lookupErrors: ReadonlyMap<string, string> = new Map([
	['ENOTFOUND', 'no such host'],
	['ENODATA', 'the name has no address'],
	['EAI_AGAIN', 'DNS did not answer (temporary failure)'],
	['EAI_FAIL', 'DNS failed'],
	['ESERVFAIL', 'DNS server failure'],
	['ETIMEOUT', 'DNS timed out'],
	['ECONNREFUSED', 'DNS server refused the query'],
]);

function errorCode(error: unknown): string {
	const code: unknown =
		error instanceof Error && 'code' in error ? error.code : undefined;
	return typeof code === 'string' ? code : 'error';
}

function unresolved(host: string, error: string): ResolvedTarget {
	return {host, isResolved: false, error};
}

function quoted(host: string): string {
	return JSON.stringify(sanitize(host, 80));
}

async function raceAbort<T>(
	promise: Promise<T>,
	signal: AbortSignal | undefined,
): Promise<T> {
	if (!signal) {
		return promise;
	}

	if (signal.aborted) {
		throw abortReason(signal);
	}

	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_resolve, reject) => {
		onAbort = () => {
			reject(abortReason(signal));
		};

		signal.addEventListener('abort', onAbort, {once: true});
	});

	try {
		return await Promise.race([promise, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort!);
	}
}

/** A host name through the system resolver, every address once, in the resolver's order. */
async function lookupName(
	host: string,
	name: string,
	signal: AbortSignal | undefined,
): Promise<ResolvedTarget> {
	try {
		const found = await raceAbort(
			// The resolver's module for a name only: an address needs none of it.
			process
				.getBuiltinModule('node:dns/promises')
				.lookup(domainToASCII(name), {all: true, verbatim: true}),
			signal,
		);
		const seen = new Set<string>();
		const addresses: Address[] = [];
		for (const {address, family} of found) {
			if ((family === 4 || family === 6) && !seen.has(address)) {
				seen.add(address);
				addresses.push({address, family});
			}
		}

		if (addresses.length === 0) {
			return unresolved(host, `${quoted(host)}: the name has no address`);
		}

		return {host, isResolved: true, addresses};
	} catch (error) {
		if (signal?.aborted) {
			throw abortReason(signal);
		}

		const code = errorCode(error);
		return unresolved(
			host,
			`${quoted(host)}: ${lookupErrors.get(code) ?? 'cannot resolve'} (${code})`,
		);
	}
}

/**
 * Every address of a host: IP literals as they are (`[::1]` unbracketed), `localhost` as
 * 127.0.0.1 and ::1, other names through the system resolver (`dns.lookup`, all addresses,
 * in its order). A host that is empty, malformed or does not resolve gives
 * `{isResolved: false, error}`; this only rejects with the abort reason when `signal` aborts.
 */
export async function resolveTarget(
	host: string,
	options: {readonly signal?: AbortSignal} = {},
): Promise<ResolvedTarget> {
	const {signal} = options;
	if (signal?.aborted) {
		throw abortReason(signal);
	}

	const trimmed = host.trim();
	if (trimmed === '') {
		return unresolved(host, 'empty host name');
	}

	const literal = /^\[(.*)\]$/v.exec(trimmed)?.[1] ?? trimmed;
	const version = net.isIP(literal);
	if (version === 4 || version === 6) {
		return {
			host,
			isResolved: true,
			addresses: [{address: literal, family: version}],
		};
	}

	if (literal !== trimmed) {
		return unresolved(
			host,
			`${quoted(host)}: not a valid IPv6 address in brackets`,
		);
	}

	if (/^localhost\.?$/iv.test(trimmed)) {
		return {
			host,
			isResolved: true,
			addresses: localhostAddresses.map((address) => ({...address})),
		};
	}

	const invalid = invalidHostName(trimmed);
	if (invalid) {
		return unresolved(host, `${quoted(host)}: ${invalid}`);
	}

	return lookupName(host, trimmed, signal);
}
