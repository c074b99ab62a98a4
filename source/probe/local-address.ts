import {networkInterfaces} from 'node:os';
import {nowMs} from './clock.js';

let known:
	{readonly at: number; readonly addresses: ReadonlySet<string>} | undefined;

/** The host's addresses, read at most once a second: each read opens a netlink socket. */
function ownAddresses(): ReadonlySet<string> {
	const now = nowMs();
	if (known && now - known.at < 1000) {
		return known.addresses;
	}

	try {
		const addresses = new Set<string>();
		for (const list of Object.values(networkInterfaces())) {
			for (const entry of list ?? []) {
				addresses.add(entry.address);
			}
		}

		known = {at: now, addresses};
	} catch {
		// Out of descriptors (uv_interface_addresses: EMFILE): keep what was known, or nothing.
	}

	return known?.addresses ?? new Set();
}

/**
 * Loopback or one of this host's own addresses: traffic to it never leaves the machine, the
 * kernel does not rate-limit the ICMP errors it sends itself, and its socket table is ours to read.
 */
export function isLocalAddress(address: string): boolean {
	const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
	if (v4.startsWith('127.') || address === '::1') {
		return true;
	}

	// The host's own addresses route through the loopback device too.
	return ownAddresses().has(address);
}
