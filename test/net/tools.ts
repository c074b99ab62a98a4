/* Running portui, nmap and small listeners inside the namespaces of topology.ts. */
import path from 'node:path';
import process from 'node:process';
import type {ChildResult} from '../helpers/child.js';
import {root, type Topology} from './topology.js';

/**
 * The binary under test: bin/portui.js of this checkout, or PORTUI_TEST_BIN (a build of another
 * commit, to show that a test fails without its fix).
 */
export const portuiBin =
	process.env.PORTUI_TEST_BIN ?? path.join(root, 'bin', 'portui.js');

export async function portui(
	topology: Topology,
	args: readonly string[],
): Promise<ChildResult & {readonly ms: number}> {
	const started = performance.now();
	const result = await topology.run(topology.client, process.execPath, [
		portuiBin,
		...args,
	]);
	return {...result, ms: performance.now() - started};
}

export type ProbeJson = {
	readonly results: ReadonlyArray<{
		readonly port: number;
		readonly protocol: string;
		readonly state: string;
		readonly reason: string;
		readonly rttMs?: number;
		readonly addresses?: ReadonlyArray<{state: string; reason: string}>;
	}>;
};

/** `portui probe HOST PORTS --json ...` in the client namespace, parsed. */
export async function portuiProbe(
	topology: Topology,
	host: string,
	ports: string,
	extra: readonly string[] = [],
): Promise<ProbeJson & {readonly ms: number}> {
	const result = await portui(topology, [
		'probe',
		host,
		ports,
		'--json',
		...extra,
	]);
	if (result.status !== 0) {
		throw new Error(`portui probe exited ${result.status}: ${result.stderr}`);
	}

	return {...(JSON.parse(result.stdout) as ProbeJson), ms: result.ms};
}

export type NmapPort = {
	readonly port: number;
	readonly state: string;
	readonly reason: string;
};

/** Nmap in the client namespace (-Pn: no host discovery, so the port states are its own), its ports parsed from -oX. */
export async function nmap(
	topology: Topology,
	args: readonly string[],
): Promise<{readonly ports: NmapPort[]; readonly ms: number}> {
	const started = performance.now();
	const result = await topology.run(topology.client, 'nmap', [
		'-Pn',
		'-n',
		'-oX',
		'-',
		...args,
	]);
	const ms = performance.now() - started;
	if (result.status !== 0) {
		throw new Error(`nmap exited ${result.status}: ${result.stderr}`);
	}

	const ports: NmapPort[] = [];
	for (const match of result.stdout.matchAll(
		/<port protocol="\w+" portid="(\d+)"><state state="([^"]+)" reason="([^"]+)"/gv,
	)) {
		ports.push({port: Number(match[1]), state: match[2]!, reason: match[3]!});
	}

	// Ports nmap folds into <extraports>: one state for all of them.
	for (const match of result.stdout.matchAll(
		/<extraports state="([^"]+)" count="(\d+)">\s*<extrareasons reason="([^"]+)"/gv,
	)) {
		for (let count = Number(match[2]); count > 0; count--) {
			ports.push({port: 0, state: match[1]!, reason: match[3]!});
		}
	}

	return {ports, ms};
}

/** How many of `states` are each state: `{closed: 20}`. */
export function tally(states: Iterable<string>): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const state of states) {
		counts[state] = (counts[state] ?? 0) + 1;
	}

	return counts;
}
