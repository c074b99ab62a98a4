// Bundles the CLI into one minified ES module: Node resolves and parses one
// file instead of hundreds, which is most of what start-up costs.
import {build} from 'esbuild';

await build({
	entryPoints: ['source/cli.tsx'],
	outfile: 'dist/cli.js',
	bundle: true,
	minify: true,
	platform: 'node',
	target: 'node20',
	format: 'esm',
	jsx: 'automatic',
	legalComments: 'none',
	// Ink imports its devtools only when DEV=true, and react-devtools-core is not a dependency.
	// Marked external, its import would be hoisted to the top of the bundle and fail at start-up;
	// an empty module in its place keeps the bundle self-contained.
	plugins: [
		{
			name: 'no-react-devtools',
			setup(build) {
				build.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'empty'}));
				build.onLoad({filter: /.*/, namespace: 'empty'}, () => ({contents: 'export default {initialize() {}, connectToDevTools() {}};'}));
			},
		},
	],
	define: {'process.env.NODE_ENV': '"production"'},
	banner: {
		// Bundled CommonJS (signal-exit, ws) still calls require().
		js: "import {createRequire as __portuiRequire} from 'node:module'; const require = __portuiRequire(import.meta.url);",
	},
	logLevel: 'warning',
});
