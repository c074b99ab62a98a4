import {Buffer} from 'node:buffer';
import type {ContainerRef, Engine} from './cgroup.js';
import {sanitize} from './sanitize.js';

/**
Container names from the engines' own API: Docker's and Podman's (whose compatible API answers the
same paths) over their Unix socket, through Node's http with `socketPath`, no shelling out. An
engine whose socket is missing or unreadable names nothing; the container keeps its short id.
*/
export type ContainerEngine = {
	/** `ref` with its name when an engine knows the id. */
	readonly name: (ref: ContainerRef) => Promise<ContainerRef>;
	/** The container that holds `address` on one of its networks (docker-proxy's `-container-ip`). */
	readonly byAddress: (address: string) => Promise<ContainerRef | undefined>;
};

export type EngineSockets = Partial<Record<Engine, readonly string[]>>;

export const defaultEngineSockets: EngineSockets = {
	docker: ['/var/run/docker.sock', '/run/docker.sock'],
	podman: ['/run/podman/podman.sock'],
};

export type ContainerEngineOptions = {
	readonly sockets?: EngineSockets;
	/** How long one API call may take; an engine on this machine answers in milliseconds. */
	readonly timeoutMs?: number;
	/** How long an answer (or an engine's silence) is kept before asking again. */
	readonly cacheMs?: number;
	readonly now?: () => number;
};

const maxBodyBytes = 4 * 1024 * 1024;

/** GET `path` on the API socket; undefined on any failure (no socket, refused, not JSON, too big). */
async function getJson(
	socketPath: string,
	path: string,
	timeoutMs: number,
): Promise<unknown> {
	// Loaded on the first container seen: node:http is some 3 ms of every start of every command.
	const {request} = await import('node:http');
	return new Promise((resolve) => {
		const chunks: Uint8Array[] = [];
		let size = 0;
		const call = request(
			{socketPath, path, method: 'GET', headers: {host: 'localhost'}},
			(response) => {
				response.on('data', (chunk: Uint8Array) => {
					size += chunk.byteLength;
					if (size > maxBodyBytes) {
						call.destroy();
						resolve(undefined);
						return;
					}

					chunks.push(chunk);
				});
				response.on('end', () => {
					if (response.statusCode !== 200) {
						resolve(undefined);
						return;
					}

					try {
						resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
					} catch {
						resolve(undefined);
					}
				});
				response.on('error', () => {
					resolve(undefined);
				});
			},
		);
		call.setTimeout(timeoutMs, () => {
			call.destroy();
			resolve(undefined);
		});
		call.on('error', () => {
			resolve(undefined);
		});
		call.end();
	});
}

const record = (value: unknown): Record<string, unknown> | undefined =>
	typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: undefined;

/** `/web` as the engine writes it: without the slash, made safe for a terminal. */
const cleanName = (value: unknown) =>
	typeof value === 'string'
		? sanitize(value.replace(/^\//v, ''), 128) || undefined
		: undefined;

type Listed = {
	readonly id: string;
	readonly name?: string;
	readonly addresses: readonly string[];
};

function listed(value: unknown): Listed[] {
	if (!Array.isArray(value)) {
		return [];
	}

	return value.flatMap((item) => {
		const container = record(item);
		const id = container?.['Id'];
		if (typeof id !== 'string') {
			return [];
		}

		const names = container?.['Names'];
		const networks = record(
			record(container?.['NetworkSettings'])?.['Networks'],
		);
		const addresses = Object.values(networks ?? {}).flatMap((network) => {
			const fields = record(network);
			return [fields?.['IPAddress'], fields?.['GlobalIPv6Address']].filter(
				(address): address is string =>
					typeof address === 'string' && address !== '',
			);
		});
		const name = Array.isArray(names) ? cleanName(names[0]) : undefined;
		return [{id, addresses, ...(name && {name})}];
	});
}

export function createContainerEngine(
	options: ContainerEngineOptions = {},
): ContainerEngine {
	const {
		sockets = defaultEngineSockets,
		timeoutMs = 1000,
		cacheMs = 10_000,
		now = Date.now,
	} = options;
	const lists = new Map<Engine, {at: number; containers: Promise<Listed[]>}>();

	/** The engine's containers, asked once per `cacheMs`; every socket the engine may have is tried. */
	const containersOf = async (engine: Engine): Promise<Listed[]> => {
		const cached = lists.get(engine);
		if (cached && now() - cached.at < cacheMs) {
			return cached.containers;
		}

		const containers = (async () => {
			for (const socketPath of sockets[engine] ?? []) {
				// eslint-disable-next-line no-await-in-loop -- the first socket that answers is the engine
				const answer = await getJson(socketPath, '/containers/json', timeoutMs);
				if (Array.isArray(answer)) {
					return listed(answer);
				}
			}

			return [];
		})();
		lists.set(engine, {at: now(), containers});
		return containers;
	};

	const engines = Object.keys(sockets) as Engine[];
	return {
		async name(ref) {
			if (ref.name !== undefined) {
				return ref;
			}

			// A cgroup that says containerd may be Docker's (its containerd shim): ask Docker too.
			const asked = [
				ref.engine,
				...engines.filter((engine) => engine !== ref.engine),
			];
			for (const engine of asked) {
				// eslint-disable-next-line no-await-in-loop -- in order: the cgroup's engine first
				const containers = await containersOf(engine);
				const found = containers.find((container) => container.id === ref.id);
				if (found?.name !== undefined) {
					return {...ref, name: found.name};
				}
			}

			return ref;
		},
		async byAddress(address) {
			for (const engine of engines) {
				// eslint-disable-next-line no-await-in-loop -- in order, Docker first
				const containers = await containersOf(engine);
				const found = containers.find((container) =>
					container.addresses.includes(address),
				);
				if (found) {
					return {engine, id: found.id, ...(found.name && {name: found.name})};
				}
			}

			return undefined;
		},
	};
}
