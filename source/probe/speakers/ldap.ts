import {Buffer} from 'node:buffer';
import {
	encodeInteger,
	octets,
	readChildren,
	readElement,
	readInteger,
	readOctets,
	tagBoolean,
	tagEnumerated,
	tagSequence,
	tlv,
	type Element,
} from '../payloads/ber.js';
import type {Bytes} from '../payloads/payload.js';
import {randomInt} from '../random.js';
import {sanitize} from '../sanitize.js';
import {partial, type ReadResult, type Speaker} from './speaker.js';

// RFC 4511 §4.2 ff.: protocolOp tags, [APPLICATION n] constructed.
const tagSearchRequest = 0x63;
const tagSearchResultEntry = 0x64;
const tagSearchResultDone = 0x65;
const tagExtendedResponse = 0x78;
// Filter `present` is [7] IMPLICIT AttributeDescription, primitive (RFC 4511 §4.5.1.7).
const tagPresent = 0x87;
const tagSet = 0x31;
const attributes = [
	'supportedLDAPVersion',
	'vendorName',
	'vendorVersion',
	'objectClass',
	'supportedCapabilities',
];
// OpenLDAP publishes no vendorName, but its RootDSE is of its own object class; Active Directory
// lists its capability OID (LDAP_CAP_ACTIVE_DIRECTORY_OID, [MS-ADTS] 3.1.1.3.4.3).
const openLdapClass = 'openldaprootdse';
const activeDirectoryCapability = '1.2.840.113556.1.4.800';
const maxVendorLength = 60;

// RFC 4511 §4.1.9 result codes an anonymous RootDSE read may meet.
const resultNames: ReadonlyMap<number, string> = new Map([
	[1, 'operationsError'],
	[2, 'protocolError'],
	[8, 'strongerAuthRequired'],
	[13, 'confidentialityRequired'],
	[48, 'inappropriateAuthentication'],
	[49, 'invalidCredentials'],
	[50, 'insufficientAccessRights'],
	[52, 'unavailable'],
	[53, 'unwillingToPerform'],
]);

/**
 * An anonymous search of the RootDSE (RFC 4512 §5.1): base "", scope base, filter
 * (objectClass=*), for the LDAP versions and the vendor. Every LDAPv3 server answers it before
 * any bind; it asks for nothing beyond what the server publishes to anyone.
 */
function request(): Uint8Array {
	return tlv(
		tagSequence,
		encodeInteger(randomInt(1, 0x7f_ff_ff_ff)),
		tlv(
			tagSearchRequest,
			octets(), // BaseObject: the RootDSE
			encodeInteger(0, tagEnumerated), // Scope: baseObject
			encodeInteger(0, tagEnumerated), // DerefAliases: never
			encodeInteger(0), // SizeLimit
			encodeInteger(0), // TimeLimit
			tlv(tagBoolean, Buffer.from([0])), // TypesOnly: false
			tlv(tagPresent, Buffer.from('objectClass')),
			tlv(tagSequence, ...attributes.map((name) => octets(name))),
		),
	);
}

/** The values of each attribute of a SearchResultEntry: {objectName, PartialAttributeList}. */
function entryAttributes(data: Bytes, entry: Element): Map<string, string[]> {
	const found = new Map<string, string[]>();
	const [, list] = readChildren(data, entry, 2);
	if (list?.tag !== tagSequence) {
		return found;
	}

	for (const attribute of readChildren(data, list, 16)) {
		const [type, values] = readChildren(data, attribute, 2);
		const name = readOctets(data, type)?.toString('latin1').toLowerCase();
		if (name && values?.tag === tagSet) {
			found.set(
				name,
				readChildren(data, values, 8)
					.map((value) =>
						sanitize(readOctets(data, value) ?? '', maxVendorLength),
					)
					.filter(Boolean),
			);
		}
	}

	return found;
}

function describe(found: Map<string, string[]>): string {
	const versions = (found.get('supportedldapversion') ?? [])
		.filter((version) => /^\d{1,2}$/v.test(version))
		.map((version) => `v${version}`);
	const classes = (found.get('objectclass') ?? []).map((name) =>
		name.toLowerCase(),
	);
	const named = [
		...(found.get('vendorname') ?? []),
		...(found.get('vendorversion') ?? []),
	].join(' ');
	const vendor =
		named ||
		(classes.includes(openLdapClass) ? 'OpenLDAP' : '') ||
		((found.get('supportedcapabilities') ?? []).includes(
			activeDirectoryCapability,
		)
			? 'Active Directory'
			: '');
	return ['LDAP', versions.join('/'), vendor && `(${vendor})`]
		.filter(Boolean)
		.join(' ');
}

function read(data: Bytes, sent: Bytes): ReadResult {
	const sentMessage = readElement(sent, 0, sent.length);
	const sentId = sentMessage
		? readInteger(sent, readChildren(sent, sentMessage, 1)[0])
		: undefined;
	let found = new Map<string, string[]>();
	let offset = 0;
	// LDAPMessage ::= SEQUENCE {messageID, protocolOp, controls [0] OPTIONAL} (RFC 4511 §4.2.1).
	while (offset < data.length) {
		const message = readElement(data, offset, data.length);
		if (!message) {
			return data[offset] === tagSequence ? partial : undefined;
		}

		if (message.tag !== tagSequence) {
			return undefined;
		}

		const [idElement, operation] = readChildren(data, message, 2);
		const id = readInteger(data, idElement);
		if (operation?.tag === tagExtendedResponse && id === 0) {
			// An unsolicited notification (RFC 4511 §4.4): the server hangs up on us.
			return {kind: 'LDAP', answered: 'LDAP (notice of disconnection)'};
		}

		if (id === undefined || id !== sentId || !operation) {
			return undefined;
		}

		if (operation.tag === tagSearchResultEntry) {
			found = entryAttributes(data, operation);
		} else if (operation.tag === tagSearchResultDone) {
			const code = readInteger(
				data,
				readChildren(data, operation, 1)[0],
				tagEnumerated,
			);
			const answered =
				code === 0 || code === undefined
					? describe(found)
					: `LDAP (${resultNames.get(code) ?? `result ${code}`})`;
			return {kind: 'LDAP', answered};
		} else {
			return undefined;
		}

		offset = message.end;
	}

	return offset === 0 ? undefined : partial;
}

export const ldapSpeaker: Speaker = {kind: 'LDAP', request, read};
