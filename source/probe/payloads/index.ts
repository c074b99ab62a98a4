import {dnsPayload, dnsVersionPayload} from './dns.js';
import {netbiosPayload} from './netbios.js';
import {ntpPayload} from './ntp.js';
import {rpcPayload} from './rpc.js';
import {snmpPayload, snmpPublicPayload, snmpV3Payload} from './snmp.js';
import type {UdpPayload} from './payload.js';

export type {UdpPayload} from './payload.js';
export {dnsPayload, dnsVersionPayload} from './dns.js';
export {netbiosPayload} from './netbios.js';
export {ntpPayload} from './ntp.js';
export {rpcPayload} from './rpc.js';
export {
	engineVendor,
	snmpPayload,
	snmpPublicPayload,
	snmpV3Payload,
} from './snmp.js';

const byPort: ReadonlyMap<number, UdpPayload> = new Map([
	[53, dnsVersionPayload],
	[111, rpcPayload],
	[123, ntpPayload],
	[137, netbiosPayload],
	[161, snmpV3Payload],
]);

/**
 * A second request sent beside the first, for a finding the first cannot make: SNMP's v3
 * discovery is answered whatever the communities, and `public` answering too is what an
 * admin wants to know.
 */
const secondLookByPort: ReadonlyMap<number, UdpPayload> = new Map([
	[161, snmpPublicPayload],
]);

/** The request a service on this well-known port answers, or undefined for an empty datagram. */
export function payloadForPort(port: number): UdpPayload | undefined {
	return byPort.get(port);
}

/** The second look for this port, if it has one (see `secondLookByPort`). */
export function secondLookForPort(port: number): UdpPayload | undefined {
	return secondLookByPort.get(port);
}

/** By protocol name (`dns`, `dns-version`, `ntp`, `snmp`, `snmp-v2c`, `netbios-ns`, `rpcbind`), for a service on another port. */
export function payloadByName(name: string): UdpPayload | undefined {
	return [...byPort.values(), dnsPayload, snmpPayload].find(
		(payload) => payload.name === name,
	);
}
