/* @jsxRuntime automatic */
import {mock} from 'node:test';
import test from 'ava';
import {Text} from 'ink';
import {render} from 'ink-testing-library';
import type {SocketList} from '../source/hooks/probe-service.js';
import {
	useListeners,
	type UseListenersOptions,
} from '../source/hooks/use-listeners.js';
import {sshdSocket} from './helpers/dashboard.js';
import {flush} from './helpers/ink.js';

function Sockets(props: UseListenersOptions & {readonly onRender: () => void}) {
	const list = useListeners(props);
	props.onRender();
	return (
		<Text>
			{list
				? list.sockets
						.map((socket) => `${socket.port} ${socket.process ?? '?'}`)
						.join(',') || 'none'
				: 'reading'}
		</Text>
	);
}

/** Fake setTimeout, and the hook on a listLocalSockets that answers only when the test says so. */
function mountControlled() {
	mock.timers.enable({apis: ['setTimeout']});
	const calls: Array<{
		resolve: (list: SocketList) => void;
		signal?: AbortSignal;
	}> = [];
	const listLocalSockets: UseListenersOptions['listLocalSockets'] = async (
		options,
	) =>
		new Promise((resolve) => {
			calls.push({resolve, signal: options?.signal});
		});
	const instance = render(
		<Sockets
			listLocalSockets={listLocalSockets}
			intervalMs={1000}
			onRender={() => undefined}
		/>,
	);
	return {calls, instance};
}

test.serial(
	'polls on a setTimeout chain: the next read only after the last settled and the interval passed',
	async (t) => {
		const {calls, instance} = mountControlled();
		try {
			await flush();
			t.is(calls.length, 1, 'reads at once on mount');

			// The read is slow: however long it takes, no second read starts.
			mock.timers.tick(5000);
			await flush();
			t.is(calls.length, 1, 'no overlapping reads');

			calls[0]!.resolve({isAvailable: true, sockets: [sshdSocket]});
			await flush();
			t.is(instance.lastFrame(), '22 sshd');
			mock.timers.tick(999);
			await flush();
			t.is(calls.length, 1);
			mock.timers.tick(1);
			await flush();
			t.is(
				calls.length,
				2,
				'the next read one interval after the last settled',
			);
		} finally {
			instance.unmount();
			mock.timers.reset();
		}
	},
);

test.serial(
	'unmount aborts the read under way and schedules nothing more',
	async (t) => {
		const {calls, instance} = mountControlled();
		try {
			await flush();
			calls[0]!.resolve({isAvailable: true, sockets: []});
			await flush();
			mock.timers.tick(1000);
			await flush();
			t.is(calls.length, 2);
			instance.unmount();
			t.true(calls[1]!.signal?.aborted, 'the pending read is aborted');
			calls[1]!.resolve({isAvailable: true, sockets: [sshdSocket]});
			mock.timers.tick(10_000);
			await flush();
			t.is(calls.length, 2, 'no read after unmount');
		} finally {
			mock.timers.reset();
		}
	},
);

test.serial(
	'an unchanged list re-renders nothing; isActive false stops polling',
	async (t) => {
		mock.timers.enable({apis: ['setTimeout']});
		let reads = 0;
		let renders = 0;
		const listLocalSockets: UseListenersOptions['listLocalSockets'] =
			async () => {
				reads++;
				return {isAvailable: true, sockets: [{...sshdSocket}]};
			};

		const onRender = () => {
			renders++;
		};

		const instance = render(
			<Sockets
				listLocalSockets={listLocalSockets}
				intervalMs={1000}
				onRender={onRender}
			/>,
		);
		try {
			await flush();
			t.is(instance.lastFrame(), '22 sshd');
			const rendersAfterFirst = renders;
			for (let sweep = 0; sweep < 5; sweep++) {
				mock.timers.tick(1000);
				// eslint-disable-next-line no-await-in-loop
				await flush();
			}

			t.is(reads, 6);
			t.is(renders, rendersAfterFirst, 'equal lists do not re-render');

			instance.rerender(
				<Sockets
					isActive={false}
					listLocalSockets={listLocalSockets}
					intervalMs={1000}
					onRender={onRender}
				/>,
			);
			await flush();
			mock.timers.tick(10_000);
			await flush();
			t.is(reads, 6, 'paused');
			t.is(instance.lastFrame(), '22 sshd', 'the last list stays');
		} finally {
			instance.unmount();
			mock.timers.reset();
		}
	},
);

test.serial(
	'a failing read becomes an unavailable list with the reason, and polling goes on',
	async (t) => {
		mock.timers.enable({apis: ['setTimeout']});
		let reads = 0;
		const listLocalSockets: UseListenersOptions['listLocalSockets'] =
			async () => {
				reads++;
				throw new Error('EACCES reading /proc/net/tcp');
			};

		function Reason() {
			const list = useListeners({listLocalSockets, intervalMs: 1000});
			return <Text>{list?.reason ?? 'reading'}</Text>;
		}

		const instance = render(<Reason />);
		try {
			await flush();
			t.is(instance.lastFrame(), 'EACCES reading /proc/net/tcp');
			mock.timers.tick(1000);
			await flush();
			t.is(reads, 2);
		} finally {
			instance.unmount();
			mock.timers.reset();
		}
	},
);
