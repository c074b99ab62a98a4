/**
 * `portui exporter` as a child process, and its /metrics read the way a scraper reads them:
 * the text format parsed line by line, label values unescaped.
 */
import {spawn} from 'node:child_process';
import {setTimeout as delay} from 'node:timers/promises';
import type {ExecutionContext} from 'ava';
import {startCli, type CliProcess} from './cli.js';

export type Sample = {
	readonly name: string;
	readonly labels: Readonly<Record<string, string>>;
	readonly value: number;
};

/** One label pair of the text format: name="value" with \\, \" and \n escaped. */
const labelPattern = /(\w+)="((?:[^"\\\n]|\\[\\"n])*)"(?:,|$)/gv;

const unescape = (text: string) =>
	text.replaceAll(/\\([\\"n])/gv, (_, character: string) =>
		character === 'n' ? '\n' : character,
	);

/** Parses the Prometheus text format strictly: a line that is not a comment or a valid sample throws. */
export function parseMetrics(text: string): Sample[] {
	const samples: Sample[] = [];
	for (const line of text.split('\n')) {
		if (
			line === '' ||
			line.startsWith('# HELP ') ||
			line.startsWith('# TYPE ')
		) {
			continue;
		}

		const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/v.exec(line);
		if (!match) {
			throw new Error(`not a sample line: ${JSON.stringify(line)}`);
		}

		const [, name = '', body = '', valueText = ''] = match;
		const labels: Record<string, string> = {};
		let consumed = 0;
		for (const label of body.matchAll(labelPattern)) {
			if (label.index !== consumed) {
				break;
			}

			labels[label[1]!] = unescape(label[2]!);
			consumed += label[0].length;
		}

		if (consumed !== body.length) {
			throw new Error(`bad labels in: ${JSON.stringify(line)}`);
		}

		const value = /^nan$/iv.test(valueText) ? Number.NaN : Number(valueText);
		if (valueText !== 'Nan' && Number.isNaN(value)) {
			throw new TypeError(`bad value in: ${JSON.stringify(line)}`);
		}

		samples.push({name, labels, value});
	}

	return samples;
}

export type Exporter = {
	readonly cli: CliProcess;
	/** `http://127.0.26.x:PORT`. */
	readonly origin: string;
	scrape(): Promise<Sample[]>;
	/** Scrapes until `find` returns something (every 100 ms, at most `timeoutMs`). */
	waitFor<T>(
		find: (samples: Sample[]) => T | undefined,
		timeoutMs?: number,
	): Promise<T>;
};

/** Starts `portui exporter ...args`, stopped when the test ends. */
export async function startExporter(
	t: ExecutionContext,
	args: readonly string[],
): Promise<Exporter> {
	const cli = startCli(['exporter', ...args]);
	t.teardown(() => {
		cli.child.kill('SIGKILL');
	});
	const line = await cli.waitForLine((line) => line.includes('serving http'));
	const origin = /http:\/\/\S+?(?=\/metrics)/v.exec(line)![0];
	const scrape = async () => {
		const response = await fetch(`${origin}/metrics`);
		return parseMetrics(await response.text());
	};

	return {
		cli,
		origin,
		scrape,
		async waitFor(find, timeoutMs = 15_000) {
			const deadline = Date.now() + timeoutMs;
			let last: Sample[] = [];
			while (Date.now() < deadline) {
				// Polling a scrape is sequential by nature.
				// eslint-disable-next-line no-await-in-loop
				last = await scrape();
				const found = find(last);
				if (found !== undefined) {
					return found;
				}

				// eslint-disable-next-line no-await-in-loop
				await delay(100);
			}

			throw new Error(
				`not found within ${timeoutMs} ms; last scrape:\n${last
					.map((sample) => JSON.stringify(sample))
					.join('\n')}`,
			);
		},
	};
}

/** The value of the one sample of `name` whose labels include `labels`, or undefined. */
export function valueOf(
	samples: readonly Sample[],
	name: string,
	labels: Readonly<Record<string, string>>,
): number | undefined {
	return samples.find(
		(sample) =>
			sample.name === name &&
			Object.entries(labels).every(
				([key, value]) => sample.labels[key] === value,
			),
	)?.value;
}

/** A listener whose process name holds a double quote, a backslash and a newline (prctl PR_SET_NAME). */
export async function startEvilListener(
	t: ExecutionContext,
	address: string,
): Promise<{pid: number; port: number}> {
	const script = [
		'import ctypes, socket, sys',
		String.raw`ctypes.CDLL(None).prctl(15, b'ev"l\\q\nz', 0, 0, 0)`,
		'server = socket.socket()',
		`server.bind(('${address}', 0))`,
		'server.listen()',
		'print(server.getsockname()[1], flush=True)',
		'sys.stdin.read()',
	].join('\n');
	const child = spawn('python3', ['-c', script], {
		stdio: ['pipe', 'pipe', 'ignore'],
	});
	t.teardown(() => {
		child.kill('SIGKILL');
	});
	const port = await new Promise<number>((resolve, reject) => {
		child.once('error', reject);
		child.stdout.once('data', (chunk: Uint8Array) => {
			resolve(Number(String(chunk).trim()));
		});
		child.once('exit', () => {
			reject(new Error('python3 exited before it listened'));
		});
	});
	return {pid: child.pid!, port};
}
