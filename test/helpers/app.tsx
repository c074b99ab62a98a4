/* @jsxRuntime automatic */
import type {ExecutionContext} from 'ava';
import {render} from 'ink-testing-library';
import {App, type AppProps} from '../../source/app.js';
import {createFakeProbe, testCatalogue} from './dashboard.js';
import {flush, resize, waitForFrame, type InkInstance} from './ink.js';

export type MountOptions = Partial<AppProps> & {
	readonly columns?: number;
	readonly rows?: number;
	readonly fake?: ReturnType<typeof createFakeProbe>;
};

export type Mounted = {
	readonly instance: InkInstance;
	readonly fake: ReturnType<typeof createFakeProbe>;
	/** How often the app asked to quit. */
	readonly exits: () => number;
	/** Writes keys and waits for a frame that satisfies `predicate`. */
	readonly press: (
		keys: string,
		predicate: (frame: string) => boolean,
		message?: string,
	) => Promise<string>;
	readonly frame: () => string;
};

/** The dashboard on a fake probe service and the test catalogue, in a fake terminal of the given size. */
export async function mountApp(
	t: ExecutionContext,
	options: MountOptions = {},
): Promise<Mounted> {
	const {columns = 80, rows = 24, fake = createFakeProbe(), ...props} = options;
	let exits = 0;
	const instance = render(
		<App
			catalogue={testCatalogue()}
			initialHost="localhost"
			initialIntervalMs={2000}
			isAscii={false}
			isColor={false}
			probe={fake.service}
			onExit={() => {
				exits++;
			}}
			{...props}
		/>,
	);
	t.teardown(() => {
		instance.unmount();
	});
	resize(instance, columns, rows);
	await waitForFrame(
		instance,
		(frame) => frame.split('\n').length > 3 && frame.includes('portui'),
		{message: 'the first frame'},
	);
	return {
		instance,
		fake,
		exits: () => exits,
		async press(keys, predicate, message) {
			// Between two reads of a real keyboard React runs its effects (an input that just
			// appeared subscribes to the keys): let them run here too.
			await flush();
			instance.stdin.write(keys);
			return waitForFrame(instance, predicate, {message});
		},
		frame: () => instance.lastFrame() ?? '',
	};
}

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
