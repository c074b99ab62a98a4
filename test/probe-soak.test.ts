import process from 'node:process';
import test from 'ava';
import {runChild} from './helpers/child.js';

/*
 * The fd and memory check runs in a child node started with --expose-gc: heap figures are
 * only honest after a real collection, which ava's workers cannot force. The child sweeps
 * 127.0.0.1 ten times (TCP 1-1000, UDP 1-10, and one open port it identifies each time).
 */
test('10,000 probes leave the open fds where they were and the heap within 150 bytes a probe', async (t) => {
	const {status, stdout, stderr} = await runChild(process.execPath, [
		'--expose-gc',
		'--import=tsx',
		'test/helpers/probe-soak-child.ts',
	]);
	t.is(status, 0, `child failed: ${stderr}`);
	const report = JSON.parse(stdout) as {
		probes: number;
		open: number;
		fdBefore: number;
		fdAfter: number;
		heapBefore: number;
		heapAfter: number;
		elapsedMs: number;
	};
	t.true(report.probes >= 10_000);
	t.is(report.open, 10);
	t.true(
		report.fdAfter <= report.fdBefore,
		`fds ${report.fdBefore} -> ${report.fdAfter}`,
	);
	const growth = report.heapAfter - report.heapBefore;
	t.true(
		growth < report.probes * 150,
		`heap grew ${growth} bytes over ${report.probes} probes`,
	);
	t.log(
		`${report.probes} probes in ${Math.round(report.elapsedMs)} ms; fds ${report.fdBefore} -> ${report.fdAfter}; heap +${Math.round(growth / 1024)} KiB`,
	);
});
