// CPU shares of running processes over consecutive windows, from /proc/PID/stat: what the
// dashboard CPU benchmarks measure, each process over the same windows (the same noise).
import {readFile} from 'node:fs/promises';
import {setTimeout as delay} from 'node:timers/promises';

const clockTicks = 100;

/** CPU seconds of a process and its waited-for children. */
export async function cpuSecondsOf(pid) {
	const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
	return (utime + stime + cutime + cstime) / clockTicks;
}

/** Per pid, its share of a core (%) in each of `windows` consecutive windows of `seconds`. */
export async function cpuShares(pids, {windows, seconds}) {
	const shares = pids.map(() => []);
	for (let index = 0; index < windows; index++) {
		// eslint-disable-next-line no-await-in-loop -- consecutive windows
		const before = await Promise.all(
			pids.map(async (pid) => cpuSecondsOf(pid)),
		);
		const started = performance.now();
		// eslint-disable-next-line no-await-in-loop
		await delay(seconds * 1000);
		// eslint-disable-next-line no-await-in-loop
		const after = await Promise.all(pids.map(async (pid) => cpuSecondsOf(pid)));
		const elapsed = (performance.now() - started) / 1000;
		for (const [at, list] of shares.entries()) {
			list.push(((after[at] - before[at]) / elapsed) * 100);
		}
	}

	return shares;
}
