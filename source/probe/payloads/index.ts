import {dnsPayload} from './dns.js';
import {netbiosPayload} from './netbios.js';
import {ntpPayload} from './ntp.js';
import {rpcPayload} from './rpc.js';
import {snmpPayload} from './snmp.js';
import type {UdpPayload} from './payload.js';

export type {UdpPayload} from './payload.js';
export {dnsPayload} from './dns.js';
export {netbiosPayload} from './netbios.js';
export {ntpPayload} from './ntp.js';
export {rpcPayload} from './rpc.js';
export {snmpPayload} from './snmp.js';

const byPort: ReadonlyMap<number, UdpPayload> = new Map([
	[53, dnsPayload],
	[111, rpcPayload],
	[123, ntpPayload],
	[137, netbiosPayload],
	[161, snmpPayload],
]);

/** The request a service on this well-known port answers, or undefined for an empty datagram. */
export function payloadForPort(port: number): UdpPayload | undefined {
	return byPort.get(port);
}

/** By protocol name (`dns`, `ntp`, `snmp`, `netbios-ns`, `rpcbind`), for a service on another port. */
export function payloadByName(name: string): UdpPayload | undefined {
	return [...byPort.values()].find((payload) => payload.name === name);
}
