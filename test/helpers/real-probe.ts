import {spawn} from 'node:child_process';
import process from 'node:process';
import {ensureBuilt, startCli} from './cli.js';

export type JsonResult = {
	readonly port: number;
	readonly protocol: 'tcp' | 'udp';
	readonly state: string;
	readonly answered: string | undefined;
	readonly mismatch: string | undefined;
};

export type ProbeRun = {
	readonly results: readonly JsonResult[];
	/** From the sweep's start to its end, as the JSON says: no Node start-up. */
	readonly sweepMs: number;
	readonly exitCode: number | undefined;
	readonly stderr: string;
};

/** `portui probe HOST PORTS --json` through the built binary, inside `netns` when given. */
export async function probeJson(
	host: string,
	ports: string,
	options: {readonly netns?: string; readonly args?: readonly string[]} = {},
): Promise<ProbeRun> {
	await ensureBuilt();
	const run = startCli(
		['probe', host, ports, '--json', ...(options.args ?? [])],
		{
			...(options.netns && {wrapper: ['nsenter', `--net=${options.netns}`]}),
		},
	);
	const {stdout, stderr, exitCode} = await run.result;
	if (exitCode !== 0) {
		return {results: [], sweepMs: Number.NaN, exitCode, stderr};
	}

	const json = JSON.parse(stdout) as {
		startedAt: string;
		finishedAt: string;
		results: JsonResult[];
	};
	return {
		results: json.results,
		sweepMs: Date.parse(json.finishedAt) - Date.parse(json.startedAt),
		exitCode,
		stderr,
	};
}

export const find = (
	run: ProbeRun,
	port: number,
	protocol: 'tcp' | 'udp' = 'tcp',
) =>
	run.results.find(
		(result) => result.port === port && result.protocol === protocol,
	);

/** Port, state and service name per line of `nmap` output (`53/tcp open domain dnsmasq 2.90`). */
export async function nmap(
	args: readonly string[],
	options: {readonly netns?: string} = {},
): Promise<Map<string, {state: string; service: string; version: string}>> {
	const command = options.netns ? 'nsenter' : 'nmap';
	const commandArgs = options.netns
		? [`--net=${options.netns}`, 'nmap', ...args]
		: [...args];
	const child = spawn(command, commandArgs, {
		stdio: ['ignore', 'pipe', 'ignore'],
		env: {...process.env, LC_ALL: 'C'},
	});
	let stdout = '';
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', (chunk: string) => {
		stdout += chunk;
	});
	await new Promise((resolve) => {
		child.once('close', resolve);
		child.once('error', resolve);
	});
	const ports = new Map<
		string,
		{state: string; service: string; version: string}
	>();
	for (const line of stdout.split('\n')) {
		const match = /^(\d+\/(?:tcp|udp))\s+(\S+)\s+(\S+)\s*(.*)$/v.exec(line);
		if (match) {
			ports.set(match[1]!, {
				state: match[2]!,
				service: match[3]!,
				version: match[4]!.trim(),
			});
		}
	}

	return ports;
}
