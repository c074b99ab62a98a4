import type {TestFn} from 'ava';
import {
	createTopology,
	whyNoNamespaces,
	type Topology,
} from '../net/topology.js';
import {ensureBuilt} from './cli.js';

/**
 * `test.serial` of the test file's `test` (with the built binary made first), or its skip with the one-line reason printed
 * once when the suite cannot run here.
 */
export function namespaceTest(test: TestFn) {
	const why = whyNoNamespaces();
	if (why === undefined) {
		test.before(async () => {
			await ensureBuilt();
		});
		return test.serial;
	}

	console.warn(`test/net: skipped: ${why}`);
	return test.serial.skip;
}

/** A topology for one test, deleted when the test ends. */
export async function withTopology(
	t: {teardown(fn: () => void): void},
	options?: Parameters<typeof createTopology>[0],
): Promise<Topology> {
	const topology = await createTopology(options);
	t.teardown(() => {
		topology.close();
	});
	return topology;
}
