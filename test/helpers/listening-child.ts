/**
 * A listener in a process of its own, for tests that need a holder other than the test worker:
 * one that can be put in a cgroup, given a name (a symlink to node named `docker-proxy`), or
 * killed and replaced as a restarted daemon would be.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import type {ExecutionContext} from 'ava';

/** Kills `child` (by its pid) unless it has ended, and settles once it has. */
export async function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		return;
	}

	const exited = new Promise((resolve) => {
		child.once('exit', resolve);
	});
	child.kill('SIGKILL');
	await exited;
}

export type ListenSpec = {
	readonly protocol?: 'tcp' | 'udp';
	readonly host: string;
	/** 0 for any free port. */
	readonly port?: number;
	readonly ipv6Only?: boolean;
};

export type ListeningChild = {
	readonly pid: number;
	readonly port: number;
	readonly child: ChildProcess;
	/** Settles at the first TCP connection accepted after the call. */
	nextConnection(): Promise<void>;
	stop(): Promise<void>;
};

/** The child's program: listen, print the port, stay until killed. */
export const listenerScript = String.raw`
const [protocol, host, port, ipv6Only] = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const done = (p) => process.stdout.write(p + '\n');
// A reader that went away (a restart script that started us and exited) must not end us: the
// next 'connection' line would fail with EPIPE and kill the listener a test counts on.
process.stdout.on('error', () => {});
if (protocol === 'udp') {
	const socket = (await import('node:dgram')).createSocket({type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: ipv6Only === '1'});
	socket.bind({address: host, port: Number(port)}, () => done(socket.address().port));
} else {
	// A line per connection: a test can tell when a prober has taken its first look.
	const server = (await import('node:net')).createServer((c) => {
		c.destroy();
		process.stdout.write('connection\n');
	});
	server.listen({host, port: Number(port), ipv6Only: ipv6Only === '1'}, () => done(server.address().port));
}
`;

let scriptFile: string | undefined;

/** The listener script written once per worker, in a directory removed when the worker exits. */
export function listenerScriptFile(): string {
	if (!scriptFile) {
		const directory = mkdtempSync(path.join(tmpdir(), 'portui-ow-listener-'));
		scriptFile = path.join(directory, 'listener.mjs');
		writeFileSync(scriptFile, listenerScript);
		process.once('exit', () => {
			rmSync(directory, {recursive: true, force: true});
		});
	}

	return scriptFile;
}

/** A program named `name` (a symlink to node): the kernel names the process by the path it was run as. */
export function namedNode(name: string): string {
	const file = path.join(path.dirname(listenerScriptFile()), name);
	try {
		symlinkSync(process.execPath, file);
	} catch {
		// Made already by an earlier test of this worker.
	}

	return file;
}

export async function startListener(
	t: ExecutionContext | undefined,
	spec: ListenSpec,
	options: {
		readonly program?: string;
		readonly extraArgs?: readonly string[];
	} = {},
): Promise<ListeningChild> {
	const child = spawn(
		options.program ?? process.execPath,
		[
			listenerScriptFile(),
			spec.protocol ?? 'tcp',
			spec.host,
			String(spec.port ?? 0),
			spec.ipv6Only ? '1' : '0',
			...(options.extraArgs ?? []),
		],
		{stdio: ['ignore', 'pipe', 'pipe']},
	);
	const stop = async () => stopChild(child);

	t?.teardown(stop);
	const port = await new Promise<number>((resolve, reject) => {
		let output = '';
		let errors = '';
		child.stdout.setEncoding('utf8');
		child.stderr.setEncoding('utf8');
		child.stderr.on('data', (chunk: string) => {
			errors += chunk;
		});
		child.stdout.on('data', (chunk: string) => {
			output += chunk;
			if (output.includes('\n')) {
				resolve(Number(output.split('\n')[0]));
			}
		});
		child.once('exit', (code) => {
			reject(new Error(`listener exited (${code}): ${errors}`));
		});
	});
	const nextConnection = async () =>
		new Promise<void>((resolve) => {
			const onData = (chunk: string) => {
				if (chunk.includes('connection')) {
					child.stdout.off('data', onData);
					resolve();
				}
			};

			child.stdout.on('data', onData);
		});
	return {pid: child.pid!, port, child, nextConnection, stop};
}

/** A holder as the JSON of `during` gives it (the fields the tests read). */
export type HolderJson = {pid: number; comm: string} | undefined;

/** The parts of `portui during --json` the tests read. */
export type DuringJson = {
	exitCode: number;
	commandExit: {
		status: number;
		code: number | undefined;
		signal: string | undefined;
	};
	watched: number;
	ports: Array<{
		host: string;
		port: number;
		before: string;
		after: string;
		stillDown: boolean;
		pidChanged: boolean | undefined;
		ownerBefore: HolderJson;
		ownerAfter: HolderJson;
		outages: Array<{
			downMs: number | undefined;
			ownerBefore: HolderJson;
			ownerAfter: HolderJson;
			to: string | undefined;
		}>;
		ownerChanges: Array<{ownerBefore: HolderJson; ownerAfter: HolderJson}>;
	}>;
};
