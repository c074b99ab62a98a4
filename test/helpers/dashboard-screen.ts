import type {PtySession} from './pty.js';

/** The dashboard's header: host, filter, counts, sweep age. */
export const header = (session: PtySession) => session.lines[0] ?? '';

/** With several hosts, the line under the header: each host's figures. */
export const hostLine = (session: PtySession) => session.lines[1] ?? '';

/** The screen line of the catalogue row of `port` (with its live cells beside it), or ''. */
export const rowOf = (session: PtySession, port: number) =>
	session.lines.find((line) =>
		new RegExp(`[┃│] [ >*]+${port} `, 'v').test(line),
	) ?? '';
