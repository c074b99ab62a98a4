import {spawn, type SpawnOptions} from 'node:child_process';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export type ChildResult = {
	/** The exit status; undefined when a signal ended the child. */
	readonly status: number | undefined;
	readonly stdout: string;
	readonly stderr: string;
};

/** Runs a command to its end in the repository root (unless `options.cwd` says otherwise), its output collected. */
export async function runChild(
	command: string,
	args: readonly string[],
	options: Omit<SpawnOptions, 'stdio'> = {},
): Promise<ChildResult> {
	const child = spawn(command, args, {
		cwd: root,
		...options,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8');
	child.stderr.setEncoding('utf8');
	child.stdout.on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr.on('data', (chunk: string) => {
		stderr += chunk;
	});
	const status = await new Promise<number | undefined>((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (code) => {
			resolve(code ?? undefined);
		});
	});
	return {status, stdout, stderr};
}
