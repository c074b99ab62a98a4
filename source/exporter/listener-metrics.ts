import {Gauge, type Registry} from 'prom-client';
import type {Catalogue} from '../catalogue/load.js';
import {bindScopeOf, exposureOf} from '../probe/exposure.js';
import type {ListenerScanner} from '../probe/listeners.js';
import {matchesDaemon} from '../probe/match-daemon.js';
import {sanitize} from '../probe/sanitize.js';
import type {LocalSocket} from '../probe/types.js';
import {containerText, unitText} from '../text/owner.js';

export type ListenerInfoOptions = {
	readonly registry: Registry;
	readonly scanner: ListenerScanner;
	readonly catalogue: Catalogue;
	/** A read of the socket tables that failed: its series are absent, and this says why. */
	readonly onError?: (error: Error) => void;
};

const yesNo = (value: boolean | undefined) =>
	value === undefined ? '' : value ? 'yes' : 'no';

function labelsOf(socket: LocalSocket, catalogue: Catalogue) {
	const entry = catalogue.byPair(socket.port, socket.protocol);
	// Where the holder runs, when the scan could tell (its cgroup): the unit or the container.
	const holder = socket.owners?.[0];
	return {
		port: socket.port,
		protocol: socket.protocol,
		bind: socket.address,
		// Process names come from other processes: sanitised by the scan (no control left), and
		// prom-client escapes the backslash, the double quote and the newline of the text format.
		process: socket.process ?? '',
		unit: holder?.unit ? sanitize(unitText(holder.unit)) : '',
		container: holder?.container
			? sanitize(containerText(holder.container))
			: '',
		expected: yesNo(
			entry &&
				matchesDaemon(socket.process, entry.daemons, {launch: entry.launch}),
		),
		verdict: entry?.verdict ?? '',
		exposure: exposureOf(bindScopeOf(socket.address), entry?.verdict),
	};
}

/** `portui_listener_info`: this machine's listening sockets, read at each scrape. */
export function registerListenerInfo(options: ListenerInfoOptions): void {
	const {scanner, catalogue, onError} = options;
	// eslint-disable-next-line no-new -- registered: the registry holds it
	new Gauge({
		name: 'portui_listener_info',
		help: "A socket listening on this machine (TCP) or bound (UDP), read from the kernel's socket tables at this scrape; 1 while it exists.",
		labelNames: [
			'port',
			'protocol',
			'bind',
			'process',
			'unit',
			'container',
			'expected',
			'verdict',
			'exposure',
		],
		registers: [options.registry],
		async collect() {
			this.reset();
			let list;
			try {
				list = await scanner.list();
			} catch (error) {
				onError?.(error instanceof Error ? error : new Error(String(error)));
				return;
			}

			for (const socket of list.isAvailable ? list.sockets : []) {
				this.set(labelsOf(socket, catalogue), 1);
			}
		},
	});
}
