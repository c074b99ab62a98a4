import {Buffer} from 'node:buffer';
import {closeSync, openSync, readSync} from 'node:fs';
import process from 'node:process';
import type {Bytes} from './payloads/payload.js';

/**
 * Random bytes for the ids and nonces of probes (a DNS id, an LDAP message id, a ClientHello's
 * random), from the kernel's /dev/urandom a pool at a time. node:crypto would give the same
 * bytes, but loading it costs 3-8 ms of a one-shot probe here, more than the probes that use it;
 * it stays the fallback where /dev/urandom cannot be read.
 */
const pool = Buffer.alloc(512);
let used = pool.length;

function fill(buffer: Bytes): Bytes {
	try {
		const fd = openSync('/dev/urandom', 'r');
		try {
			let filled = 0;
			while (filled < buffer.length) {
				const count = readSync(
					fd,
					buffer,
					filled,
					buffer.length - filled,
					null,
				);
				if (count === 0) {
					throw new Error('/dev/urandom ended');
				}

				filled += count;
			}
		} finally {
			closeSync(fd);
		}
	} catch {
		process.getBuiltinModule('node:crypto').randomFillSync(buffer);
	}

	return buffer;
}

/** `size` random bytes, for nonces and ids an answer must echo. */
export function randomBytes(size: number): Bytes {
	if (size > pool.length) {
		return fill(Buffer.alloc(size));
	}

	if (used + size > pool.length) {
		fill(pool);
		used = 0;
	}

	used += size;
	return Buffer.from(pool.subarray(used - size, used));
}

/** A random whole number from `min` up to, not including, `max` (a span of at most 2^32), uniformly. */
export function randomInt(min: number, max: number): number {
	const span = max - min;
	if (!Number.isSafeInteger(min) || !(span >= 1 && span <= 2 ** 32)) {
		throw new RangeError(
			`randomInt: a span of 1 to 2^32 from ${min} to ${max}`,
		);
	}

	// The largest multiple of span that 32 bits hold: a value above it would favour the low end.
	const limit = Math.floor(2 ** 32 / span) * span;
	for (;;) {
		const value = randomBytes(4).readUInt32BE(0);
		if (value < limit) {
			return min + (value % span);
		}
	}
}
