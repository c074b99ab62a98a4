import {Buffer} from 'node:buffer';
import {
	cgroupPath,
	ownerOfCgroup,
	type CgroupOwner,
	type UnitRef,
} from './cgroup.js';
import type {ProcReader} from './proc-owners.js';
import {sanitize} from './sanitize.js';
import type {Protocol} from './types.js';

/*
Who a socket's holder is beyond its name, read through the same injectable ProcReader as the
rest of the scan, so that another host's /proc (a snapshot) feeds the same code: the user it runs
as, the systemd unit and the container its cgroup names, and for a socket systemd itself holds
(socket activation) the .socket unit that made it and the service that unit starts.
*/

const text = (reader: ProcReader, path: string): string | undefined => {
	try {
		const bytes = reader.readFile(path);
		return Buffer.from(
			bytes.buffer,
			bytes.byteOffset,
			bytes.byteLength,
		).toString('utf8');
	} catch {
		return undefined;
	}
};

/** The user names of /etc/passwd by uid, read once per owner scan. */
export function readUsers(reader: ProcReader): ReadonlyMap<number, string> {
	const users = new Map<number, string>();
	for (const line of (text(reader, '/etc/passwd') ?? '').split('\n')) {
		const [name, , uid] = line.split(':');
		const number = Number(uid);
		if (
			name &&
			uid !== undefined &&
			uid !== '' &&
			Number.isSafeInteger(number) &&
			!users.has(number)
		) {
			users.set(number, sanitize(name, 32));
		}
	}

	return users;
}

/** The effective uid of a process (the second of /proc/PID/status's `Uid:` line, as ps's `euser`). */
export function readUid(reader: ProcReader, pid: number): number | undefined {
	const status = text(reader, `/proc/${pid}/status`);
	const fields = /^Uid:\s+(\d+)\s+(\d+)/mv.exec(status ?? '');
	return fields ? Number(fields[2]) : undefined;
}

/** The user name of a process, or its uid as text when /etc/passwd does not name it. */
export function userOf(
	reader: ProcReader,
	pid: number,
	users: ReadonlyMap<number, string>,
): string | undefined {
	const uid = readUid(reader, pid);
	return uid === undefined ? undefined : (users.get(uid) ?? String(uid));
}

export function readCgroupOwner(reader: ProcReader, pid: number): CgroupOwner {
	const path = cgroupPath(text(reader, `/proc/${pid}/cgroup`) ?? '');
	const owner = path === undefined ? {} : ownerOfCgroup(path);
	// Anyone who may make a cgroup names it: the name is untrusted text like a process's.
	return owner.unit
		? {...owner, unit: {...owner.unit, name: sanitize(owner.unit.name, 256)}}
		: owner;
}

const unitDirectories = {
	system: [
		'/etc/systemd/system',
		'/run/systemd/system',
		'/usr/local/lib/systemd/system',
		'/usr/lib/systemd/system',
		'/lib/systemd/system',
	],
	user: ['/etc/systemd/user', '/run/systemd/user', '/usr/lib/systemd/user'],
} as const;

type SocketUnit = {
	readonly name: string;
	readonly listens: ReadonlyArray<{
		readonly protocol: Protocol;
		readonly address?: string;
		readonly port: number;
	}>;
	readonly service: string;
};

/** The Listen lines of a .socket unit file that name an IP port, and the service it starts. */
export function parseSocketUnit(name: string, body: string): SocketUnit {
	const listens: Array<SocketUnit['listens'][number]> = [];
	let service: string | undefined;
	let isAccepting = false;
	for (const raw of body.split('\n')) {
		const line = raw.trim();
		const equals = line.indexOf('=');
		if (equals === -1 || line.startsWith('#') || line.startsWith(';')) {
			continue;
		}

		const key = line.slice(0, equals).trim();
		const value = line.slice(equals + 1).trim();
		switch (key) {
			case 'Service': {
				service = value;

				break;
			}

			case 'Accept': {
				isAccepting = /^(?:yes|true|1|on)$/iv.test(value);

				break;
			}

			case 'ListenStream':
			case 'ListenDatagram': {
				const match = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/v.exec(value);
				if (match) {
					const address = match[1];
					listens.push({
						protocol: key === 'ListenStream' ? 'tcp' : 'udp',
						port: Number(match[2]),
						...(address !== undefined && address !== '' && {address}),
					});
				}

				break;
			}
			// No default
		}
	}

	const base = name.replace(/\.socket$/v, '');
	return {
		name,
		listens,
		// With Accept=yes systemd starts an instance of a template per connection (systemd.socket(5)).
		service: service ?? `${base}${isAccepting ? '@' : ''}.service`,
	};
}

type Bound = {
	readonly protocol: Protocol;
	readonly address: string;
	readonly port: number;
};

const anyAddress = new Set(['0.0.0.0', '::', '']);

/**
The .socket unit that holds `socket` for a systemd manager (PID 1, or a user's `systemd --user`):
the unit files whose ListenStream/ListenDatagram name its port and address. When more than one
does, only one that is active (systemd's /run/systemd/units/invocation:NAME) is named; otherwise
none is, rather than a guess.
*/
export function socketUnitOf(
	reader: ProcReader,
	socket: Bound,
	manager: UnitRef['manager'],
): UnitRef | undefined {
	const seen = new Set<string>();
	const matches: SocketUnit[] = [];
	for (const directory of unitDirectories[manager]) {
		let names: string[];
		try {
			names = reader.readdir(directory);
		} catch {
			continue;
		}

		for (const name of names) {
			// An earlier directory overrides a later one, as systemd's own search path does.
			if (!name.endsWith('.socket') || seen.has(name)) {
				continue;
			}

			seen.add(name);
			const unit = parseSocketUnit(
				name,
				text(reader, `${directory}/${name}`) ?? '',
			);
			const isMatch = unit.listens.some(
				(listen) =>
					listen.protocol === socket.protocol &&
					listen.port === socket.port &&
					(listen.address === undefined
						? true
						: listen.address === socket.address ||
							(anyAddress.has(listen.address) &&
								anyAddress.has(socket.address))),
			);
			if (isMatch) {
				matches.push(unit);
			}
		}
	}

	const isActive = (unit: SocketUnit) => {
		try {
			reader.readlink(`/run/systemd/units/invocation:${unit.name}`);
			return true;
		} catch {
			return false;
		}
	};

	const chosen =
		matches.length === 1
			? matches[0]
			: (() => {
					const active = matches.filter((unit) => isActive(unit));
					return active.length === 1 ? active[0] : undefined;
				})();
	return (
		chosen && {
			name: sanitize(chosen.name, 128),
			manager,
			service: sanitize(chosen.service, 128),
		}
	);
}

/** Whether a holder is a systemd manager: PID 1, or a user's manager in its `init.scope`. */
export const isSystemdManager = (
	pid: number,
	process: string,
	unit: UnitRef | undefined,
) =>
	process === 'systemd' &&
	(pid === 1 || (unit?.manager === 'user' && unit.name === 'init.scope'));
