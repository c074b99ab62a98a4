import type {Bytes} from '../payloads/payload.js';

export type ServiceKind =
	| 'SSH'
	| 'FTP'
	| 'SMTP'
	| 'POP3'
	| 'IMAP'
	| 'NNTP'
	| 'IRC'
	| 'HTTP'
	| 'TLS'
	| 'DNS'
	| 'LDAP'
	| 'RPC'
	| 'SMB'
	| 'PostgreSQL'
	| 'Redis'
	| 'MySQL'
	| 'unknown';

export type Reading = {
	readonly kind: ServiceKind;
	/** One line, built from fixed words and sanitised text only. */
	readonly answered: string;
	/** The answer says (or hints) that TLS listens here although we spoke plain text: ask with a ClientHello. */
	readonly isTlsBehind?: boolean;
	/** The evidence says the protocol inside the TLS is HTTP. */
	readonly isHttps?: boolean;
};

/** The answer so far is the start of this protocol's answer, and more bytes will complete it. */
export const partial = 'partial';

export type ReadResult = Reading | typeof partial | undefined;

/**
 * How portui talks to one TCP protocol: the first word it sends (absent for a protocol whose
 * server speaks first) and a reader of the answer.
 */
export type Speaker = {
	readonly kind: ServiceKind;
	/** A fresh request; ids random on every call. */
	readonly request?: (servername?: string) => Uint8Array;
	/**
	 * What the bytes so far say: a reading, `partial` while this protocol's answer is still
	 * arriving, or undefined when the bytes are not this protocol's answer to `request`.
	 * Never throws, whatever the bytes.
	 */
	readonly read: (data: Bytes, request: Bytes) => ReadResult;
};
