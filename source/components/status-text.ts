import type {Mode} from '../hooks/dashboard-state.js';
import type {LiveState} from '../hooks/live-state.js';
import type {Target} from '../hooks/use-target.js';

/** Which address family answers; before any answer, where the host resolves. */
export function targetNote(
	target: Pick<Target, 'resolved'>,
	live: Pick<LiveState, 'answering' | 'rows'> | undefined,
): string {
	if (target.resolved && !target.resolved.isResolved) {
		return 'does not resolve';
	}

	if (live?.answering) {
		return `${live.answering} ${live.answering.includes('+') ? 'answer' : 'answers'}`;
	}

	if (live && live.rows.size > 0) {
		return 'no answer';
	}

	if (target.resolved?.isResolved) {
		const addresses = target.resolved.addresses.map(({address}) => address);
		return addresses.length > 2
			? `${addresses.slice(0, 2).join(', ')} ...`
			: addresses.join(', ');
	}

	return 'resolving';
}

export type CountInput = {
	readonly mode: Mode;
	readonly shown: number;
	readonly total: number;
	readonly isRegistry: boolean;
	/** Whether this machine's sockets could be read. */
	readonly hasSockets: boolean;
};

/** Matched out of searched: `12/81`, `3 pinned`, `14 sockets`. */
export function countText({
	mode,
	shown,
	total,
	isRegistry,
	hasSockets,
}: CountInput): string {
	if (mode === 'watch') {
		return `${shown} pinned`;
	}

	if (mode === 'listeners') {
		return hasSockets ? `${shown} sockets` : 'sockets';
	}

	return `${shown}/${total}${isRegistry ? ' registry' : ''}`;
}

export type MessageInput = {
	readonly target: Pick<Target, 'pending' | 'error'>;
	readonly notice: string | undefined;
	readonly probeError: string | undefined;
};

/** What the prompt line says when no text input has the keys: a host being resolved, a refusal, a notice. */
export function messageText({target, notice, probeError}: MessageInput): {
	readonly text?: string;
	readonly isError: boolean;
} {
	if (target.pending !== undefined) {
		return {text: `resolving ${target.pending} ...`, isError: false};
	}

	if (target.error) {
		return {text: target.error, isError: true};
	}

	if (notice) {
		return {text: notice, isError: false};
	}

	return probeError
		? {text: `probe: ${probeError}`, isError: true}
		: {isError: false};
}
