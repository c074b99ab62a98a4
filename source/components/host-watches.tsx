import {memo} from 'react';
import {type UseWatchOptions, useWatch} from '../hooks/use-watch.js';

function HostWatch(props: UseWatchOptions) {
	useWatch(props);
	return null;
}

export type HostWatchesProps = {
	/** One watch a host, all running at once; keyed by host, so a switch restarts none. */
	readonly watches: readonly UseWatchOptions[];
};

/** Draws nothing: one watch a host, each as long as its host is watched. */
function HostWatchesView({watches}: HostWatchesProps) {
	return (
		<>
			{watches.map((options) => (
				<HostWatch key={options.host} {...options} />
			))}
		</>
	);
}

export const HostWatches = memo(HostWatchesView);
