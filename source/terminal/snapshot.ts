import type {CatalogueEntry} from '../catalogue/types.js';
import {sanitize} from '../probe/sanitize.js';
import type {PortPair, ProbeResult, Snapshot} from '../probe/types.js';

/** Printed on stderr when there is no terminal to draw the dashboard on. */
export const noTerminalHint =
	'portui: no terminal here, so one snapshot instead of the dashboard; run with ssh -t for the dashboard, or use portui list/probe/wait/watch';

/** Printed on stderr when the terminal cannot address its cursor (TERM=dumb, or TERM unset). */
export const dumbTerminalHint =
	'portui: TERM is dumb or unset, so one snapshot instead of the full-screen dashboard; set TERM (xterm-256color) for the dashboard';

/** A terminal that cannot draw the dashboard: no cursor addressing, no alternate screen. */
export const isDumbTerminal = (
	env: Readonly<Record<string, string | undefined>>,
) => !env['TERM'] || env['TERM'] === 'dumb';

/**
 * The ports a snapshot sweeps, each once, in port order: the ports given, or each curated or user
 * entry, a range by its first port (a snapshot of X11's 64 displays says no more than display 0
 * does).
 */
export function snapshotPairs(entries: readonly PortPair[]): PortPair[] {
	const seen = new Set<string>();
	const pairs: PortPair[] = [];
	for (const {port, protocol} of entries) {
		const key = `${port}/${protocol}`;
		if (!seen.has(key)) {
			seen.add(key);
			pairs.push({port, protocol});
		}
	}

	return pairs.toSorted(
		(a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol),
	);
}

const formatRtt = (result: ProbeResult) =>
	result.rttMs === undefined ? '-' : `${result.rttMs.toFixed(1)}ms`;

function formatRow(
	result: ProbeResult,
	entry: CatalogueEntry | undefined,
): string {
	const what = [result.answered, result.mismatch]
		.filter(Boolean)
		.map((text) => sanitize(text!, 80));
	return [
		`${result.port}/${result.protocol}`.padEnd(11),
		result.state.padEnd(14),
		sanitize(entry?.service ?? '-', 16).padEnd(16),
		formatRtt(result).padStart(8),
		what.join('; '),
	]
		.join(' ')
		.trimEnd();
}

const addresses = (snapshot: Snapshot) =>
	snapshot.target.isResolved
		? snapshot.target.addresses.map(({address}) => address).join(', ')
		: '';

/**
 * One plain line a port (no colour, no escape sequence, every name and answer sanitized) under a
 * `#` header line, so a pipe, a log file or `grep open` all read it.
 */
export function formatSnapshot(
	snapshot: Snapshot,
	describe: (pair: PortPair) => CatalogueEntry | undefined,
): string[] {
	const host = sanitize(snapshot.host, 80);
	if (!snapshot.target.isResolved) {
		return [
			`# portui snapshot of ${host}: cannot resolve (${sanitize(snapshot.target.error, 80)})`,
		];
	}

	const open = snapshot.results.filter(
		(result) => result.state === 'open',
	).length;
	const elapsedMs = snapshot.finishedAt - snapshot.startedAt;
	const took =
		elapsedMs < 1000
			? `${Math.round(elapsedMs)}ms`
			: `${(elapsedMs / 1000).toFixed(1)}s`;
	const header = `# portui snapshot of ${host} (${addresses(snapshot)}) at ${new Date(snapshot.finishedAt).toISOString()}: ${open} open of ${snapshot.results.length} ports in ${took}`;
	const columns = `# ${'port'.padEnd(9)} ${'state'.padEnd(14)} ${'service'.padEnd(16)} ${'rtt'.padStart(8)} answered`;
	const rows = snapshot.results
		.toSorted((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol))
		.map((result) => formatRow(result, describe(result)));
	return [header, columns, ...rows];
}
