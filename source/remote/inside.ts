import type {LocalSocket, ProbeResult, ResolvedTarget} from '../probe/types.js';
import {insideOutside} from './verdict.js';

/** What the host itself says about one probed port: who listens where, and the verdict beside the probe. */
export type Inside = {
	readonly listening: ReadonlyArray<{
		readonly address: string;
		readonly process?: string;
		readonly pid?: number;
		readonly ownerHidden?: string;
	}>;
	readonly verdict?: string;
};

export function insideOf(
	result: Pick<ProbeResult, 'port' | 'protocol' | 'state'>,
	sockets: readonly LocalSocket[],
	target: ResolvedTarget,
): Inside {
	const listening = sockets
		.filter(
			(socket) =>
				socket.port === result.port && socket.protocol === result.protocol,
		)
		.map(({address, process, pid, ownerHidden}) => ({
			address,
			...(process === undefined ? {} : {process}),
			...(pid === undefined ? {} : {pid}),
			...(ownerHidden === undefined ? {} : {ownerHidden}),
		}));
	return {
		listening,
		verdict: insideOutside({
			sockets,
			port: result.port,
			protocol: result.protocol,
			state: result.state,
			probed: target.isResolved ? target.addresses : [],
		}),
	};
}

/** `python3 on 0.0.0.0`, `(hidden) on 127.0.0.1`, several joined by commas; '-' when nothing listens. */
export function listeningText(inside: Inside): string {
	if (inside.listening.length === 0) {
		return '-';
	}

	return inside.listening
		.map(
			(socket) =>
				`${socket.process ?? (socket.ownerHidden ? '(hidden)' : '?')} on ${socket.address}`,
		)
		.join(', ');
}
