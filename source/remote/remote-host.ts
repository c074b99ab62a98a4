import {execFile} from 'node:child_process';
import {sanitize} from '../probe/sanitize.js';
import type {SshDestination} from './destination.js';
import {createRemoteListenerScanner} from './remote-listeners.js';
import {createSshSession, type SshSession} from './ssh-session.js';

export type RemoteOptions = {
	/** Passed to ssh as -F. */
	readonly configFile?: string;
	readonly isSudo?: boolean;
	readonly sshCommand?: string;
	readonly retryMs?: number;
	/** False for a one-shot command: one attempt, and a reason that promises no retry. */
	readonly isRetrying?: boolean;
};

export type RemoteHost = {
	readonly destination: SshDestination;
	readonly session: SshSession;
	readonly scanner: ReturnType<typeof createRemoteListenerScanner>;
	readonly close: () => void;
};

export function openRemoteHost(
	destination: SshDestination,
	options: RemoteOptions = {},
): RemoteHost {
	const session = createSshSession({destination, ...options});
	return {
		destination,
		session,
		scanner: createRemoteListenerScanner(session),
		close: session.close,
	};
}

/**
The name the probes from here should use: ssh's own reading of its config (`ssh -G`, which does
not connect), so an alias with a HostName probes the host ssh logs into.
*/
export async function sshHostName(
	destination: SshDestination,
	options: Pick<RemoteOptions, 'configFile' | 'sshCommand'> = {},
): Promise<string> {
	const {configFile, sshCommand = 'ssh'} = options;
	const argv = [
		...(configFile === undefined ? [] : ['-F', configFile]),
		'-G',
		...(destination.port === undefined ? [] : ['-p', String(destination.port)]),
		...(destination.user === undefined ? [] : ['-l', destination.user]),
		'--',
		destination.host,
	];
	return new Promise((resolve, reject) => {
		execFile(
			sshCommand,
			argv,
			{timeout: 10_000, encoding: 'utf8'},
			(error, stdout, stderr) => {
				const name = /^hostname (\S+)$/mv.exec(stdout)?.[1];
				if (error !== null || name === undefined) {
					const line = stderr.trim().split('\n').at(-1) ?? '';
					reject(
						new Error(
							`ssh -G ${destination.text}: ${sanitize(line === '' ? String(error?.message) : line, 200)}`,
						),
					);
					return;
				}

				resolve(name);
			},
		);
	});
}
