import {parsePortSpec} from '../args.js';
import {loadCatalogue} from '../catalogue/load.js';
import {sweep} from '../probe/index.js';
import {
	dumbTerminalHint,
	formatSnapshot,
	noTerminalHint,
	snapshotPairs,
} from './snapshot.js';

export type PrintSnapshotOptions = {
	readonly host: string;
	/** PORTS as given (`22,8080`): exactly those, in the catalogue or not, as the dashboard watches them. */
	readonly ports?: string;
	readonly timeoutMs: number | undefined;
	readonly userFile: string | undefined;
	readonly stdout: NodeJS.WritableStream;
	readonly stderr: NodeJS.WritableStream;
	/** There is a terminal, but a dumb one (TERM=dumb or unset): the hint says so. */
	readonly isDumbTerminal?: boolean;
};

/**
 * What `portui` does without a terminal (ssh without -t, a pipe, cron) or on a dumb one: Ink would fail to set raw
 * mode, so instead one sweep of the curated and user ports (or of PORTS, as the dashboard would
 * watch them), printed plain, and a hint on stderr. Exit status 0 when the snapshot printed, 1
 * when the host did not resolve; a bad PORTS is a UsageError (exit 2) before anything is sent.
 */
export async function printSnapshot(
	options: PrintSnapshotOptions,
): Promise<number> {
	const catalogue = await loadCatalogue({
		userFile: options.userFile,
		registry: false,
		systemServices: false,
	});
	const describe = ({
		port,
		protocol,
	}: {
		port: number;
		protocol: 'tcp' | 'udp';
	}) => catalogue.byPair(port, protocol);
	const snapshot = await sweep({
		host: options.host,
		pairs: snapshotPairs(
			options.ports === undefined
				? catalogue.curated
				: parsePortSpec(options.ports, catalogue),
		),
		timeoutMs: options.timeoutMs,
		expect: describe,
		// What answered, as `probe` says it: the SSH banner, the HTTP server.
		identify: (pair) => pair.protocol === 'tcp',
	});
	options.stdout.write(`${formatSnapshot(snapshot, describe).join('\n')}\n`);
	options.stderr.write(
		`${options.isDumbTerminal ? dumbTerminalHint : noTerminalHint}\n`,
	);
	return snapshot.target.isResolved ? 0 : 1;
}
