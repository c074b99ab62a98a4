import {type DashboardState, type Mode} from '../state/dashboard-state.js';
import type {Target} from '../hooks/use-target.js';

/**
 * Where the host resolves (which families answer is each row's own: a header that said `IPv4
 * answers` hid an IPv6 address that answered on some ports and not others).
 */
export function targetNote(target: Pick<Target, 'resolved'>): string {
	if (target.resolved && !target.resolved.isResolved) {
		return 'does not resolve';
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

/** What `o` and `s` changed, for the header: `open only · by state`; '' for all rows by port. */
export function arrangementText({
	isOpenOnly,
	sortBy,
}: Pick<DashboardState, 'isOpenOnly' | 'sortBy'>): string {
	return [
		isOpenOnly ? 'open only' : '',
		sortBy === 'port' ? '' : `by ${sortBy}`,
	]
		.filter(Boolean)
		.join(' · ');
}
