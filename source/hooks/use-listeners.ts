import {useEffect, useRef, useState} from 'react';
import type {LocalSocket} from '../probe/types.js';
import type {ProbeService, SocketList} from './probe-service.js';

export type UseListenersOptions = {
	readonly listLocalSockets: ProbeService['listLocalSockets'];
	readonly intervalMs: number;
	/** False stops polling (the sockets are not shown); the last list is kept. */
	readonly isActive?: boolean;
};

const socketKey = (socket: LocalSocket) =>
	[
		socket.protocol,
		socket.address,
		socket.port,
		socket.pid,
		socket.process,
		socket.ownerHidden,
		socket.owners?.length,
	].join(' ');

const listKey = (list: SocketList) =>
	`${list.isAvailable} ${list.reason ?? ''}\n${list.sockets.map((socket) => socketKey(socket)).join('\n')}`;

/**
 * This machine's listening sockets, polled on a setTimeout chain: the next read is scheduled only
 * once the last one settled. A list equal to the last one keeps the old object, so an unchanged
 * machine re-renders nothing.
 */
export function useListeners({
	listLocalSockets,
	intervalMs,
	isActive = true,
}: UseListenersOptions): SocketList | undefined {
	// With the reader that read it: another host's reader (a switch of hosts) shows none until read.
	const [read, setRead] = useState<
		| {readonly list: SocketList; readonly by: typeof listLocalSockets}
		| undefined
	>(undefined);
	const lastKey = useRef('');
	const lastReader = useRef(listLocalSockets);

	useEffect(() => {
		if (!isActive) {
			return;
		}

		const controller = new AbortController();
		let timer: ReturnType<typeof setTimeout> | undefined;

		const poll = async () => {
			let next: SocketList;
			try {
				next = await listLocalSockets({signal: controller.signal});
			} catch (error) {
				if (controller.signal.aborted) {
					return;
				}

				next = {
					isAvailable: false,
					reason: error instanceof Error ? error.message : String(error),
					sockets: [],
				};
			}

			if (controller.signal.aborted) {
				return;
			}

			const key = listKey(next);
			if (key !== lastKey.current) {
				lastKey.current = key;
				setRead({list: next, by: listLocalSockets});
			}

			timer = setTimeout(() => {
				void poll();
			}, intervalMs);
		};

		if (lastReader.current !== listLocalSockets) {
			lastReader.current = listLocalSockets;
			lastKey.current = '';
		}

		void poll();
		return () => {
			controller.abort();
			clearTimeout(timer);
		};
	}, [listLocalSockets, intervalMs, isActive]);

	return read?.by === listLocalSockets ? read.list : undefined;
}
