import {Buffer} from 'node:buffer';
import {randomBytes, randomInt} from 'node:crypto';
import type {Bytes} from '../../source/probe/payloads/payload.js';

/**
 * Inputs for a parser fuzz: `count` random byte strings, `count` more behind `prefix` (the right
 * id, a valid start), then every truncation and four single-byte flips per byte of `valid`.
 */
export function fuzzInputs(
	valid: Bytes,
	options: {
		readonly prefix: Uint8Array;
		readonly count: number;
		readonly maxLength: number;
	},
): Bytes[] {
	const inputs: Bytes[] = [];
	for (let index = 0; index < options.count; index++) {
		inputs.push(
			randomBytes(randomInt(0, options.maxLength)),
			Buffer.concat([
				options.prefix,
				randomBytes(randomInt(0, options.maxLength)),
			]),
		);
	}

	for (let length = 0; length <= valid.length; length++) {
		inputs.push(valid.subarray(0, length));
	}

	for (let index = 0; index < valid.length * 4; index++) {
		const flipped = Buffer.from(valid);
		flipped[index % valid.length] = randomInt(0, 256);
		inputs.push(flipped);
	}

	return inputs;
}
