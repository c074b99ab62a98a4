import {Buffer} from 'node:buffer';
import {randomInt} from '../random.js';
import {sanitize} from '../sanitize.js';
import {
	encodeInteger,
	octets,
	readChildren,
	readElement,
	readInteger,
	readOctets,
	tagNull,
	tagOctetString,
	tagOid,
	tagSequence,
	tlv,
	type Element,
} from './ber.js';
import {bufferOf, definePayload, type Bytes} from './payload.js';

// SNMP PDU tags (RFC 3416 §3, RFC 1157 §4.1).
const tagGetRequest = 0xa0;
const tagResponse = 0xa2;
const tagReport = 0xa8;

const community = 'public';
// 1.3.6.1.2.1.1.1.0 (sysDescr.0): the first two arcs pack into 40 * 1 + 3 = 43, then a byte per arc.
const sysDescrOid = Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0]);
// RFC 3584 §2.1: version 0 is v1 and 1 is v2c; RFC 3412 gives v3 the value 3.
const versionNames = new Map([
	[0, 'v1'],
	[1, 'v2c'],
	[3, 'v3'],
]);
const versionV2c = 1;
const versionV3 = 3;
const maxDescriptionLength = 60;

const newRequestId = () => randomInt(1, 0x7f_ff_ff_ff);

function getRequest(requestId: number, ...varbinds: Uint8Array[]): Bytes {
	return tlv(
		tagGetRequest,
		encodeInteger(requestId),
		encodeInteger(0), // Error-status
		encodeInteger(0), // Error-index
		tlv(tagSequence, ...varbinds),
	);
}

/** SNMPv2c GetRequest for sysDescr.0 with community `public` (RFC 1901, RFC 3416 §4.2.1). */
function build(): Uint8Array {
	const varbind = tlv(tagSequence, tlv(tagOid, sysDescrOid), tlv(tagNull));
	return tlv(
		tagSequence,
		encodeInteger(versionV2c),
		octets(community),
		getRequest(newRequestId(), varbind),
	);
}

type Message = {readonly version: number; readonly pdu: Element};

/** Message ::= SEQUENCE {version INTEGER, community OCTET STRING, data PDU} (RFC 1901 §3). */
function readMessage(buffer: Bytes): Message | undefined {
	const message = readElement(buffer, 0, buffer.length);
	if (message?.tag !== tagSequence) {
		return undefined;
	}

	const [versionElement, communityElement, pdu] = readChildren(
		buffer,
		message,
		3,
	);
	const version = readInteger(buffer, versionElement);
	return version === undefined ||
		communityElement?.tag !== tagOctetString ||
		!pdu
		? undefined
		: {version, pdu};
}

/** The value of sysDescr.0 when the first variable binding carries it as an OCTET STRING. */
function readDescription(
	buffer: Bytes,
	varbinds: Element | undefined,
): Bytes | undefined {
	const [varbind] =
		varbinds?.tag === tagSequence ? readChildren(buffer, varbinds, 1) : [];
	const [name, value] =
		varbind?.tag === tagSequence ? readChildren(buffer, varbind, 2) : [];
	const isSysDescr =
		name?.tag === tagOid &&
		buffer.subarray(name.start, name.end).equals(sysDescrOid);
	return isSysDescr ? readOctets(buffer, value) : undefined;
}

/** The version and sysDescr of a v1/v2c response to `request`, else undefined. */
function readCommunityAnswer(
	reply: Bytes,
	request: Bytes,
): {version: number; description: string} | undefined {
	const response = readMessage(reply);
	const sent = readMessage(request);
	if (response?.pdu.tag !== tagResponse || !sent) {
		return undefined;
	}

	// PDU ::= SEQUENCE {request-id, error-status, error-index, variable-bindings} (RFC 3416 §3).
	const fields = readChildren(reply, response.pdu, 4);
	const [sentId] = readChildren(request, sent.pdu, 1);
	const id = readInteger(reply, fields[0]);
	if (id === undefined || id !== readInteger(request, sentId)) {
		return undefined;
	}

	const description = readDescription(reply, fields[3]);
	return {
		version: response.version,
		description: description ? sanitize(description, maxDescriptionLength) : '',
	};
}

function parse(reply: Bytes, request: Bytes): string | undefined {
	const answer = readCommunityAnswer(reply, request);
	if (!answer) {
		return undefined;
	}

	const versionName = versionNames.get(answer.version);
	const answered = versionName ? `SNMP ${versionName}` : 'SNMP';
	return answer.description ? `${answered}: ${answer.description}` : answered;
}

export const snmpPayload = definePayload('snmp-v2c', build, parse);

/**
 * The same v2c request read as a second look beside the v3 discovery: the finding is that the
 * default community still answers, which hardening guides say to remove.
 */
export const snmpPublicPayload = definePayload(
	'snmp-public',
	build,
	(reply, request) => {
		const answer = readCommunityAnswer(reply, request);
		if (!answer) {
			return undefined;
		}

		const found = `${versionNames.get(answer.version) ?? 'v2c'} 'public' answers!`;
		return answer.description ? `${found} (${answer.description})` : found;
	},
);

// RFC 3412 §6.4 msgFlags: reportable, and neither auth nor priv; §6.5 msgSecurityModel 3 is USM.
const flagReportable = 0x04;
const securityModelUsm = 3;
const maxMessageSize = 65_507; // The largest UDP payload over IPv4

/**
 * An SNMPv3 discovery request (RFC 3414 §4): noAuthNoPriv with the reportable flag, an empty user
 * name and an empty authoritative engine id, and a GetRequest with no variable bindings. An agent
 * that speaks v3 answers it with a Report that carries its snmpEngineID, whatever communities
 * and users it has: discovery is how a v3 manager learns the engine id before it can
 * authenticate.
 */
function buildDiscovery(): Uint8Array {
	const messageId = newRequestId();
	const securityParameters = tlv(
		tagSequence,
		octets(), // MsgAuthoritativeEngineID
		encodeInteger(0), // MsgAuthoritativeEngineBoots
		encodeInteger(0), // MsgAuthoritativeEngineTime
		octets(), // MsgUserName
		octets(), // MsgAuthenticationParameters
		octets(), // MsgPrivacyParameters
	);
	const scopedPdu = tlv(
		tagSequence,
		octets(), // ContextEngineID
		octets(), // ContextName
		getRequest(messageId),
	);
	return tlv(
		tagSequence,
		encodeInteger(versionV3),
		tlv(
			tagSequence,
			encodeInteger(messageId),
			encodeInteger(maxMessageSize),
			octets(Buffer.from([flagReportable])),
			encodeInteger(securityModelUsm),
		),
		octets(securityParameters),
		scopedPdu,
	);
}

type V3Message = {
	readonly messageId: number;
	readonly securityParameters: Bytes;
	readonly pdu: Element | undefined;
};

/** SNMPv3Message ::= SEQUENCE {msgVersion, msgGlobalData, msgSecurityParameters, msgData} (RFC 3412 §6). */
function readV3Message(buffer: Bytes): V3Message | undefined {
	const message = readElement(buffer, 0, buffer.length);
	if (message?.tag !== tagSequence) {
		return undefined;
	}

	const [version, header, security, data] = readChildren(buffer, message, 4);
	if (
		readInteger(buffer, version) !== versionV3 ||
		header?.tag !== tagSequence
	) {
		return undefined;
	}

	const [messageIdElement] = readChildren(buffer, header, 1);
	const messageId = readInteger(buffer, messageIdElement);
	const securityParameters = readOctets(buffer, security);
	if (messageId === undefined || !securityParameters) {
		return undefined;
	}

	// A plaintext ScopedPDU: contextEngineID, contextName, then the PDU.
	const pdu =
		data?.tag === tagSequence ? readChildren(buffer, data, 3)[2] : undefined;
	return {messageId, securityParameters, pdu};
}

/**
 * Vendors by IANA Private Enterprise Number, as an engine id names them (RFC 3411 SnmpEngineID):
 * the ones met on servers and network gear.
 */
const enterpriseNames: ReadonlyMap<number, string> = new Map([
	[2, 'IBM'],
	[9, 'Cisco'],
	[11, 'HP'],
	[311, 'Microsoft'],
	[2011, 'Huawei'],
	[2021, 'ucd-snmp'],
	[2636, 'Juniper'],
	[3375, 'F5'],
	[4526, 'Netgear'],
	[6876, 'VMware'],
	[8072, 'net-snmp'],
	[12_356, 'Fortinet'],
	[14_988, 'MikroTik'],
	[25_461, 'Palo Alto Networks'],
	[30_065, 'Arista'],
	[41_112, 'Ubiquiti'],
]);

/**
 * The vendor an snmpEngineID names (RFC 3411 §5): its first four octets are the enterprise
 * number, with the top bit set in the current format and clear in the SNMPv1-era 12-octet one.
 */
export function engineVendor(engineId: Uint8Array): string | undefined {
	if (engineId.length < 5 || engineId.length > 32) {
		return undefined;
	}

	const enterprise = bufferOf(engineId).readUInt32BE(0) % 0x80_00_00_00;
	return enterpriseNames.get(enterprise) ?? `enterprise ${enterprise}`;
}

function parseDiscovery(reply: Bytes, request: Bytes): string | undefined {
	const answer = readV3Message(reply);
	const sent = readV3Message(request);
	const tag = answer?.pdu?.tag;
	if (
		answer?.messageId !== sent?.messageId ||
		(tag !== tagReport && tag !== tagResponse)
	) {
		return undefined;
	}

	// UsmSecurityParameters ::= SEQUENCE {msgAuthoritativeEngineID OCTET STRING, ...} (RFC 3414 §2.4).
	const parameters = answer!.securityParameters;
	const usm = readElement(parameters, 0, parameters.length);
	const engineId =
		usm?.tag === tagSequence
			? readOctets(parameters, readChildren(parameters, usm, 1)[0])
			: undefined;
	const vendor = engineId ? engineVendor(engineId) : undefined;
	return vendor ? `SNMP v3, engine ${vendor}` : 'SNMP v3';
}

export const snmpV3Payload = definePayload(
	'snmp',
	buildDiscovery,
	parseDiscovery,
);
