import {
	parseDuration,
	parseHost,
	parsePortSpec,
	parseProtocolFilter,
	UsageError,
} from '../args.js';
import {type Catalogue, loadCatalogue} from '../catalogue/load.js';
import {
	openAddresses,
	sanitize,
	type AddressProbe,
	type PortPair,
	type ProbeResult,
	type ResolvedTarget,
	type Transition,
} from '../probe/index.js';
import {holderToJson} from '../text/owner.js';

/** A probe's wait for an answer, as the dashboard bounds it. */
export const probeTimeoutBounds = {minMs: 10, maxMs: 60_000};

export const parseProbeTimeout = (
	text: string | undefined,
	flagName = '--timeout',
) =>
	text === undefined
		? undefined
		: parseDuration(text, flagName, probeTimeoutBounds);

type TargetArguments = {
	readonly input: readonly string[];
	readonly flags: {readonly proto?: string; readonly catalogue?: string};
};

/**
 * The catalogue (with the user's `--catalogue`) and the HOST and PORTS of `probe` and `watch`:
 * `HOST [PORTS...]`, ports joined as one list, names looked up in that catalogue.
 */
export async function loadHostAndPorts(
	{input, flags}: TargetArguments,
	usage: string,
): Promise<{catalogue: Catalogue; host: string; pairs: PortPair[]}> {
	// A one-shot probe reads only the names its ports need: the curated entries name the ports
	// people probe, /etc/services (300 names) is read when a port asked for has no curated entry,
	// and IANA's registry (12,000, most of a start-up) only for a name in PORTS neither knows.
	// Every command here asks the catalogue about the ports it was given, and no other.
	const load = async (names: 'curated' | 'system' | 'registry') =>
		loadCatalogue({
			userFile: flags.catalogue,
			...(names === 'registry' ? {} : {registry: false}),
			...(names === 'curated' ? {systemServices: false} : {}),
		});
	let catalogue = await load('curated');
	const [hostText, ...portTexts] = input;
	if (hostText === undefined) {
		throw new UsageError(`missing HOST; usage: ${usage}`);
	}

	const host = parseHost(hostText);
	const protocol =
		flags.proto === undefined ? undefined : parseProtocolFilter(flags.proto);
	if (portTexts.length > 0) {
		const spec = portTexts.join(',');
		// The pairs, or undefined for a name this catalogue does not know.
		const parse = () => {
			try {
				return parsePortSpec(spec, catalogue, {protocol});
			} catch (error) {
				if (
					error instanceof UsageError &&
					error.message.includes('unknown service name')
				) {
					return undefined;
				}

				throw error;
			}
		};

		let pairs = parse();
		if (
			!pairs ||
			pairs.some(({port, protocol}) => !catalogue.byPair(port, protocol))
		) {
			catalogue = await load('system');
			pairs = parse();
		}

		if (!pairs) {
			catalogue = await load('registry');
			pairs = parsePortSpec(spec, catalogue, {protocol});
		}

		return {catalogue, host, pairs};
	}

	// Without PORTS: every port of the curated catalogue (a range counts port by port).
	const pairs: PortPair[] = [];
	for (const entry of catalogue.curated) {
		if (
			protocol === undefined ||
			protocol === 'all' ||
			entry.protocol === protocol
		) {
			for (let {port} = entry; port <= entry.endPort; port++) {
				pairs.push({port, protocol: entry.protocol});
			}
		}
	}

	return {catalogue, host, pairs};
}

export const familyLabel = (family: number) => `IPv${family}`;

/** Untrusted text (banners) made safe for a terminal or a JSON consumer that prints it. */
const clean = (text: string | undefined) =>
	text === undefined ? null : sanitize(text);

const addressToJson = (probe: AddressProbe) => ({
	address: probe.address,
	family: probe.family,
	state: probe.state,
	reason: probe.reason,
	code: probe.code ?? null,
	rttMs: probe.rttMs ?? null,
});

/**
 * The JSON of one result (`probe --json`, `watch --json`): the fields the dashboard shows, every
 * one always present, `null` where there is nothing, so scripts need no existence checks.
 */
export function resultToJson(result: ProbeResult, catalogue: Catalogue) {
	return {
		port: result.port,
		protocol: result.protocol,
		service: catalogue.byPair(result.port, result.protocol)?.service ?? null,
		state: result.state,
		reason: result.reason,
		code: result.code ?? null,
		rttMs: result.rttMs ?? null,
		answered: clean(result.answered),
		mismatch: clean(result.mismatch),
		address: result.address,
		family: result.family,
		addresses: result.addresses.map((probe) => addressToJson(probe)),
		// On this machine: who holds the socket that answered (null elsewhere, or not open).
		owner: holderToJson(result.owner),
	};
}

export function targetToJson(target: ResolvedTarget) {
	return target.isResolved
		? {
				host: target.host,
				resolved: true,
				error: null,
				addresses: target.addresses.map(({address, family}) => ({
					address,
					family,
				})),
			}
		: {
				host: target.host,
				resolved: false,
				error: sanitize(target.error),
				addresses: [],
			};
}

/**
 * A change as one NDJSON object. `scope` is `port` for a change of the port's state, `family`
 * when one address stopped or started answering while the port's state stayed (then `address`
 * and `family` name it, `from`/`to` are its states and `stillOpen` the addresses still open).
 * `previousTime` is the observation before: the change happened after it, by `time`.
 */
export function transitionToJson(transition: Transition, catalogue: Catalogue) {
	const {result} = transition;
	const isFamily = transition.address !== undefined;
	return {
		type: 'transition',
		scope: transition.isOwnerChange ? 'owner' : isFamily ? 'family' : 'port',
		time: new Date(transition.at).toISOString(),
		previousTime:
			transition.previousAt === undefined
				? null
				: new Date(transition.previousAt).toISOString(),
		host: transition.host,
		port: transition.port,
		protocol: transition.protocol,
		service:
			catalogue.byPair(transition.port, transition.protocol)?.service ?? null,
		from: transition.from ?? null,
		to: transition.to,
		downMs: transition.downMs ?? null,
		reason: result.reason,
		code: result.code ?? null,
		rttMs: result.rttMs ?? null,
		answered: clean(result.answered),
		address: transition.address ?? result.address,
		family: transition.family ?? result.family,
		...(isFamily && {
			stillOpen: openAddresses(result.addresses, transition.address),
		}),
		addresses: result.addresses.map((probe) => addressToJson(probe)),
		ownerBefore: holderToJson(transition.ownerBefore),
		ownerAfter: holderToJson(transition.ownerAfter),
	};
}

export const formatRtt = (rttMs: number | undefined) =>
	rttMs === undefined
		? '-'
		: `${rttMs < 10 ? rttMs.toFixed(1) : Math.round(rttMs)} ms`;

const stateColors: ReadonlyMap<string, string> = new Map([
	['open', 'green'],
	['closed', 'red'],
	['filtered', 'yellow'],
	['unreachable', 'magenta'],
	['open|filtered', 'cyan'],
]);

export const stateColor = (state: string) => stateColors.get(state);

/** `3.2s`, `4m 10s`, `2h 5m`: a downtime for people. */
export function formatDowntime(ms: number): string {
	if (ms < 60_000) {
		// Tenths below ten seconds, whole seconds above; never a trailing `.0`.
		return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))}s`;
	}

	const minutes = Math.floor(ms / 60_000);
	return minutes < 60
		? `${minutes}m ${Math.floor((ms % 60_000) / 1000)}s`
		: `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
