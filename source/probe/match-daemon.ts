import type {Launch} from '../catalogue/types.js';

/** The kernel keeps 15 characters of a process name (TASK_COMM_LEN 16 with the NUL). */
export const commLength = 15;

export type MatchDaemonOptions = {
	/**
	How the catalogue says the service is started. A socket held by inetd/xinetd (for `inetd`) or
	by systemd (for `socket-activated`) is the expected owner: the daemon runs only per connection.
	*/
	readonly launch?: readonly Launch[];
	/**
	The systemd unit the holder runs in (`ssh.service`), or the .socket unit that holds it for
	systemd. A unit named for the daemon counts as that daemon: `ssh.service` or `ssh.socket` for
	`sshd` (Debian's name for OpenSSH's unit), `nginx.service` for `nginx`.
	*/
	readonly unit?: string;
};

const superServers: ReadonlyArray<{launch: Launch; names: readonly string[]}> =
	[
		{launch: 'inetd', names: ['inetd', 'xinetd']},
		{launch: 'socket-activated', names: ['systemd']},
	];

/**
Whether the process that holds a socket is one of the daemons a catalogue entry expects.

`undefined` when it cannot be said: the owner is unknown (hidden, kernel socket) or the entry names
no daemon. Compares the kernel's process name (comm), so: case-insensitive, a daemon given as a path
or with arguments (`/usr/sbin/sshd -D`) counts by its base name, a title set by the process
(`sshd: /usr/sbin/sshd`) counts by what precedes the colon, and a daemon name longer than 15
characters matches its first 15.
*/
export function matchesDaemon(
	processName: string | undefined,
	daemons: readonly string[],
	options: MatchDaemonOptions = {},
): boolean | undefined {
	if (processName === undefined) {
		return undefined;
	}

	const name = normaliseProcess(processName);
	if (name === '') {
		return undefined;
	}

	const expected = daemons
		.map((daemon) => normaliseDaemon(daemon))
		.filter((daemon) => daemon !== '');
	const launch = options.launch ?? [];
	for (const {launch: how, names} of superServers) {
		if (launch.includes(how)) {
			expected.push(...names);
		}
	}

	if (expected.length === 0) {
		return undefined;
	}

	const unit = unitBase(options.unit);
	if (
		unit !== undefined &&
		expected.some((daemon) => daemon === unit || daemon === `${unit}d`)
	) {
		return true;
	}

	return expected.some(
		(daemon) =>
			daemon === name ||
			(name.length === commLength && daemon.startsWith(name)),
	);
}

/** `ssh` of `ssh.service`, `getty` of `getty@tty1.service`; undefined for none or a scope. */
function unitBase(unit: string | undefined): string | undefined {
	const match = /^([^@]+?)(?:@[^.]*)?\.(?:service|socket)$/v.exec(unit ?? '');
	return match?.[1]?.toLowerCase();
}

function normaliseProcess(name: string): string {
	// Not a base name: a kernel thread's name has a slash (kworker/0:1) that is no path.
	const beforeTitle = name.split(':')[0] ?? '';
	return beforeTitle.trim().toLowerCase();
}

function normaliseDaemon(daemon: string): string {
	const command = daemon.trim().split(/\s+/v)[0] ?? '';
	return baseName(command).toLowerCase();
}

function baseName(path: string): string {
	return path.slice(path.lastIndexOf('/') + 1);
}
