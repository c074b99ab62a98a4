import test from 'ava';
import {whyNoNamespaces} from './topology.js';

/** `test.serial`, or its skip with the one-line reason printed once when the suite cannot run here. */
export function namespaceTest() {
	const why = whyNoNamespaces();
	if (why === undefined) {
		return test.serial;
	}

	console.warn(`test/net: skipped: ${why}`);
	return test.serial.skip;
}
