/* @jsxRuntime automatic */
import type {ExecutionContext} from 'ava';
import {render} from 'ink-testing-library';
import {App, type AppProps} from '../../source/app.js';
import {createFakeProbe, testCatalogue, type FakeProbe} from './dashboard.js';
import {flush, resize, waitForFrame, type InkInstance} from './ink.js';
import {waitFor} from './probe-servers.js';

export type MountOptions = Partial<AppProps> & {
	readonly columns?: number;
	readonly rows?: number;
	readonly fake?: FakeProbe;
};

export type Mounted = {
	readonly instance: InkInstance;
	readonly fake: FakeProbe;
	/** How often the app asked to quit. */
	readonly exits: () => number;
	/** Writes keys and waits for a frame that satisfies `predicate`. */
	readonly press: (
		keys: string,
		predicate: (frame: string) => boolean,
		message?: string,
	) => Promise<string>;
	/** Writes keys and waits until `row` (`22/tcp ssh`) is the selected catalogue row. */
	readonly select: (keys: string, row: string) => Promise<string>;
	/** Renders the app again: these props over the ones it was mounted with. */
	readonly rerender: (props: Partial<AppProps>) => void;
	readonly frame: () => string;
};

/** The dashboard on a fake probe service and the test catalogue, in a fake terminal of the given size. */
export async function mountApp(
	t: ExecutionContext,
	options: MountOptions = {},
): Promise<Mounted> {
	const {columns = 80, rows = 24, fake = createFakeProbe(), ...props} = options;
	const catalogue = testCatalogue();
	let exits = 0;
	const app = (next: Partial<AppProps> = {}) => (
		<App
			catalogue={catalogue}
			initialHost="localhost"
			initialIntervalMs={2000}
			isAscii={false}
			isColor={false}
			probe={fake.service}
			onExit={() => {
				exits++;
			}}
			{...props}
			{...next}
		/>
	);
	const instance = render(app());
	t.teardown(() => {
		instance.unmount();
	});
	resize(instance, columns, rows);
	await waitForFrame(
		instance,
		(frame) => frame.split('\n').length > 3 && frame.includes('portui'),
		{message: 'the first frame'},
	);
	const press: Mounted['press'] = async (keys, predicate, message) => {
		// Between two reads of a real keyboard React runs its effects (an input that just
		// appeared subscribes to the keys): let them run here too.
		await flush();
		instance.stdin.write(keys);
		return waitForFrame(instance, predicate, {message});
	};

	return {
		instance,
		fake,
		exits: () => exits,
		press,
		async select(keys, row) {
			return press(
				keys,
				(frame) => selectedRow(frame) === row,
				`${row} selected`,
			);
		},
		rerender(next) {
			instance.rerender(app(next));
		},
		frame: () => instance.lastFrame() ?? '',
	};
}

/** The pairs (`22/tcp`) of the running watch, once they satisfy `predicate`; fails after `timeoutMs`. */
export async function waitForWatch(
	app: Mounted,
	predicate: (pairs: string[]) => boolean,
	timeoutMs = 3000,
): Promise<string[]> {
	const pairs = () =>
		app.fake
			.active()[0]
			?.request.pairs.map((pair) => `${pair.port}/${pair.protocol}`) ?? [];
	await waitFor(() => predicate(pairs()), timeoutMs, 'the watched ports');
	return pairs();
}

/** The search line is open: its placeholder shows. */
export const showsSearchLine = (frame: string) =>
	frame.includes('port, name, daemon or word');

/** The catalogue rows of a frame as `port/proto service`, in order, with the selected one marked `>`. */
export function catalogueRows(frame: string): string[] {
	const rows: string[] = [];
	for (const line of frame.split('\n')) {
		const match =
			/^[┃│\|] ([> ])([* ])\s+(\d+(?:-\d+|…)?)\s+(tcp|udp)\s+(\S+)/v.exec(line);
		if (match) {
			rows.push(
				`${match[1] === '>' ? '>' : ''}${match[2] === '*' ? '*' : ''}${match[3]}/${match[4]} ${match[5]}`,
			);
		}
	}

	return rows;
}

/** The selected catalogue row: `22/tcp ssh`. */
export const selectedRow = (frame: string) =>
	catalogueRows(frame)
		.find((row) => row.startsWith('>'))
		?.replace(/^>\*?/v, '');

/** The live pane's cells of the row of `port`: `open  <1ms  ≥21:35  ✓ sshd`. */
export const liveCell = (frame: string, port: string) => {
	const line = frame
		.split('\n')
		.find((line) =>
			new RegExp(String.raw`^[┃│] [> ][* ]\s+${port}\s`, 'v').test(line),
		);
	return line
		?.split(/[┃│┏┓┗┛]/v)
		.at(-2)
		?.trim();
};

/** The event log's lines: those that start with a time. */
export const eventLines = (frame: string) =>
	frame.split('\n').filter((line) => /^\d\d:\d\d:\d\d {2}/v.test(line));
