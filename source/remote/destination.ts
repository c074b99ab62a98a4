import {isIP, isIPv6} from 'node:net';
import {invalidHostName} from '../probe/host-name.js';

/** A host reached over SSH: `ssh://[user@]host[:port]`. */
export type SshDestination = {
	readonly user?: string;
	/** A host name or IP address, as ssh and the probes take it (no brackets). */
	readonly host: string;
	readonly port?: number;
	/** As given, for messages and as the host's label. */
	readonly text: string;
};

export const sshAccepted =
	'accepted: ssh://[USER@]HOST[:PORT] (ssh://db1, ssh://admin@10.0.0.5:2222, ssh://[fd00::5]:22)';

// A login name as useradd allows it: nothing ssh could read as an option or a second argument.
const userPattern = /^[a-z_][\w.\-]{0,31}\$?$/iv;

export const isSshUrl = (text: string) => text.startsWith('ssh://');

/** The destination of `ssh://…`, or why it is not one. */
export function parseSshUrl(text: string): SshDestination | string {
	const rest = text.slice('ssh://'.length);
	const match = /^(?:([^@]*)@)?(\[[^\]]*\]|[^:\[\]]*)(?::(\d{1,5}))?$/v.exec(
		rest,
	);
	if (!match) {
		return 'not a valid ssh:// address';
	}

	const [, user, hostPart = '', portText] = match;
	if (user !== undefined && !userPattern.test(user)) {
		return 'not a valid user name';
	}

	const bracketed = /^\[(.*)\]$/v.exec(hostPart)?.[1];
	const host = bracketed ?? hostPart;
	const isAddress =
		bracketed === undefined ? isIP(host) === 4 : isIPv6(bracketed);
	if (!isAddress && (bracketed !== undefined || invalidHostName(host))) {
		return 'not a valid host name or address';
	}

	const port = portText === undefined ? undefined : Number(portText);
	if (port !== undefined && (port < 1 || port > 65_535)) {
		return 'the port must be 1-65535';
	}

	return {
		text,
		host,
		...(user === undefined ? {} : {user}),
		...(port === undefined ? {} : {port}),
	};
}
