import process from 'node:process';
import {UsageError} from './cli-error.js';
import {ignoreClosedPipe} from './commands/closed-pipe.js';
import {escapeUnsafe} from './text/quote.js';

type Command = (argv: readonly string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
	audit: async () =>
		import('./commands/audit.js').then((module) => module.audit),
	during: async () =>
		import('./commands/during.js').then((module) => module.during),
	exporter: async () =>
		import('./commands/exporter.js').then((module) => module.exporter),
	list: async () => import('./commands/list.js').then((module) => module.list),
	probe: async () =>
		import('./commands/probe.js').then((module) => module.probe),
	wait: async () => import('./commands/wait.js').then((module) => module.wait),
	watch: async () =>
		import('./commands/watch.js').then((module) => module.watch),
};

async function main(argv: readonly string[]): Promise<number> {
	const [first, ...rest] = argv;
	// The young generation's size is set for the commands that run long in bin/portui.js.
	const load = first === undefined ? undefined : commands[first];
	if (load) {
		return (await load())(rest);
	}

	const {dashboard} = await import('./commands/dashboard.js');
	return dashboard(argv);
}

// `portui list | head -1`: a reader that leaves early is not an error of ours.
ignoreClosedPipe();

/**
 * One line for the terminal: every message quotes what it echoes (see text/quote.ts); this is
 * the last guard for one that does not, such as a system error naming a path.
 */
const oneLine = (message: string) => {
	const line = message.split('\n')[0]!;
	return escapeUnsafe(line.length > 2000 ? `${line.slice(0, 1997)}...` : line);
};

try {
	process.exitCode = await main(process.argv.slice(2));
} catch (error) {
	if (error instanceof UsageError) {
		// One line a problem: a catalogue file reports each of its errors (at most 21 lines).
		for (const line of error.message.split('\n').slice(0, 21)) {
			process.stderr.write(`portui: ${oneLine(line)}\n`);
		}

		process.exitCode = 2;
	} else {
		// An unexpected fault: one line for the person, the stack only on request.
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`portui: ${oneLine(message)}\n`);
		if (process.env['PORTUI_DEBUG']) {
			process.stderr.write(`${(error as Error).stack ?? ''}\n`);
		}

		process.exitCode = 1;
	}
}
