import stringWidth from 'string-width';
import type {CatalogueEntry} from '../catalogue/types.js';
import {sanitize} from '../probe/sanitize.js';
import type {LocalSocket, SocketHolder} from '../probe/types.js';
import type {LiveRow} from '../state/live-state.js';
import {fitText} from '../text/fit.js';
import {formatClock, formatRtt, layLines, stateLabel} from './format.js';

export type DescribeLine = {
	readonly text: string;
	/** A section's title: drawn in bold. */
	readonly isHeading?: boolean;
};

export type DescribeInput = {
	/** The catalogue entry of the port, if it has one (a socket in the `l` view may not). */
	readonly entry?: CatalogueEntry;
	/** `22/tcp`, `6000-6063/tcp`. */
	readonly id: string;
	readonly host: string;
	/** The live probe of the port by the running watch; undefined: not probed yet. */
	readonly row?: LiveRow;
	readonly isLocal: boolean;
	/** This machine's listening sockets on the port (or range); only read for a local target. */
	readonly sockets: readonly LocalSocket[];
	/** Whether the sockets of this machine could be read, and why not. */
	readonly socketsNote?: string;
	/** User names by uid. */
	readonly userNames: ReadonlyMap<number, string>;
	readonly width: number;
	readonly isAscii: boolean;
};

/** Text wrapped at `width` cells after `indent`, every word kept (a banner is read in full here). */
function wrapped(text: string, width: number, indent = ''): DescribeLine[] {
	// A line that fits keeps its spacing (the address table lines up).
	if (stringWidth(indent) + stringWidth(text) <= width) {
		return [{text: `${indent}${text}`}];
	}

	return layLines([text], Math.max(10, width - indent.length), 10_000).map(
		(line) => ({text: `${indent}${line}`}),
	);
}

const seenSince = (since: number, isObserved: boolean, isAscii: boolean) =>
	isObserved
		? `since ${formatClock(since)}`
		: `${isAscii ? '>=' : '≥'}${formatClock(since)} (so at the first look)`;

function catalogueSection(
	entry: CatalogueEntry,
	width: number,
): DescribeLine[] {
	const lines: DescribeLine[] = [
		{text: `${entry.id} ${entry.service}: ${entry.longName}`, isHeading: true},
		...wrapped(
			[
				`verdict: ${entry.verdict ?? 'none given'}`,
				entry.isPrivileged ? 'privileged (root binds it)' : '',
				entry.isTls ? 'TLS from the first byte' : '',
				`source: ${entry.source}`,
			]
				.filter(Boolean)
				.join('; '),
			width,
		),
		...wrapped(`daemons: ${entry.daemons.join(', ') || 'none known'}`, width),
		...wrapped(`launch: ${entry.launch.join(', ') || 'not known'}`, width),
	];
	if (entry.aliases.length > 0) {
		lines.push(...wrapped(`aka ${entry.aliases.join(', ')}`, width));
	}

	if (entry.pageClaim) {
		lines.push(...wrapped(`the old page claimed: ${entry.pageClaim}`, width));
	}

	if (entry.remark) {
		lines.push({text: ''}, ...wrapped(entry.remark, width));
	}

	return lines;
}

function probeSection(
	{id, host, row, isAscii}: DescribeInput,
	width: number,
): DescribeLine[] {
	const heading: DescribeLine = {
		text: `${id} on ${sanitize(host, 80)}`,
		isHeading: true,
	};
	if (!row) {
		return [heading, {text: 'not probed yet by this watch'}];
	}

	const rtt = formatRtt(row.rttMs);
	const lines: DescribeLine[] = [
		heading,
		...wrapped(
			[
				`${stateLabel(row.state)} (${row.reason})`,
				rtt ? `rtt ${rtt}` : '',
				seenSince(row.since, row.isSinceObserved, isAscii),
				row.unconfirmed
					? `the last probe read ${row.unconfirmed}, confirming`
					: '',
			]
				.filter(Boolean)
				.join('; '),
			width,
		),
	];
	const perAddress = row.perAddress ?? [];
	if (perAddress.length > 0) {
		const addressWidth = Math.max(
			...perAddress.map((probe) => probe.address.length),
		);
		for (const probe of perAddress) {
			const since = probe.isSinceObserved
				? `since ${formatClock(probe.since)}`
				: `${isAscii ? '>=' : '≥'}${formatClock(probe.since)}`;
			lines.push({
				text: fitText(
					[
						`  IPv${probe.family} ${probe.address.padEnd(addressWidth)}`,
						stateLabel(probe.state).padEnd(8),
						probe.reason.padEnd(10),
						(formatRtt(probe.rttMs) || '-').padStart(5),
						since,
					].join('  '),
					width,
				).trimEnd(),
			});
		}
	} else {
		lines.push(
			...wrapped(`addresses: ${row.addresses || 'none'}`, width, '  '),
		);
	}

	if (row.answered) {
		lines.push(...wrapped(`answered: ${row.answered}`, width));
	}

	if (row.mismatch) {
		lines.push(
			...wrapped(`not what the catalogue expects: ${row.mismatch}`, width),
		);
	}

	return lines;
}

/** One holder of a socket: a line of its own, then its command line. */
export function holderLines(
	socket: LocalSocket,
	holder: SocketHolder,
	userNames: ReadonlyMap<number, string>,
	width: number,
): DescribeLine[] {
	const user = userNames.get(socket.uid);
	const bind =
		socket.family === 6
			? `[${socket.address}]:${socket.port}`
			: `${socket.address}:${socket.port}`;
	return [
		...wrapped(
			[
				`pid ${holder.pid}`,
				`user ${user ? `${sanitize(user, 32)} (${socket.uid})` : socket.uid}`,
				`${socket.protocol} ${bind}`,
				holder.process,
			].join('  '),
			width,
			'  ',
		),
		...wrapped(holder.cmdline ?? '(command line not readable)', width, '    '),
	];
}

function holdersSection(
	{sockets, socketsNote, userNames}: DescribeInput,
	width: number,
): DescribeLine[] {
	const lines: DescribeLine[] = [
		{text: 'held on this machine by', isHeading: true},
	];
	if (socketsNote) {
		return [...lines, ...wrapped(socketsNote, width, '  ')];
	}

	if (sockets.length === 0) {
		return [...lines, {text: '  no listening socket here'}];
	}

	for (const socket of sockets) {
		const holders: readonly SocketHolder[] =
			socket.owners ??
			(socket.pid === undefined || !socket.process
				? []
				: [
						{pid: socket.pid, process: socket.process, cmdline: socket.cmdline},
					]);
		if (holders.length === 0) {
			lines.push(
				...wrapped(
					`${socket.protocol} ${socket.address}:${socket.port}  uid ${socket.uid}  ${socket.ownerHidden ?? 'owner unknown'}`,
					width,
					'  ',
				),
			);
		}

		for (const holder of holders) {
			lines.push(...holderLines(socket, holder, userNames, width));
		}
	}

	return lines;
}

/**
 * A port in full, for the describe view: the catalogue's word on it (remark, daemons, launch,
 * verdict, what the old page claimed), the running watch's probe of each address, the whole
 * answer, and on this machine every process that holds it.
 */
export function describeLines(input: DescribeInput): DescribeLine[] {
	const width = Math.max(20, input.width);
	const lines: DescribeLine[] = input.entry
		? catalogueSection(input.entry, width)
		: [{text: `${input.id}: not in the catalogue`, isHeading: true}];
	lines.push({text: ''}, ...probeSection(input, width));
	if (input.isLocal) {
		lines.push({text: ''}, ...holdersSection(input, width));
	}

	return lines;
}
