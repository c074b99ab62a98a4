import type {CatalogueEntry} from '../catalogue/types.js';
import type {LiveRow} from '../state/live-state.js';
import type {LocalSocket} from '../probe/types.js';
import {formatClock, formatRtt, layLines} from './format.js';

export type DetailOptions = {
	readonly width: number;
	readonly lines: number;
	readonly isAscii: boolean;
};

const dot = (isAscii: boolean) => (isAscii ? ' | ' : ' · ');

/** The selected entry in full: names, daemons, launch, verdict, remark, and where the old page was wrong. */
export function entryDetail(
	entry: CatalogueEntry,
	{width, lines, isAscii}: DetailOptions,
): string[] {
	const separator = dot(isAscii);
	const title = [
		`${entry.id} ${entry.service}: ${entry.longName || 'no description'}`,
		entry.isPrivileged ? 'privileged (root binds it)' : '',
		entry.verdict ?? '',
		entry.isTls ? 'TLS' : '',
	]
		.filter(Boolean)
		.join(separator);
	const how = [
		`daemons: ${entry.daemons.join(', ') || 'none known'}`,
		entry.launch.length > 0 ? `launch: ${entry.launch.join(', ')}` : '',
		entry.aliases.length > 0 ? `aka ${entry.aliases.join(', ')}` : '',
		entry.source === 'iana'
			? "from IANA's registry"
			: entry.source === 'services'
				? 'from /etc/services'
				: '',
	]
		.filter(Boolean)
		.join(separator);
	// The old page's claim is one short line and the reason many look an entry up: before the remark,
	// which is long and is the one cut when the strip is short.
	const segments = [title, how];
	if (entry.pageClaim) {
		segments.push(`old page said: ${entry.pageClaim}`);
	}

	if (entry.remark) {
		segments.push(entry.remark);
	}

	return layLines(segments, width, lines, dot(isAscii));
}

export type LiveDetailInput = {
	readonly entry: CatalogueEntry;
	readonly host: string;
	readonly row?: LiveRow;
	/** The local socket on this port, when the target is this machine. */
	readonly socket?: LocalSocket;
	readonly isLocal: boolean;
	/** Whether the socket's process is a daemon the catalogue expects; undefined when it cannot be said. */
	readonly isExpected?: boolean;
	/** A host read over SSH: inside beside outside (`listening on loopback only`). */
	readonly verdict?: string;
};

/** The live probe of the selected port in full: every address, what answered, and who holds it here. */
export function liveDetail(
	{entry, host, row, socket, isLocal, isExpected, verdict}: LiveDetailInput,
	{width, lines, isAscii}: DetailOptions,
): string[] {
	const key = entry.id;
	if (!row) {
		return layLines(
			[`${key} on ${host}: not probed yet`],
			width,
			lines,
			dot(isAscii),
		);
	}

	const separator = dot(isAscii);
	const rtt = formatRtt(row.rttMs);
	const segments = [
		[
			`${key} on ${host}: ${row.state} (${row.reason})`,
			row.unconfirmed ? `last probe read ${row.unconfirmed}, confirming` : '',
			rtt ? `rtt ${rtt}` : '',
			row.isSinceObserved
				? `since ${row.changedAfter === undefined ? '' : `${formatClock(row.changedAfter)}-`}${formatClock(row.since)}`
				: `seen since ${formatClock(row.since)}`,
		]
			.filter(Boolean)
			.join(separator),
		`addresses: ${row.addresses || 'none'}`,
	];
	if (row.answered) {
		// A range's row names its open ports first (`6000, 6010: X11`).
		segments.push(
			`${entry.endPort === entry.port ? 'answered' : 'open on'}: ${row.answered}`,
		);
	}

	if (row.mismatch) {
		segments.push(`not what the catalogue expects: ${row.mismatch}`);
	}

	if (isLocal) {
		segments.push(localOwnerText(entry, socket, isExpected));
	} else if (verdict !== undefined) {
		segments.push(
			socket
				? `${localOwnerText(entry, socket, isExpected)} there; ${verdict}`
				: verdict,
		);
	}

	return layLines(segments, width, lines, dot(isAscii));
}

function localOwnerText(
	entry: CatalogueEntry,
	socket: LocalSocket | undefined,
	isExpected: boolean | undefined,
): string {
	if (!socket) {
		return 'no socket here takes what answered';
	}

	if (!socket.process) {
		return socket.ownerHidden ?? 'owner unknown';
	}

	const owner = `held by ${socket.process}${socket.pid === undefined ? '' : ` (pid ${socket.pid})`}`;
	if (isExpected === undefined) {
		return owner;
	}

	return isExpected
		? `${owner}: the expected daemon`
		: `${owner}: expected ${entry.daemons.join(' or ') || 'another daemon'}`;
}

/** A listening socket in full: its owners, and what the catalogue says about its port. */
export function socketDetail(
	socket: LocalSocket,
	entry: CatalogueEntry | undefined,
	isExpected: boolean | undefined,
	{width, lines, isAscii}: DetailOptions,
): string[] {
	const separator = dot(isAscii);
	const owners =
		socket.owners && socket.owners.length > 1
			? `held by ${socket.owners.map((owner) => `${owner.process} (pid ${owner.pid})`).join(', ')}`
			: socket.process
				? `held by ${socket.process}${socket.pid === undefined ? '' : ` (pid ${socket.pid})`}`
				: (socket.ownerHidden ?? 'owner unknown');
	const segments = [
		[
			`${socket.protocol} ${socket.address} port ${socket.port}`,
			owners,
			`uid ${socket.uid}`,
		].join(separator),
	];
	if (entry) {
		segments.push(
			[
				`${entry.id} ${entry.service}: ${entry.longName}`,
				`daemons: ${entry.daemons.join(', ') || 'none known'}`,
				isExpected === undefined
					? ''
					: isExpected
						? 'the expected daemon'
						: 'not an expected daemon',
				entry.verdict ?? '',
			]
				.filter(Boolean)
				.join(separator),
		);
	} else {
		segments.push('not in the catalogue');
	}

	return layLines(segments, width, lines, dot(isAscii));
}
