import {shortId, type ContainerRef, type UnitRef} from '../probe/cgroup.js';
import type {LocalSocket, SocketHolder} from '../probe/types.js';

/** `ssh.service`, `ssh.socket → ssh.service`, `syncthing.service (user)`. */
export function unitText(unit: UnitRef): string {
	const service = unit.service === undefined ? '' : ` → ${unit.service}`;
	return `${unit.name}${service}${unit.manager === 'user' ? ' (user)' : ''}`;
}

/** `web`, or the short id when the engine did not name it; `→ 172.17.0.2:80` for docker-proxy's. */
export function containerText(container: ContainerRef): string {
	const name =
		container.name ??
		(container.id === ''
			? 'a container'
			: `${container.engine} ${shortId(container.id)}`);
	return container.forwardsTo === undefined
		? name
		: `${name} → ${container.forwardsTo}`;
}

/** Unit or container first, when known (what people restart), then the process: `ssh.service sshd`. */
export function holderLabel(holder: SocketHolder): string {
	const group = holder.container
		? containerText(holder.container)
		: holder.unit && !isSessionScope(holder.unit)
			? holder.unit.name
			: undefined;
	return group === undefined ? holder.process : `${group} ${holder.process}`;
}

/** A login session's scope says only that someone started it by hand: the process says more. */
const isSessionScope = (unit: UnitRef) =>
	/^session-.+\.scope$/v.test(unit.name) || unit.name === 'init.scope';

/** `sshd 812 (ssh.service)`: a process with its pid, and its unit or container. */
export function holderText(holder: SocketHolder): string {
	const group = holder.container
		? containerText(holder.container)
		: holder.unit
			? unitText(holder.unit)
			: undefined;
	return `${holder.process} ${holder.pid}${group === undefined ? '' : ` (${group})`}`;
}

/** The owner as `probe --json`, `watch --json` and `audit --json` give it; every field present. */
export function holderToJson(holder: SocketHolder | undefined) {
	if (!holder) {
		return null;
	}

	return {
		pid: holder.pid,
		user: holder.user ?? null,
		comm: holder.process,
		cmdline: holder.cmdline ?? null,
		unit: holder.unit
			? {
					name: holder.unit.name,
					manager: holder.unit.manager,
					service: holder.unit.service ?? null,
				}
			: null,
		container: holder.container
			? {
					engine: holder.container.engine,
					id: holder.container.id === '' ? null : holder.container.id,
					shortId:
						holder.container.id === '' ? null : shortId(holder.container.id),
					name: holder.container.name ?? null,
					pod: holder.container.pod ?? null,
					forwardsTo: holder.container.forwardsTo ?? null,
				}
			: null,
	};
}

/** The first holder of a socket, the one the dashboard and the JSON name. */
export const firstHolder = (socket: LocalSocket | undefined) =>
	socket?.owners?.[0];

/**
 * `sshd 812 → 1190 (ssh.service)`: the holders around a restart. The same pid on both sides says
 * so: the daemon re-bound its socket without restarting.
 */
export function ownerChangeText(
	before: SocketHolder | undefined,
	after: SocketHolder | undefined,
): string {
	if (!before && !after) {
		return '';
	}

	const group = (holder: SocketHolder) =>
		holder.container
			? containerText(holder.container)
			: holder.unit
				? unitText(holder.unit)
				: undefined;
	if (!before || !after) {
		const holder = (before ?? after)!;
		return before ? `was ${holderText(holder)}` : `now ${holderText(holder)}`;
	}

	const names =
		before.process === after.process
			? before.process
			: `${before.process} → ${after.process}`;
	const unit = group(after) ?? group(before);
	const pids =
		before.pid === after.pid
			? `${before.pid}, same pid (re-bound without restarting)`
			: `${before.pid} → ${after.pid}`;
	return `${names} ${pids}${unit === undefined ? '' : ` (${unit})`}`;
}
