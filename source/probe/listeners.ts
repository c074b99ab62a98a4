import {Buffer} from 'node:buffer';
import process from 'node:process';
import {proxyTarget, type CgroupOwner} from './cgroup.js';
import {
	createContainerEngine,
	type ContainerEngine,
} from './container-engine.js';
import {
	isSystemdManager,
	readCgroupOwner,
	readUsers,
	socketUnitOf,
	userOf,
} from './owner-details.js';
import {parseProcNet, type ProcNetSocket} from './proc-net.js';
import {
	errorCode,
	isGone,
	nodeProcReader,
	scanOwners,
	throwIfAborted,
	type OwnerScan,
	type ProcReader,
} from './proc-owners.js';
import {sanitize} from './sanitize.js';
import type {LocalSocket, SocketHolder} from './types.js';

export {matchesDaemon, type MatchDaemonOptions} from './match-daemon.js';
export type {ProcReader} from './proc-owners.js';

/** Not root: the owner may be a process of another user, whose descriptors we may not read. */
export const ownerHiddenByPermission =
	"owner hidden: run as root to see other users' processes";
/** Root, and still denied: a process in another user namespace, or one a security module guards. */
export const ownerHiddenFromRoot =
	'owner hidden: the kernel refused to show some processes even to root';
/** The holder's pid is known but its name could not be read. */
export const ownerNameHidden =
	'owner name hidden: its /proc/PID/comm could not be read';
/** Every process was searched and none holds the socket. */
export const ownerNotFound =
	'no owner found: a kernel socket, or one held outside this PID namespace';

export type ListenerScannerOptions = {
	/** Where /proc is read; tests inject errors here. */
	readonly reader?: ProcReader;
	readonly platform?: NodeJS.Platform;
	/** Effective uid of the reader; decides whether a missing owner may be hidden from us. */
	readonly euid?: number;
	/** Rebuild the owner map at least this often, to see a socket handed to another process. */
	readonly ownerMaxAgeMs?: number;
	readonly now?: () => number;
	/** Names containers through the engines' API sockets; `false`: ids only (another host's snapshot). */
	readonly engine?: ContainerEngine | false;
};

export type ListLocalSocketsOptions = {
	/** Rebuild the inode-to-process map now instead of when the cache policy says. */
	readonly refreshOwners?: boolean;
	readonly signal?: AbortSignal;
	/**
	 * Only the sockets on these ports, named and described: a one-shot probe wants the holders of
	 * the ports it found open, not every listener's (a name, command line, cgroup and user each).
	 */
	readonly ports?: ReadonlySet<number>;
};

export type LocalSocketList = {
	readonly isAvailable: boolean;
	/** Why the list is unavailable. */
	readonly reason?: string;
	readonly sockets: LocalSocket[];
	/** Epoch ms when the owner map used for this list was built. */
	readonly ownersScannedAt?: number;
};

export type ListenerScanner = {
	readonly list: (
		options?: ListLocalSocketsOptions,
	) => Promise<LocalSocketList>;
};

const tables = [
	{file: 'tcp', protocol: 'tcp', family: 4},
	{file: 'tcp6', protocol: 'tcp', family: 6},
	{file: 'udp', protocol: 'udp', family: 4},
	{file: 'udp6', protocol: 'udp', family: 6},
] as const;

export const defaultOwnerMaxAgeMs = 10_000;

/**
Lists listening TCP and bound UDP sockets with their owners, holding the owner map between calls.

Reading the four /proc/net tables is cheap; finding owners means a readlink of every descriptor of
every process, several times the cost (see test/bench/listeners.js). So the owner map is rebuilt
only when a socket inode appears that the last scan did not see, when a known owner has exited,
when it is older than `ownerMaxAgeMs`, or on `refreshOwners`. A socket that no process held at the
last scan (a kernel socket) does not trigger a rescan on every call.
*/
export function createListenerScanner(
	options: ListenerScannerOptions = {},
): ListenerScanner {
	const {
		reader = nodeProcReader,
		platform = process.platform,
		euid = process.geteuid?.() ?? 0,
		ownerMaxAgeMs = defaultOwnerMaxAgeMs,
		now = Date.now,
	} = options;
	const engine = options.engine ?? createContainerEngine();
	let owners: OwnerScan | undefined;
	let scannedAt = 0;
	// Inodes listed when the map was built, owned or not.
	let seenInodes = new Set<number>();
	let detailsCache = new Map<number, Details>();
	let scanning: Promise<OwnerScan> | undefined;

	async function rescan(
		sockets: readonly ProcNetSocket[],
		signal: AbortSignal | undefined,
	): Promise<OwnerScan> {
		if (scanning) {
			// Two callers share one scan; if the other one aborted it, scan for ourselves.
			try {
				return await scanning;
			} catch (error) {
				if (signal?.aborted === true || !isAbort(error)) {
					throw error;
				}
			}
		}

		const startedAt = now();
		const current = scanOwners({reader, signal});
		scanning = current;
		try {
			owners = await current;
			scannedAt = startedAt;
			detailsCache = new Map();
			seenInodes = new Set(sockets.map((socket) => socket.inode));
			return owners;
		} finally {
			if (scanning === current) {
				scanning = undefined;
			}
		}
	}

	async function list(
		listOptions: ListLocalSocketsOptions = {},
	): Promise<LocalSocketList> {
		const {refreshOwners = false, signal, ports} = listOptions;
		throwIfAborted(signal);
		if (platform !== 'linux') {
			return {
				isAvailable: false,
				reason: `local listeners come from Linux's /proc/net, which ${platform} does not have`,
				sockets: [],
			};
		}

		const tables = readSocketTables(reader);
		if (typeof tables === 'string') {
			return {isAvailable: false, reason: tables, sockets: []};
		}

		const table = ports
			? tables.filter((socket) => ports.has(socket.port))
			: tables;

		const isUnseen = (socket: ProcNetSocket) =>
			!owners?.pidsByInode.has(socket.inode) && !seenInodes.has(socket.inode);
		const isStale =
			refreshOwners ||
			now() - scannedAt >= ownerMaxAgeMs ||
			table.some((socket) => isUnseen(socket));
		let map = owners;
		if (map === undefined || isStale) {
			map = await rescan(table, signal);
		} else {
			const names = readNames(reader, table, map, detailsCache);
			if (!names.hasGone) {
				return finish(table, map, names, signal);
			}

			// A process we knew has exited: its sockets may live on in a child (a daemon that forked).
			map = await rescan(table, signal);
		}

		return finish(
			table,
			map,
			readNames(reader, table, map, detailsCache),
			signal,
		);
	}

	async function finish(
		table: readonly ProcNetSocket[],
		map: OwnerScan,
		names: Names,
		signal: AbortSignal | undefined,
	): Promise<LocalSocketList> {
		const described = table.map((socket) =>
			describe(socket, map, names, {euid, reader}),
		);
		const sockets = engine
			? await nameContainers(described, engine)
			: described;
		throwIfAborted(signal);
		sockets.sort(compareSockets);
		return {isAvailable: true, sockets, ownersScannedAt: scannedAt};
	}

	return {list};
}

let defaultScanner: ListenerScanner | undefined;

/** The process-wide scanner, so that every caller shares one owner cache. */
export async function listLocalSockets(
	options?: ListLocalSocketsOptions,
): Promise<LocalSocketList> {
	defaultScanner ??= createListenerScanner();
	return defaultScanner.list(options);
}

/** The four socket tables, without owners; a string says why they cannot be read. */
export function readSocketTables(
	reader: ProcReader = nodeProcReader,
): ProcNetSocket[] | string {
	const sockets: ProcNetSocket[] = [];
	let missing = 0;
	for (const {file, protocol, family} of tables) {
		let text: string;
		try {
			const bytes = reader.readFile(`/proc/net/${file}`);
			text = Buffer.from(
				bytes.buffer,
				bytes.byteOffset,
				bytes.byteLength,
			).toString('latin1');
		} catch (error) {
			// Tcp6 and udp6 are absent when the kernel runs without IPv6.
			if (isGone(error)) {
				missing++;
				continue;
			}

			return `cannot read /proc/net/${file}: ${errorCode(error) ?? String(error)}`;
		}

		// A loop, not push(...): a busy server's table can exceed the argument limit.
		for (const socket of parseProcNet(text, protocol, family)) {
			sockets.push(socket);
		}
	}

	return missing === tables.length
		? 'no /proc/net/tcp: /proc is not mounted here'
		: sockets;
}

/** What is read of one holder on every list: cheap small files, so a change of unit or user shows. */
type Named = Omit<SocketHolder, 'pid' | 'process'> & {
	readonly name: string;
	/** The arguments one by one, for docker-proxy's. */
	readonly argv: readonly string[];
};

/**
A holder's user, unit and container, kept while the owner map that found it is (a process's cgroup
and user rarely change; a rescan, at least every `ownerMaxAgeMs`, reads them again).
*/
type Details = CgroupOwner & {readonly user: string | undefined};

type Names = {
	/** Pid to sanitised name and command line; absent when the process is gone or its name unreadable. */
	readonly byPid: ReadonlyMap<number, Named>;
	readonly unreadable: ReadonlySet<number>;
	readonly hasGone: boolean;
};

/** Process names are read on every list (one small read per owner), which also notices an owner that exited. */
function readNames(
	reader: ProcReader,
	sockets: readonly ProcNetSocket[],
	owners: OwnerScan,
	detailsCache: Map<number, Details>,
): Names {
	const byPid = new Map<number, Named>();
	let users: ReadonlyMap<number, string> | undefined;
	const unreadable = new Set<number>();
	const tried = new Set<number>();
	let hasGone = false;
	for (const socket of sockets) {
		for (const pid of owners.pidsByInode.get(socket.inode) ?? []) {
			if (tried.has(pid)) {
				continue;
			}

			tried.add(pid);
			try {
				// The trailing newline is whitespace, which sanitize drops at the end. A name that is
				// all escape sequence leaves nothing: `?` then, so the pid still shows and the row
				// does not read as a socket without an owner.
				const name = sanitize(reader.readFile(`/proc/${pid}/comm`), 64) || '?';
				const argv = readArguments(reader, pid);
				let details = detailsCache.get(pid);
				if (!details) {
					users ??= readUsers(reader);
					details = {
						...readCgroupOwner(reader, pid),
						user: userOf(reader, pid, users),
					};
					detailsCache.set(pid, details);
				}

				const {unit, container, user} = details;
				const cmdline = joinArguments(argv);
				byPid.set(pid, {
					name,
					argv,
					...(cmdline !== undefined && {cmdline}),
					...(user !== undefined && {user}),
					...(unit && {unit}),
					...(container && {container}),
				});
			} catch (error) {
				if (isGone(error)) {
					hasGone = true;
				} else {
					unreadable.add(pid);
				}
			}
		}
	}

	return {byPid, unreadable, hasGone};
}

/** Maximum length of a sanitised command line: htop-like room, bounded against a megabyte of argv. */
const commandLineLength = 400;

/**
The arguments are NUL-separated; each is sanitised, and they are joined by spaces as ps and htop
show them. A kernel thread's is empty, and a process that exits between the two reads has none.
*/
function readArguments(reader: ProcReader, pid: number): string[] {
	let bytes: Uint8Array;
	try {
		bytes = reader.readFile(`/proc/${pid}/cmdline`);
	} catch {
		return [];
	}

	const text = Buffer.from(
		bytes.buffer,
		bytes.byteOffset,
		bytes.byteLength,
	).toString('latin1');
	const parts = text.split('\0');
	if (parts.at(-1) === '') {
		parts.pop();
	}

	return parts.map((part) =>
		sanitize(Buffer.from(part, 'latin1'), commandLineLength),
	);
}

function joinArguments(argv: readonly string[]): string | undefined {
	const joined = argv.join(' ').trim();
	return joined === ''
		? undefined
		: joined.length > commandLineLength
			? joined.slice(0, commandLineLength)
			: joined;
}

function describe(
	socket: ProcNetSocket,
	owners: OwnerScan,
	names: Names,
	{euid, reader}: {readonly euid: number; readonly reader: ProcReader},
): LocalSocket {
	// Field by field, no spread: V8 made `{...socket, pid}` cost 10 µs a socket (20 ms at 2,000);
	// adding the owner fields to this literal costs about as little as one literal per case.
	const {protocol, address, family, port, inode, uid} = socket;
	const local: {-readonly [K in keyof LocalSocket]: LocalSocket[K]} = {
		protocol,
		address,
		family,
		port,
		inode,
		uid,
	};
	const pids = owners.pidsByInode.get(inode) ?? [];
	const holders: SocketHolder[] = [];
	for (const pid of pids) {
		const named = names.byPid.get(pid);
		if (named !== undefined) {
			holders.push(holderOf(pid, named, socket, reader));
		}
	}

	const [first] = holders;
	if (first) {
		local.pid = first.pid;
		local.process = first.process;
		if (first.cmdline !== undefined) {
			local.cmdline = first.cmdline;
		}

		local.owners = holders;
		return local;
	}

	const nameless = pids.find((pid) => names.unreadable.has(pid));
	if (nameless !== undefined) {
		local.pid = nameless;
		local.ownerHidden = ownerNameHidden;
		return local;
	}

	// Not root: another user's processes are unreadable (or invisible under hidepid), so absence proves nothing.
	local.ownerHidden =
		euid !== 0 && (owners.deniedCount > 0 || uid !== euid)
			? ownerHiddenByPermission
			: owners.deniedCount > 0
				? ownerHiddenFromRoot
				: ownerNotFound;
	return local;
}

function holderOf(
	pid: number,
	named: Named,
	socket: ProcNetSocket,
	reader: ProcReader,
): SocketHolder {
	const {name, argv, ...details} = named;
	const holder: {-readonly [K in keyof SocketHolder]: SocketHolder[K]} = {
		pid,
		process: name,
		...details,
	};
	if (isSystemdManager(pid, name, named.unit)) {
		const unit = socketUnitOf(reader, socket, named.unit?.manager ?? 'system');
		if (unit) {
			holder.unit = unit;
		}
	}

	const proxy = name === 'docker-proxy' ? proxyTarget(argv) : undefined;
	if (proxy) {
		const forwardsTo = proxy.containerIp.includes(':')
			? `[${proxy.containerIp}]:${proxy.containerPort}`
			: `${proxy.containerIp}:${proxy.containerPort}`;
		// Named by the engine later (nameContainers); until then, where it forwards to.
		holder.container = {engine: 'docker', id: '', forwardsTo};
	}

	return holder;
}

/** Container names from the engine, for holders whose cgroup or docker-proxy arguments name one. */
async function nameContainers(
	sockets: LocalSocket[],
	engine: ContainerEngine,
): Promise<LocalSocket[]> {
	const named = async (holder: SocketHolder): Promise<SocketHolder> => {
		const {container} = holder;
		if (!container) {
			return holder;
		}

		if (container.forwardsTo !== undefined) {
			const address = container.forwardsTo
				.replace(/:\d+$/v, '')
				.replaceAll(/^\[|\]$/gv, '');
			const found = await engine.byAddress(address);
			return found
				? {...holder, container: {...found, forwardsTo: container.forwardsTo}}
				: holder;
		}

		return {...holder, container: await engine.name(container)};
	};

	if (
		!sockets.some((socket) => socket.owners?.some((holder) => holder.container))
	) {
		return sockets;
	}

	return Promise.all(
		sockets.map(async (socket) => {
			if (!socket.owners?.some((holder) => holder.container)) {
				return socket;
			}

			const owners = await Promise.all(
				socket.owners.map(async (holder) => named(holder)),
			);
			return {...socket, owners};
		}),
	);
}

function compareSockets(a: LocalSocket, b: LocalSocket): number {
	// Plain code-unit order: localeCompare costs more than the whole parse at 2,000 sockets.
	return (
		a.port - b.port ||
		compareText(a.protocol, b.protocol) ||
		a.family - b.family ||
		compareText(a.address, b.address) ||
		a.inode - b.inode
	);
}

function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function isAbort(error: unknown): boolean {
	return error instanceof Error && error.name === 'AbortError';
}

/** This machine's sockets with their holders for a watch's `readOwners`; undefined where /proc cannot say. */
export async function readLocalOwners(
	signal: AbortSignal,
): Promise<LocalSocket[] | undefined> {
	const list = await listLocalSockets({signal});
	return list.isAvailable ? list.sockets : undefined;
}
