import process from 'node:process';
import {UsageError} from './cli-error.js';

type Command = (argv: readonly string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
	list: async () => (await import('./commands/list.js')).list,
	probe: async () => (await import('./commands/probe.js')).probe,
	wait: async () => (await import('./commands/wait.js')).wait,
	watch: async () => (await import('./commands/watch.js')).watch,
};

async function main(argv: readonly string[]): Promise<number> {
	const [first, ...rest] = argv;
	const load = first === undefined ? undefined : commands[first];
	if (load) {
		return (await load())(rest);
	}

	const {dashboard} = await import('./commands/dashboard.js');
	return dashboard(argv);
}

try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error) {
	if (error instanceof UsageError) {
		process.stderr.write(`portui: ${error.message}\n`);
		process.exitCode = 2;
	} else {
		// An unexpected fault: one line for the person, the stack only on request.
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`portui: ${message.split('\n')[0]!}\n`);
		if (process.env['PORTUI_DEBUG']) {
			process.stderr.write(`${(error as Error).stack ?? ''}\n`);
		}

		process.exitCode = 1;
	}
}
