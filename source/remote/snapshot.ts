import {Buffer} from 'node:buffer';
import type {ProcReader} from '../probe/proc-owners.js';

/** What one run of the remote script saw: the files and descriptors a `ProcReader` serves. */
export type RemoteSnapshot = {
	/** The effective uid the remote script ran with. */
	readonly euid: number;
	readonly files: ReadonlyMap<string, Uint8Array>;
	/** Pid to its socket descriptors, fd to inode. */
	readonly sockets: ReadonlyMap<number, ReadonlyMap<string, number>>;
	/** Processes whose descriptors could not be listed at all. */
	readonly denied: ReadonlySet<number>;
	/** Processes some of whose descriptors could not be looked at. */
	readonly partlyDenied: ReadonlySet<number>;
};

const deniedFd = 'denied';

function systemError(code: 'ENOENT' | 'EACCES', path: string): Error {
	return Object.assign(new Error(`${code}: ${path}`), {code});
}

/**
Parses the remote script's output (see snapshot-script.ts). A line it does not know is skipped:
the format is ours, and the content of files never reaches this level unmarked.
*/
export function parseSnapshot(text: string): RemoteSnapshot {
	let euid = -1;
	const files = new Map<string, Uint8Array>();
	const sockets = new Map<number, Map<string, number>>();
	const denied = new Set<number>();
	const partlyDenied = new Set<number>();
	let path: string | undefined;
	let kind: 'text' | 'hex' = 'text';
	let parts: string[] = [];
	const close = () => {
		if (path !== undefined) {
			files.set(
				path,
				kind === 'hex'
					? Buffer.from(parts.join('').replaceAll(' ', ''), 'hex')
					: Buffer.from(parts.map((line) => `${line}\n`).join(''), 'latin1'),
			);
		}

		path = undefined;
		parts = [];
	};

	for (const line of text.split('\n')) {
		if (line.startsWith(' ')) {
			if (path !== undefined) {
				parts.push(line.slice(1));
			}

			continue;
		}

		close();
		const [marker = '', first = '', second = '', third = ''] = line.split(' ');
		switch (marker) {
			case 'u': {
				euid = Number(first);
				break;
			}

			case 'f':
			case 'h': {
				path = first;
				kind = marker === 'h' ? 'hex' : 'text';
				break;
			}

			case 'd': {
				denied.add(Number(first));
				break;
			}

			case 'D': {
				partlyDenied.add(Number(first));
				break;
			}

			case 's': {
				const pid = Number(first);
				let fds = sockets.get(pid);
				if (fds === undefined) {
					fds = new Map();
					sockets.set(pid, fds);
				}

				fds.set(second, Number(third));
				break;
			}

			default:
		}
	}

	close();
	return {euid, files, sockets, denied, partlyDenied};
}

/**
A `ProcReader` over a snapshot, so the listener scanner reads a remote host exactly as it reads
this one. /proc lists the processes that hold sockets or hid their descriptors; a process's fd
directory lists its socket descriptors (the rest were not sent, and are not sockets).
*/
export function snapshotReader(snapshot: RemoteSnapshot): ProcReader {
	return {
		readdir(path) {
			if (path === '/proc') {
				return [
					...new Set([
						...snapshot.sockets.keys(),
						...snapshot.denied,
						...snapshot.partlyDenied,
					]),
				].map(String);
			}

			const pid = /^\/proc\/(\d+)\/fd$/v.exec(path)?.[1];
			if (pid !== undefined) {
				if (snapshot.denied.has(Number(pid))) {
					throw systemError('EACCES', path);
				}

				const held = snapshot.sockets.get(Number(pid));
				if (held === undefined && !snapshot.partlyDenied.has(Number(pid))) {
					throw systemError('ENOENT', path);
				}

				const fds = [...(held?.keys() ?? [])];
				// Last: the scan stops at the first descriptor it may not read.
				return snapshot.partlyDenied.has(Number(pid))
					? [...fds, deniedFd]
					: fds;
			}

			throw systemError('ENOENT', path);
		},
		readlink(path) {
			const match = /^\/proc\/(\d+)\/fd\/(\w+)$/v.exec(path);
			const inode =
				match && snapshot.sockets.get(Number(match[1]))?.get(match[2]!);
			if (inode !== undefined && inode !== null) {
				return `socket:[${inode}]`;
			}

			throw systemError(match?.[2] === deniedFd ? 'EACCES' : 'ENOENT', path);
		},
		readFile(path) {
			const bytes = snapshot.files.get(path);
			if (bytes === undefined) {
				throw systemError('ENOENT', path);
			}

			return bytes;
		},
	};
}
