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
	// Ink imports the devtools only when DEV=true; it is not a dependency.
	external: ['react-devtools-core'],
	define: {'process.env.NODE_ENV': '"production"'},
	banner: {
		// Bundled CommonJS (signal-exit, ws) still calls require().
		js: "import {createRequire as __portuiRequire} from 'node:module'; const require = __portuiRequire(import.meta.url);",
	},
	logLevel: 'warning',
});
