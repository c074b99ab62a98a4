import {setMaxListeners} from 'node:events';
import {secondLookForPort} from './payloads/index.js';
import {probeUdp, type UdpProbe, type UdpProbeOptions} from './udp.js';

/**
 * How long the second look may still take once the first request has its answer: both left at
 * the same moment and an agent answers them one after the other, so a few round trips are
 * plenty; a community it does not know gets no answer at all (RFC 3584 §4.1.2), and waiting the
 * whole timeout for that silence would hold the port's result for nothing.
 */
const graceMs = (rttMs: number | undefined) => Math.max(50, 8 * (rttMs ?? 0));

/**
 * A UDP probe that, on a port with a second look (SNMP: v3 discovery, then v2c `public`), sends
 * both requests at once from two sockets and joins what they say: `SNMP v3, engine net-snmp;
 * v2c 'public' answers!`. The state is the first request's unless only the second was answered.
 * A second look that stays silent says nothing: silence is no proof that `public` is refused.
 */
export async function probeUdpService(
	options: UdpProbeOptions,
): Promise<UdpProbe> {
	const second = options.payload ? undefined : secondLookForPort(options.port);
	if (!second) {
		return probeUdp(options);
	}

	const controller = new AbortController();
	setMaxListeners(0, controller.signal);
	const onAbort = () => {
		controller.abort(options.signal?.reason);
	};

	options.signal?.addEventListener('abort', onAbort, {once: true});
	let timer: ReturnType<typeof setTimeout> | undefined;
	const look = probeUdp({
		...options,
		payload: second,
		signal: controller.signal,
	}).catch(() => undefined);
	try {
		const first = await probeUdp(options);
		if (first.state === 'open') {
			timer = setTimeout(() => {
				controller.abort();
			}, graceMs(first.rttMs));
		}

		const other = await look;
		return joinLooks(first, other);
	} finally {
		clearTimeout(timer);
		options.signal?.removeEventListener('abort', onAbort);
		controller.abort();
		await look;
	}
}

function joinLooks(first: UdpProbe, other: UdpProbe | undefined): UdpProbe {
	const found =
		other?.state === 'open' && !other.answered?.startsWith('reply (')
			? other.answered
			: undefined;
	if (found === undefined) {
		return first;
	}

	if (first.state === 'open') {
		return {...first, answered: `${first.answered ?? 'reply'}; ${found}`};
	}

	// Only the community was answered: a v1/v2c agent without v3.
	return {...other!, answered: `SNMP ${found}`};
}
