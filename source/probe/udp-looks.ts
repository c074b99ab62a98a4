import {setMaxListeners} from 'node:events';
import {secondLookForPort} from './payloads/index.js';
import {probeUdp, type UdpProbe, type UdpProbeOptions} from './udp.js';

/**
 * How long one request may still take once the other has its answer: both left at the same
 * moment and an agent answers them one after the other, so a few round trips are plenty. An
 * agent stays silent to a community it does not know (RFC 3584 §4.1.2) and to a version it does
 * not speak; waiting the whole timeout for that silence would hold the port's result for nothing.
 */
const graceMs = (rttMs: number | undefined) => Math.max(50, 8 * (rttMs ?? 0));

type Look = {
	readonly result: Promise<UdpProbe | undefined>;
	readonly controller: AbortController;
};

/** One request of the pair; it resolves undefined when the other one's grace ran out first. */
function look(
	options: UdpProbeOptions,
	outer: AbortSignal | undefined,
	onAnswer: (probe: UdpProbe) => void,
): Look {
	const controller = new AbortController();
	setMaxListeners(0, controller.signal);
	const onAbort = () => {
		controller.abort(outer?.reason);
	};

	outer?.addEventListener('abort', onAbort, {once: true});
	const result = probeUdp({...options, signal: controller.signal})
		.then((probe) => {
			if (probe.state === 'open') {
				onAnswer(probe);
			}

			return probe;
		})
		.catch((error: unknown) => {
			if (outer?.aborted) {
				throw error;
			}

			return undefined;
		})
		.finally(() => {
			outer?.removeEventListener('abort', onAbort);
		});
	return {result, controller};
}

/**
 * A UDP probe that, on a port with a second look (SNMP: v3 discovery, and v2c `public`), sends
 * both requests at once from two sockets and joins what they say: `SNMP v3, engine net-snmp;
 * v2c 'public' answers!`. Once either is answered the other gets a short grace, not the whole
 * timeout. A second look that stays silent says nothing: silence is no proof that `public` is
 * refused. Rejects with the abort reason when `signal` aborts; every socket is closed.
 */
export async function probeUdpService(
	options: UdpProbeOptions,
): Promise<UdpProbe> {
	const second = options.payload ? undefined : secondLookForPort(options.port);
	if (!second) {
		return probeUdp(options);
	}

	const timers: Array<ReturnType<typeof setTimeout>> = [];
	const graceFor = (other: () => Look) => (probe: UdpProbe) => {
		timers.push(
			setTimeout(() => {
				other().controller.abort();
			}, graceMs(probe.rttMs)),
		);
	};

	const {signal, ...rest} = options;
	const first: Look = look(
		rest,
		signal,
		graceFor(() => other),
	);
	const other: Look = look(
		{...rest, payload: second},
		signal,
		graceFor(() => first),
	);
	try {
		const [firstProbe, otherProbe] = await Promise.all([
			first.result,
			other.result,
		]);
		return joinLooks(firstProbe, otherProbe);
	} finally {
		for (const timer of timers) {
			clearTimeout(timer);
		}

		first.controller.abort();
		other.controller.abort();
	}
}

function joinLooks(
	first: UdpProbe | undefined,
	other: UdpProbe | undefined,
): UdpProbe {
	const found =
		other?.state === 'open' && !other.answered?.startsWith('reply (')
			? other.answered
			: undefined;
	if (first && (found === undefined || first.state === 'open')) {
		return found === undefined
			? first
			: {...first, answered: `${first.answered ?? 'reply'}; ${found}`};
	}

	// Only the community was answered (a v1/v2c agent without v3), or the first was cut short.
	return other && found !== undefined
		? {...other, answered: `SNMP ${found}`}
		: (other ?? first!);
}
