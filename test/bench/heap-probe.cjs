// Preloaded into the dashboard by test/bench/render.js (NODE_OPTIONS=--expose-gc --require):
// on SIGUSR2, two full collections, then the heap that is still alive goes to the file named by
// PORTUI_BENCH_HEAP_FILE. RSS alone cannot tell a leak from V8 keeping a large heap for a high
// allocation rate; the live heap after a full GC can.
/* eslint-disable n/prefer-global/process -- a CommonJS preload */
'use strict';
const {appendFileSync} = require('node:fs');

process.on('SIGUSR2', () => {
	globalThis.gc();
	globalThis.gc();
	const {heapUsed} = process.memoryUsage();
	appendFileSync(process.env.PORTUI_BENCH_HEAP_FILE, `${heapUsed}\n`);
});
/* eslint-enable n/prefer-global/process */
