import process from 'node:process';
import type * as NodeCrypto from 'node:crypto';

/**
 * Node:crypto, loaded at the first probe that needs a random id rather than at start-up, where it
 * cost the dashboard 8 ms before its first frame; only a UDP payload or a TLS hello needs it.
 */
let crypto: typeof NodeCrypto | undefined;
const load = () => {
	crypto ??= process.getBuiltinModule('node:crypto');
	return crypto;
};

/** `size` random bytes, for nonces and ids an answer must echo. */
export const randomBytes = (size: number) => load().randomBytes(size);

/** A random whole number from `min` up to, not including, `max`. */
export const randomInt = (min: number, max: number) =>
	load().randomInt(min, max);
