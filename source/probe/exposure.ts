import type {Verdict} from '../catalogue/types.js';

/** Where a socket takes connections from: loopback only, every interface, or one address. */
export type BindScope = 'loopback' | 'all' | 'specific';

/**
 * How worrying a listening socket is. alarm: an insecure or obsolete service bound beyond
 * loopback; flagged: a service to use with caution bound to every interface; loopback-only:
 * bound to loopback; ok: the rest.
 */
export type Exposure = 'alarm' | 'flagged' | 'loopback-only' | 'ok';

export function bindScopeOf(address: string): BindScope {
	const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
	if (v4 === '0.0.0.0' || address === '::') {
		return 'all';
	}

	return v4.startsWith('127.') || address === '::1' ? 'loopback' : 'specific';
}

export function exposureOf(
	scope: BindScope,
	verdict: Verdict | undefined,
): Exposure {
	if (scope === 'loopback') {
		return 'loopback-only';
	}

	if (verdict === 'insecure' || verdict === 'obsolete') {
		return 'alarm';
	}

	return verdict === 'caution' && scope === 'all' ? 'flagged' : 'ok';
}
