import {readFile} from 'node:fs/promises';
import {parseDuration, parseHost, parsePortSpec, UsageError} from '../args.js';
import type {Catalogue} from '../catalogue/load.js';
import {probeTimeoutBounds} from '../commands/results.js';
import type {PortPair} from '../probe/types.js';
import {quote} from '../text/quote.js';

/** What `/probe?module=NAME` sweeps. */
export type ProbeModule = {
	readonly pairs: readonly PortPair[];
	readonly timeoutMs?: number;
};

/**
 * The only targets and modules `/probe` answers for: like blackbox_exporter's config, but a
 * target must be named too, so the exporter is no relay into the network for whoever reaches it.
 */
export type ProbeConfig = {
	readonly targets: ReadonlySet<string>;
	readonly modules: ReadonlyMap<string, ProbeModule>;
};

const shape =
	'accepted: {"targets": ["HOST", ...], "modules": {"NAME": {"ports": "22,80", "timeout": "1s"}}}';

const maxConfigBytes = 1024 * 1024;

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function parseModule(
	name: string,
	raw: unknown,
	catalogue: Catalogue,
	fail: (why: string) => never,
): ProbeModule {
	if (!/^[\w.\-]{1,64}$/v.test(name)) {
		fail(`module name ${quote(name)}: letters, digits, _ . - only`);
	}

	if (!isRecord(raw)) {
		fail(`module ${quote(name)} is not an object`);
	}

	const unknown = Object.keys(raw).find(
		(key) => key !== 'ports' && key !== 'timeout',
	);
	if (unknown !== undefined) {
		fail(`module ${quote(name)}: unknown key ${quote(unknown)}`);
	}

	if (typeof raw['ports'] !== 'string') {
		fail(
			`module ${quote(name)} needs "ports", a string such as "22,80,53/udp"`,
		);
	}

	const {timeout} = raw;
	if (timeout !== undefined && typeof timeout !== 'string') {
		fail(`module ${quote(name)}: "timeout" is a string such as "1s"`);
	}

	return {
		pairs: parsePortSpec(raw['ports'], catalogue),
		...(timeout !== undefined && {
			timeoutMs: parseDuration(timeout, 'timeout', probeTimeoutBounds),
		}),
	};
}

/** Reads and checks the whole file; anything wrong is a UsageError naming the file and the fault. */
export async function loadProbeConfig(
	file: string,
	catalogue: Catalogue,
): Promise<ProbeConfig> {
	const fail = (why: string): never => {
		throw new UsageError(`bad --config ${quote(file)}: ${why}; ${shape}`);
	};

	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		return fail((error as NodeJS.ErrnoException).code ?? 'unreadable');
	}

	if (text.length > maxConfigBytes) {
		fail('larger than 1 MiB');
	}

	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		fail('not JSON');
	}

	if (!isRecord(raw) || !Array.isArray(raw['targets'])) {
		return fail('no "targets" list');
	}

	if (!isRecord(raw['modules'])) {
		return fail('no "modules" object');
	}

	const unknown = Object.keys(raw).find(
		(key) => key !== 'targets' && key !== 'modules',
	);
	if (unknown !== undefined) {
		fail(`unknown key ${quote(unknown)}`);
	}

	try {
		const targets = new Set(
			raw['targets'].map((target: unknown) =>
				typeof target === 'string'
					? parseHost(target)
					: fail('a target is not a string'),
			),
		);
		const modules = new Map(
			Object.entries(raw['modules']).map(([name, module]) => [
				name,
				parseModule(name, module, catalogue, fail),
			]),
		);
		return {targets, modules};
	} catch (error) {
		// A bad port or host inside: the same message, with the file it is in.
		if (
			error instanceof UsageError &&
			!error.message.startsWith('bad --config')
		) {
			fail(error.message);
		}

		throw error;
	}
}
