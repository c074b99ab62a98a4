import {Buffer} from 'node:buffer';
import test from 'ava';
import {randomBytes, randomInt} from '../source/probe/random.js';

test('random bytes: the size asked, beyond the pool too, and not the same twice', (t) => {
	const a = randomBytes(32);
	const b = randomBytes(32);
	t.is(a.length, 32);
	t.false(a.equals(b));
	t.is(randomBytes(2000).length, 2000);
	// A copy, not a view of the pool: the next draws must not change what was handed out.
	const kept = Buffer.from(a);
	for (let index = 0; index < 40; index++) {
		randomBytes(32);
	}

	t.true(a.equals(kept));
});

test('random whole numbers stay in their span and reach both ends', (t) => {
	const seen = new Set<number>();
	for (let index = 0; index < 2000; index++) {
		const value = randomInt(3, 7);
		t.true(value >= 3 && value < 7, `${value} out of 3..6`);
		seen.add(value);
	}

	t.deepEqual(
		[...seen].toSorted((a, b) => a - b),
		[3, 4, 5, 6],
	);
	const wide = randomInt(0, 2 ** 32);
	t.true(Number.isInteger(wide) && wide >= 0 && wide < 2 ** 32);
	t.throws(() => randomInt(5, 5), {instanceOf: RangeError});
	t.throws(() => randomInt(0, 2 ** 33), {instanceOf: RangeError});
});
