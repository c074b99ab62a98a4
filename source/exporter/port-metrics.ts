import {Counter, Gauge, type Registry} from 'prom-client';
import {stateOrder} from '../probe/sweep.js';
import {pairKey} from '../probe/transitions.js';
import type {
	AddressProbe,
	Family,
	PortState,
	ProbeResult,
	Snapshot,
	Transition,
} from '../probe/types.js';

/*
Every value is a claim about what the running watch observed. A pair not yet observed has no
series; one whose last observation is stale has none either (Prometheus then marks the series
stale), never its last value. Changes and downtime are the transition tracker's (transitions.ts),
counted here, never recomputed.
*/

/** One pair as last observed, with its service name for the label. */
export type PortReading = {
	readonly result: ProbeResult;
	readonly service: string;
};

type FamilyReading = {
	readonly family: Family;
	/** 1 open, 0 not open, NaN for UDP silence (open|filtered: open or dropped, not known). */
	readonly up: number;
	readonly rttMs?: number;
};

const familyName = (family: Family) => (family === 4 ? 'ipv4' : 'ipv6');

const upValue = (state: PortState) =>
	state === 'open' ? 1 : state === 'open|filtered' ? Number.NaN : 0;

/** Per address family: the best of its addresses (an open one makes the family open, as `ss` reads it). */
export function familyReadings(result: ProbeResult): FamilyReading[] {
	const best = new Map<Family, AddressProbe>();
	for (const probe of result.addresses) {
		const known = best.get(probe.family);
		if (
			!known ||
			stateOrder.indexOf(probe.state) < stateOrder.indexOf(known.state)
		) {
			best.set(probe.family, probe);
		}
	}

	return [...best.values()].map((probe) => {
		// A UDP reading the tracker has not confirmed yet: the confirmed state stands.
		const state =
			result.unconfirmed !== undefined && probe.state === result.unconfirmed
				? result.state
				: probe.state;
		return {
			family: probe.family,
			up: upValue(state),
			...(state === probe.state &&
				probe.rttMs !== undefined && {rttMs: probe.rttMs}),
		};
	});
}

/**
 * `compute` once a scrape: registry.metrics() calls every metric's collect() in one synchronous
 * pass, so a value kept until the next microtask serves them all, and never a later scrape.
 */
export function perScrape<T>(compute: () => T): () => T {
	let value: {readonly current: T} | undefined;
	return () => {
		if (!value) {
			value = {current: compute()};
			queueMicrotask(() => {
				value = undefined;
			});
		}

		return value.current;
	};
}

const pairLabels = ({result, service}: PortReading) => ({
	host: result.host,
	port: result.port,
	protocol: result.protocol,
	service,
});

/** `portui_port_up` and `portui_port_rtt_seconds` of the readings `read` gives at each scrape. */
export function registerPortGauges(
	registry: Registry,
	read: () => readonly PortReading[],
): void {
	const labelNames = ['host', 'port', 'protocol', 'service', 'family'];
	const series = perScrape(() =>
		read().flatMap((reading) =>
			familyReadings(reading.result).map((family) => ({
				labels: {...pairLabels(reading), family: familyName(family.family)},
				family,
			})),
		),
	);
	const each = (
		visit: (
			labels: Record<string, string | number>,
			reading: FamilyReading,
		) => void,
	) => {
		for (const {labels, family} of series()) {
			visit(labels, family);
		}
	};

	// eslint-disable-next-line no-new -- registered: the registry holds it
	new Gauge({
		name: 'portui_port_up',
		help: 'Whether the port answered open at the last fresh observation (1), or not (0); NaN for UDP silence. Absent when not observed or stale.',
		labelNames,
		registers: [registry],
		collect() {
			this.reset();
			each((labels, {up}) => {
				this.set(labels, up);
			});
		},
	});
	// eslint-disable-next-line no-new -- registered: the registry holds it
	new Gauge({
		name: 'portui_port_rtt_seconds',
		help: 'Round-trip time of the last connect or reply; absent where none was measured (a port of this machine read from its socket table).',
		labelNames,
		registers: [registry],
		collect() {
			this.reset();
			each((labels, {rttMs}) => {
				if (rttMs !== undefined) {
					this.set(labels, rttMs / 1000);
				}
			});
		},
	});
}

type Entry = {
	result: ProbeResult;
	changes: number;
	downMs?: number;
};

export type PortBookOptions = {
	readonly registry: Registry;
	readonly serviceOf: (result: ProbeResult) => string;
	/** The watches' pause between sweeps, ms. */
	readonly intervalMs: number;
	/** The longest a probe may wait for an answer, ms. */
	readonly timeoutMs: number;
	readonly now?: () => number;
};

export type PortRecorder = {
	readonly onSnapshot: (snapshot: Snapshot) => void;
	readonly onTransition: (transition: Transition) => void;
	/** The measured time between two whole sweeps: a slow sweep makes observations older, not stale. */
	readonly onCadence: (lane: string, ms: number) => void;
};

type Book = {
	readonly entries: Map<string, Entry>;
	cadenceMs: number;
};

export type PortBook = {
	/** What one host's watch reports goes here (`watch`'s onSnapshot and onTransition). */
	recorder(host: string): PortRecorder;
};

/** The watched ports' metrics in `registry`, fed by the watches through their recorders. */
export function createPortBook(options: PortBookOptions): PortBook {
	const {registry, serviceOf, intervalMs, timeoutMs, now = Date.now} = options;
	const hosts = new Map<string, Book>();

	// Stale: two sweeps went by, as the watch paces them, without observing the pair.
	const fresh = perScrape((): Array<PortReading & Entry> => {
		const readings: Array<PortReading & Entry> = [];
		for (const {entries, cadenceMs} of hosts.values()) {
			const oldest = now() - 2 * Math.max(intervalMs, cadenceMs) - timeoutMs;
			for (const entry of entries.values()) {
				if (entry.result.at >= oldest) {
					readings.push({...entry, service: serviceOf(entry.result)});
				}
			}
		}

		return readings;
	});

	registerPortGauges(registry, fresh);
	// eslint-disable-next-line no-new -- registered: the registry holds it
	new Counter({
		name: 'portui_port_state_changes_total',
		help: 'Changes of the port state seen by this watch between two consecutive observations (transitions.ts).',
		labelNames: ['host', 'port', 'protocol', 'service'],
		registers: [registry],
		collect() {
			this.reset();
			for (const reading of fresh()) {
				this.inc(pairLabels(reading), reading.changes);
			}
		},
	});
	// eslint-disable-next-line no-new -- registered: the registry holds it
	new Gauge({
		name: 'portui_last_downtime_seconds',
		help: 'How long the port was down, from the first observation not open to the one open again; only for an outage this watch saw begin and end.',
		labelNames: ['host', 'port', 'protocol', 'service'],
		registers: [registry],
		collect() {
			this.reset();
			for (const reading of fresh()) {
				if (reading.downMs !== undefined) {
					this.set(pairLabels(reading), reading.downMs / 1000);
				}
			}
		},
	});

	return {
		recorder(host) {
			const book: Book = {entries: new Map(), cadenceMs: 0};
			const {entries} = book;
			hosts.set(host, book);
			return {
				onCadence(_lane, ms) {
					book.cadenceMs = ms;
				},
				onSnapshot(snapshot) {
					for (const result of snapshot.results) {
						const entry = entries.get(pairKey(result));
						if (entry) {
							entry.result = result;
						} else {
							entries.set(pairKey(result), {result, changes: 0});
						}
					}
				},
				onTransition(transition) {
					const entry = entries.get(pairKey(transition));
					// A first sight is no change; a family's change is not the port's.
					if (
						!entry ||
						transition.from === undefined ||
						transition.address !== undefined
					) {
						return;
					}

					entry.changes++;
					if (transition.downMs !== undefined) {
						entry.downMs = transition.downMs;
					}
				},
			};
		},
	};
}
