/*
 * The namespace network of test/net/: a client, a router and a server, each its own network
 * namespace made with `ip netns` and joined by veth pairs made inside them (nothing is added to
 * the host's own namespace, and no packet can leave these three). Optionally a userspace
 * delay/loss relay in the router (relay.py; this kernel has no netem qdisc): policy routing
 * sends each packet that arrives from either side through two TUN devices the relay joins.
 *
 *   client 10.13.1.2 fd13:1::2 --- router 10.13.1.1 | 10.13.2.1 --- server 10.13.2.2 fd13:2::2
 *
 * 10.13.2.200 is on the server's link but nobody has it (the router's ARP gives up, then it
 * answers host unreachable); the router has no default route, so 10.250.0.0/16 draws net
 * unreachable. Names start with `pe` and carry the process id and a counter, so parallel runs
 * never meet. `close()` kills what was started and deletes the namespaces.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import {readdirSync, rmSync, statSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {budgetDirectory} from '../../source/probe/budget.js';
import {runChild, type ChildResult} from '../helpers/child.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const client4 = '10.13.1.2';
export const server4 = '10.13.2.2';
export const server6 = 'fd13:2::2';
export const absentOnLink4 = '10.13.2.200';
export const absentNoRoute4 = '10.250.0.200';

export type Relay = {
	/** Added to every packet in each direction, so the round trip grows by twice this. */
	readonly delayMs: number;
	/** Chance that a packet is dropped, in each direction. */
	readonly loss: number;
	readonly seed?: number;
};

export type Topology = {
	readonly client: string;
	readonly router: string;
	readonly server: string;
	/** Runs a command inside a namespace to its end. */
	run(
		ns: string,
		command: string,
		args: readonly string[],
		env?: NodeJS.ProcessEnv,
	): Promise<ChildResult>;
	/** Runs shell commands inside a namespace; throws with its stderr when one fails. */
	sh(ns: string, script: string): void;
	/** Starts a long-running command inside a namespace; killed by `close()`. Resolves once it printed `ready`. */
	start(
		ns: string,
		command: string,
		args: readonly string[],
	): Promise<ChildProcess>;
	close(): void;
};

let counter = 0;

/** Why the suite cannot run here, or undefined when it can. */
export function whyNoNamespaces(): string | undefined {
	if (process.platform !== 'linux') {
		return 'network namespaces need Linux';
	}

	if (process.getuid?.() !== 0) {
		return 'network namespaces need root';
	}

	const probe = spawnSync(
		'unshare',
		['-n', 'ip', 'link', 'add', 'pe0', 'type', 'veth', 'peer', 'name', 'pe1'],
		{
			stdio: 'ignore',
			timeout: 5000,
		},
	);
	if (probe.status !== 0) {
		return 'cannot make a network namespace with a veth pair (unshare -n, ip link)';
	}

	for (const tool of ['nmap', 'nft', 'iptables', 'python3']) {
		if (
			spawnSync('sh', ['-c', `command -v ${tool}`], {stdio: 'ignore'})
				.status !== 0
		) {
			return `${tool} is not installed (.ci/run installs it)`;
		}
	}

	return undefined;
}

/** Runs shell commands inside a namespace to their end, returning stdout; throws with stderr when one fails. */
export function shIn(ns: string, script: string): string {
	const result = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-ec', script], {
		encoding: 'utf8',
		timeout: 20_000,
	});
	if (result.status !== 0) {
		throw new Error(`in ${ns}: ${script.trim()}\n${result.stderr}`);
	}

	return result.stdout;
}

/** Adds network namespace `ns` with its loopback up, recorded in `made` (for deletion) once it exists. */
export function addNamespace(ns: string, made: string[]): void {
	const added = spawnSync('ip', ['netns', 'add', ns], {encoding: 'utf8'});
	if (added.status !== 0) {
		throw new Error(`ip netns add ${ns}: ${added.stderr}`);
	}

	made.push(ns);
	shIn(ns, 'ip link set lo up');
}

export async function createTopology(
	options: {readonly relay?: Relay} = {},
): Promise<Topology> {
	const id = `pe${process.pid % 100_000}x${counter++}`;
	const [client, router, server] = ['c', 'r', 's'].map(
		(side) => `${id}${side}`,
	) as [string, string, string];
	const children: ChildProcess[] = [];
	const made: string[] = [];
	const close = () => {
		// The UDP budget files portui keeps per namespace and address (source/probe/budget.ts).
		const budgets = budgetDirectory();
		for (const ns of made) {
			try {
				const inode = String(statSync(`/run/netns/${ns}`).ino);
				for (const file of readdirSync(budgets)) {
					if (file.startsWith(`udp-${inode}-`)) {
						rmSync(path.join(budgets, file), {force: true});
					}
				}
			} catch {
				// Nothing was written there.
			}
		}

		for (const child of children) {
			if (child.exitCode === null && child.pid !== undefined) {
				child.kill('SIGKILL');
			}
		}

		for (const ns of made) {
			spawnSync('ip', ['netns', 'del', ns], {stdio: 'ignore'});
		}
	};

	try {
		for (const ns of [client, router, server]) {
			addNamespace(ns, made);
		}

		shIn(client, `ip link add pe0 type veth peer name pe1 netns ${router}`);
		shIn(server, `ip link add pe3 type veth peer name pe2 netns ${router}`);
		shIn(
			client,
			`ip addr add ${client4}/24 dev pe0; ip addr add fd13:1::2/64 dev pe0 nodad; ip link set pe0 up
			ip route add default via 10.13.1.1; ip -6 route add default via fd13:1::1`,
		);
		shIn(
			server,
			`ip addr add ${server4}/24 dev pe3; ip addr add ${server6}/64 dev pe3 nodad; ip link set pe3 up
			ip route add default via 10.13.2.1; ip -6 route add default via fd13:2::1`,
		);
		shIn(
			router,
			`sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
			sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
			ip addr add 10.13.1.1/24 dev pe1; ip addr add fd13:1::1/64 dev pe1 nodad; ip link set pe1 up
			ip addr add 10.13.2.1/24 dev pe2; ip addr add fd13:2::1/64 dev pe2 nodad; ip link set pe2 up`,
		);

		const topology: Topology = {
			client,
			router,
			server,
			async run(ns, command, args, env) {
				return runChild('ip', ['netns', 'exec', ns, command, ...args], {
					cwd: root,
					env: env ?? process.env,
				});
			},
			sh(ns, script) {
				shIn(ns, script);
			},
			async start(ns, command, args) {
				const child = spawn('ip', ['netns', 'exec', ns, command, ...args], {
					cwd: root,
					stdio: ['pipe', 'pipe', 'inherit'],
				});
				children.push(child);
				child.stdout.setEncoding('utf8');
				let output = '';
				const ready = new Promise<void>((resolve, reject) => {
					child.stdout.on('data', (chunk: string) => {
						output += chunk;
						if (output.includes('ready')) {
							resolve();
						}
					});
					child.once('exit', (code) => {
						reject(
							new Error(
								`${command} exited ${code} before it was ready: ${output}`,
							),
						);
					});
				});
				const timeout = setTimeout(() => {
					child.kill('SIGKILL');
				}, 15_000);
				try {
					await ready;
				} finally {
					clearTimeout(timeout);
				}

				return child;
			},
			close,
		};

		if (options.relay) {
			const {delayMs, loss, seed = 1} = options.relay;
			shIn(
				router,
				`ip tuntap add peta mode tun; ip tuntap add petb mode tun
				ip link set peta up; ip link set petb up
				sysctl -qw net.ipv4.conf.peta.rp_filter=0 net.ipv4.conf.petb.rp_filter=0
				ip route add default dev peta table 100; ip route add default dev petb table 101
				ip rule add iif pe1 lookup 100 pref 100; ip rule add iif pe2 lookup 101 pref 101
				ip -6 route add default dev peta table 100; ip -6 route add default dev petb table 101
				ip -6 rule add iif pe1 lookup 100 pref 100; ip -6 rule add iif pe2 lookup 101 pref 101`,
			);
			await topology.start(router, 'python3', [
				'test/net/relay.py',
				'peta',
				'petb',
				String(delayMs),
				String(loss),
				String(seed),
			]);
		}

		// Both ends answer before anyone measures anything (neighbour discovery, the relay's start).
		const ping = await topology.run(client, 'ping', [
			'-c',
			'1',
			'-W',
			'5',
			server4,
		]);
		if (ping.status !== 0 && !options.relay?.loss) {
			throw new Error(
				`the server does not answer a ping: ${ping.stdout}${ping.stderr}`,
			);
		}

		return topology;
	} catch (error) {
		close();
		throw error;
	}
}

/** Closes the child's stdin (the relay's and listeners' signal to end) and waits for it, bounded. */
export async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null) {
		return;
	}

	child.stdin?.end();
	const timer = setTimeout(() => {
		child.kill('SIGKILL');
	}, 2000);
	await once(child, 'exit');
	clearTimeout(timer);
}
