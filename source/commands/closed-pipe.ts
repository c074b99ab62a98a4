import process from 'node:process';

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that went away (`portui probe ... | head -1`) is not an error of ours; without a
 * listener, its EPIPE would surface as an uncaught exception with a stack trace. Other write
 * errors become one line on stderr and exit status 1.
 */
export function ignoreClosedPipe(stream: NodeJS.WriteStream = process.stdout) {
	if (guarded.has(stream)) {
		return;
	}

	guarded.add(stream);
	stream.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code !== 'EPIPE') {
			process.stderr.write(
				`portui: cannot write the output: ${error.message}\n`,
			);
			process.exitCode = 1;
		}
	});
}
