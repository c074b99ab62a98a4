/** A container engine, as its cgroup names it. */
export type Engine = 'docker' | 'podman' | 'containerd' | 'cri-o';

/** A container a process runs in, from its cgroup path; `name` is added by the engine's API. */
export type ContainerRef = {
	readonly engine: Engine;
	/** The full id as the cgroup has it (64 hex digits for Docker, Podman, CRI; containerd's own id otherwise). */
	readonly id: string;
	/** A Kubernetes pod's uid, when the cgroup is a pod's. */
	readonly pod?: string;
	readonly name?: string;
	/** Set for a docker-proxy holder: the container address and port it forwards to (`172.17.0.2:80`). */
	readonly forwardsTo?: string;
};

/** The systemd unit a process runs in: the system manager's, or a user's manager (`systemctl --user`). */
export type UnitRef = {
	readonly name: string;
	readonly manager: 'system' | 'user';
	/** For a socket-activated listener held by systemd: the service the socket starts. */
	readonly service?: string;
};

export type CgroupOwner = {
	readonly unit?: UnitRef;
	readonly container?: ContainerRef;
};

const hex64 = /^[\da-f]{64}$/v;
const unitSuffix = /\.(?:service|scope|socket|mount|swap)$/v;

/** `docker-<id>.scope`, `libpod-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`, `nerdctl-<id>.scope`. */
const scopePrefixes: ReadonlyArray<readonly [string, Engine]> = [
	['docker-', 'docker'],
	['libpod-', 'podman'],
	['cri-containerd-', 'containerd'],
	['nerdctl-', 'containerd'],
	['crio-', 'cri-o'],
];

/**
The path of a process's cgroup from the text of /proc/PID/cgroup: the unified hierarchy's (`0::`)
when it places the process anywhere but the root, else the systemd controller's of cgroup v1
(`name=systemd`), else the first non-root path.
*/
export function cgroupPath(text: string): string | undefined {
	const paths = new Map<string, string>();
	for (const line of text.split('\n')) {
		const first = line.indexOf(':');
		const second = line.indexOf(':', first + 1);
		if (first === -1 || second === -1) {
			continue;
		}

		const controllers = line.slice(first + 1, second);
		const path = line.slice(second + 1).trim();
		if (path.startsWith('/') && !paths.has(controllers)) {
			paths.set(controllers, path);
		}
	}

	const candidates = [
		paths.get(''),
		paths.get('name=systemd'),
		...paths.values(),
	];
	return candidates.find((path) => path !== undefined && path !== '/');
}

/** The unit and container a cgroup path names; either is absent when the path does not name one. */
export function ownerOfCgroup(path: string): CgroupOwner {
	const parts = path.split('/').filter((part) => part !== '');
	const container = containerOf(parts);
	const unit = unitOf(parts, container !== undefined);
	return {
		...(unit && {unit}),
		...(container && {container}),
	};
}

/** The engine and id of a container's systemd scope (`docker-<id>.scope`); not Podman's conmon. */
function scopeEngine(
	part: string,
): {readonly engine: Engine; readonly id: string} | undefined {
	if (!part.endsWith('.scope')) {
		return undefined;
	}

	const scope = part.slice(0, -6);
	for (const [prefix, engine] of scopePrefixes) {
		const id = scope.slice(prefix.length);
		if (scope.startsWith(prefix) && hex64.test(id)) {
			return {engine, id};
		}
	}

	return undefined;
}

function containerOf(parts: readonly string[]): ContainerRef | undefined {
	const pod = podOf(parts);
	for (let index = parts.length - 1; index >= 0; index--) {
		const part = parts[index]!;
		const scoped = scopeEngine(part);
		if (scoped) {
			return {...scoped, ...(pod && {pod})};
		}

		// Cgroupfs drivers: /docker/<id>, /kubepods/besteffort/pod<uid>/<id>, containerd's /<namespace>/<id>.
		if (hex64.test(part)) {
			const parent = parts[index - 1];
			const engine: Engine =
				parent === 'docker'
					? 'docker'
					: parent === 'libpod_parent' || parent?.startsWith('libpod')
						? 'podman'
						: 'containerd';
			return {engine, id: part, ...(pod && {pod})};
		}
	}

	return undefined;
}

/** `kubepods-besteffort-pod<uid with _>.slice` (systemd driver) or `pod<uid>` (cgroupfs driver). */
function podOf(parts: readonly string[]): string | undefined {
	if (!parts.some((part) => part.startsWith('kubepods'))) {
		return undefined;
	}

	for (const part of parts) {
		const match = /pod([\da-f_\-]{36})(?:\.slice)?$/v.exec(part);
		if (match) {
			return match[1]!.replaceAll('_', '-');
		}
	}

	return undefined;
}

function unitOf(
	parts: readonly string[],
	isContainer: boolean,
): UnitRef | undefined {
	const managerAt = parts.findIndex((part) =>
		/^user@\d+\.service$/v.test(part),
	);
	// The deepest unit: a service's own sub-cgroups (`foo.service/payload`) are not units.
	for (let index = parts.length - 1; index >= 0; index--) {
		const part = parts[index]!;
		if (!unitSuffix.test(part)) {
			continue;
		}

		// A container's scope is named by the container, not as a unit of its own.
		if (isContainer && scopeEngine(part) !== undefined) {
			continue;
		}

		const isUser = managerAt !== -1 && index > managerAt;
		return {name: part, manager: isUser ? 'user' : 'system'};
	}

	return undefined;
}

/** The short id Docker and Podman print: the first 12 hex digits. */
export const shortId = (id: string) => (hex64.test(id) ? id.slice(0, 12) : id);

/** The docker-proxy arguments that say what a published port forwards to. */
export type ProxyTarget = {
	readonly protocol: string;
	readonly hostIp?: string;
	readonly hostPort: number;
	readonly containerIp: string;
	readonly containerPort: number;
};

/**
What a `docker-proxy` holder (the caller checks its name) forwards to, from its arguments as
/proc/PID/cmdline gives them: `-proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip
172.17.0.2 -container-port 80`. Undefined when an argument is missing.
*/
export function proxyTarget(argv: readonly string[]): ProxyTarget | undefined {
	const value = (flag: string) => {
		for (let index = 1; index < argv.length; index++) {
			const argument = argv[index]!.replace(/^--?/v, '');
			if (argument === flag) {
				return argv[index + 1];
			}

			if (argument.startsWith(`${flag}=`)) {
				return argument.slice(flag.length + 1);
			}
		}

		return undefined;
	};

	const containerIp = value('container-ip');
	const containerPort = Number(value('container-port'));
	const hostPort = Number(value('host-port'));
	if (
		containerIp === undefined ||
		!isPort(containerPort) ||
		!isPort(hostPort)
	) {
		return undefined;
	}

	const hostIp = value('host-ip');
	return {
		protocol: value('proto') ?? 'tcp',
		...(hostIp !== undefined && {hostIp}),
		hostPort,
		containerIp,
		containerPort,
	};
}

const isPort = (port: number) =>
	Number.isInteger(port) && port > 0 && port < 65_536;
