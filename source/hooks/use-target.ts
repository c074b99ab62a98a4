import {useCallback, useEffect, useState} from 'react';
import type {ResolvedTarget} from '../probe/types.js';
import type {ProbeService} from './probe-service.js';

export type UseTargetOptions = {
	readonly resolveTarget: ProbeService['resolveTarget'];
	readonly initialHost: string;
};

export type Target = {
	/** The host being watched. */
	readonly host: string;
	/** Its addresses, once resolved. */
	readonly resolved?: ResolvedTarget;
	/** A host being resolved before it replaces the current one. */
	readonly pending?: string;
	/** Why the last host asked for was refused; the old target stays. */
	readonly error?: string;
	readonly change: (host: string) => void;
	readonly dismissError: () => void;
};

type Request = {readonly host: string; readonly isInitial: boolean};

type TargetState = {
	readonly host: string;
	readonly resolved?: ResolvedTarget;
	readonly error?: string;
	/** A new object per request, so asking for the same host twice resolves it twice. */
	readonly request?: Request;
};

const errorText = (error: unknown) =>
	error instanceof Error ? error.message : String(error);

function settle(
	previous: TargetState,
	request: Request,
	resolved: ResolvedTarget,
): TargetState {
	if (previous.request !== request) {
		return previous;
	}

	if (resolved.isResolved) {
		return {host: request.host, resolved};
	}

	// The first host came from the command line: it stays, and the header says why it does not resolve.
	if (request.isInitial) {
		return {host: request.host, resolved, error: resolved.error};
	}

	return {
		...previous,
		request: undefined,
		error: `${resolved.error}; still watching ${previous.host}`,
	};
}

/**
 * The target host. A new host is resolved first and replaces the current one only when it
 * resolves; otherwise the reason is kept for the screen and the watch goes on as it was.
 */
export function useTarget({
	resolveTarget,
	initialHost,
}: UseTargetOptions): Target {
	const [state, setState] = useState<TargetState>(() => ({
		host: initialHost,
		request: {host: initialHost, isInitial: true},
	}));
	const {request} = state;

	useEffect(() => {
		if (!request) {
			return;
		}

		const controller = new AbortController();
		resolveTarget(request.host, {signal: controller.signal}).then(
			(resolved) => {
				if (!controller.signal.aborted) {
					setState((previous) => settle(previous, request, resolved));
				}
			},
			(error: unknown) => {
				if (!controller.signal.aborted) {
					setState((previous) =>
						settle(previous, request, {
							host: request.host,
							isResolved: false,
							error: errorText(error),
						}),
					);
				}
			},
		);
		return () => {
			controller.abort();
		};
	}, [request, resolveTarget]);

	const change = useCallback((host: string) => {
		setState((previous) => ({
			...previous,
			error: undefined,
			request: {host: host.trim(), isInitial: false},
		}));
	}, []);

	const dismissError = useCallback(() => {
		setState((previous) =>
			previous.error === undefined ? previous : {...previous, error: undefined},
		);
	}, []);

	return {
		host: state.host,
		resolved: state.resolved,
		pending: request && !request.isInitial ? request.host : undefined,
		error: state.error,
		change,
		dismissError,
	};
}
