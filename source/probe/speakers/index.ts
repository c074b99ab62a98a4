import {dnsVersionPayload} from '../payloads/dns.js';
import {rpcPayload} from '../payloads/rpc.js';
import {dnsFraming, framedSpeaker, rpcFraming} from './framed.js';
import {httpSpeaker} from './http.js';
import {ldapSpeaker} from './ldap.js';
import {mysqlSpeaker} from './mysql.js';
import {postgresSpeaker} from './postgres.js';
import {redisSpeaker} from './redis.js';
import {smbSpeaker} from './smb.js';
import type {ServiceKind, Speaker} from './speaker.js';
import {tlsSpeaker} from './tls.js';

export {httpHead, httpSpeaker} from './http.js';
export {
	partial,
	type Reading,
	type ServiceKind,
	type Speaker,
} from './speaker.js';

const dnsSpeaker = framedSpeaker('DNS', dnsVersionPayload, dnsFraming);
const rpcSpeaker = framedSpeaker('RPC', rpcPayload, rpcFraming);

const speakers: readonly Speaker[] = [
	httpSpeaker,
	tlsSpeaker,
	dnsSpeaker,
	ldapSpeaker,
	rpcSpeaker,
	smbSpeaker,
	postgresSpeaker,
	redisSpeaker,
	mysqlSpeaker,
];

/** How to talk to the protocol expected on a port, when portui knows more than its greeting. */
export function speakerFor(kind: ServiceKind | undefined): Speaker | undefined {
	return speakers.find((speaker) => speaker.kind === kind);
}

/** Readers for answers nobody asked for: a greeting, or the answer to our nudge. */
export const unpromptedReaders: readonly Speaker[] = [
	tlsSpeaker,
	httpSpeaker,
	mysqlSpeaker,
];

export {dnsSpeaker, rpcSpeaker};

export {ldapSpeaker} from './ldap.js';
export {postgresSpeaker} from './postgres.js';
export {mysqlSpeaker} from './mysql.js';

export {redisSpeaker} from './redis.js';
export {smbSpeaker} from './smb.js';

export {tlsSpeaker} from './tls.js';
