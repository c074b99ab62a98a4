// The dashboard drawn by Ink's own renderers instead of portui's row-diffing stream, for
// test/bench/render.js to compare the bytes: PORTUI_BENCH_RENDERER=standard (Ink's default:
// every update erases and rewrites the frame) or incremental (Ink 6.8's incrementalRendering:
// only the lines that changed). Takes portui's arguments; reads HOST and --catalogue.
import process from 'node:process';
import {render} from 'ink';
import {App} from '../../source/app.js';
import {loadCatalogue} from '../../source/catalogue/load.js';

const argv = process.argv.slice(2);
const host = argv[0] ?? '127.0.0.1';
const userFile = argv.includes('--catalogue')
	? argv[argv.indexOf('--catalogue') + 1]
	: undefined;
const catalogue = await loadCatalogue({
	userFile,
	registry: false,
	systemServices: false,
});
process.stdout.write('\u001B[?1049h');
const instance = render(
	<App
		isColor
		catalogue={catalogue}
		initialHost={host}
		initialIntervalMs={1000}
		isAscii={false}
		onExit={() => {
			instance.unmount();
		}}
	/>,
	{
		exitOnCtrlC: false,
		patchConsole: false,
		incrementalRendering: process.env.PORTUI_BENCH_RENDERER === 'incremental',
	},
);
await instance.waitUntilExit();
process.stdout.write('\u001B[?1049l');
