import type {PortPair, ProbeResult, Snapshot} from '../probe/types.js';
import type {SshDestination} from './destination.js';
import {insideOfResult, readInside, type InsideRead} from './inside-watch.js';
import {openRemoteHost, type RemoteHost} from './remote-host.js';

/** A port a command waits for; `remote` when its host was given as ssh://. */
export type InsideTarget = PortPair & {readonly remote?: SshDestination};

/**
The sockets of the ssh:// hosts of a wait, read over one SSH connection each, to say why a port
is not there yet. They never decide whether it is: only an answer from here does.
*/
export function createInsideViews(
	targets: readonly InsideTarget[],
	configFile: string | undefined,
) {
	const views = new Map<
		string,
		{readonly remote: RemoteHost; read?: InsideRead; reading?: Promise<void>}
	>();
	for (const {remote} of targets) {
		if (remote && !views.has(remote.text)) {
			// The connection opens at the first read.
			views.set(remote.text, {remote: openRemoteHost(remote, {configFile})});
		}
	}

	const viewsOf = (of: readonly InsideTarget[]) =>
		[...new Set(of.flatMap(({remote}) => (remote ? [remote.text] : [])))]
			.map((text) => views.get(text))
			.filter((view) => view !== undefined);
	const read = async (view: NonNullable<ReturnType<typeof views.get>>) => {
		view.reading ??= readInside(view.remote, AbortSignal.timeout(5000)).then(
			(result) => {
				view.read = result;
				view.reading = undefined;
			},
		);
		return view.reading;
	};

	return {
		/** Reads the hosts of `pending` again in the background, at most once a second each. */
		refresh(pending: readonly InsideTarget[]) {
			for (const view of viewsOf(pending)) {
				if (!view.read || Date.now() - view.read.at >= 1000) {
					void read(view);
				}
			}
		},
		/** Reads the hosts of `pending` now: the reasons at the end are of the end. */
		async readNow(pending: readonly InsideTarget[]) {
			await Promise.all(
				viewsOf(pending).map(async (view) => {
					await view.reading;
					return read(view);
				}),
			);
		},
		/** What listens on the target's port there, when the probe has nothing to weigh it against yet. */
		listening(target: InsideTarget): string | undefined {
			const last = target.remote && views.get(target.remote.text)?.read;
			if (!last?.isAvailable) {
				return last && `inside unknown: ${last.reason}`;
			}

			const sockets = last.sockets.filter(
				(socket) =>
					socket.port === target.port && socket.protocol === target.protocol,
			);
			return sockets.length === 0
				? 'nothing listens there'
				: `listening there on ${[...new Set(sockets.map((socket) => socket.address))].join(', ')}`;
		},
		verdict(
			target: InsideTarget,
			result: ProbeResult,
			snapshot: Snapshot,
		): string | undefined {
			const last = target.remote && views.get(target.remote.text)?.read;
			if (!last) {
				return undefined;
			}

			return last.isAvailable
				? insideOfResult(result, snapshot, last)?.verdict
				: `inside unknown: ${last.reason}`;
		},
		close() {
			for (const {remote} of views.values()) {
				remote.close();
			}
		},
	};
}

export type InsideViews = ReturnType<typeof createInsideViews>;
