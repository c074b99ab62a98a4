// Bundles the CLI into one minified script: Node reads and compiles one file instead of
// hundreds of modules, which is most of what start-up costs. The file is not an ES module but
// the body of an async function (top-level await still works inside it) so that bin/portui.js
// can compile it with node:vm and hand V8 a code cache: Node 20 has no compile cache for ES
// modules, and parsing and compiling this bundle is the largest part of start-up that is left.
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import process from 'node:process';
import {builtinModules} from 'node:module';
import vm from 'node:vm';
import {build} from 'esbuild';

/* eslint-disable require-unicode-regexp -- esbuild runs plugin filters with Go's regexp, which knows no v flag */

const outfile = 'dist/cli.js';

/**
 * Node's built-in modules through `require` (a parameter of the wrapper), so the bundle holds no
 * `import` statement and compiles as a script.
 */
const builtinsThroughRequire = {
	name: 'builtins-through-require',
	setup(builder) {
		const builtins = new Set(builtinModules);
		builder.onResolve({filter: /^[a-z_:/]+$/}, ({path, namespace}) => {
			const name = path.slice(path.startsWith('node:') ? 5 : 0);
			if (!builtins.has(name) && !builtins.has(name.split('/')[0])) {
				return undefined;
			}

			// The shim's own require() is the wrapper's, at run time.
			return namespace === 'builtin'
				? {path, external: true}
				: {path: name, namespace: 'builtin'};
		});
		builder.onLoad({filter: /.*/, namespace: 'builtin'}, ({path}) => ({
			contents: `module.exports = require(${JSON.stringify(`node:${path}`)});`,
			loader: 'js',
		}));
	},
};

/**
 * Ink loads React's devtools only when DEV=true, from a package portui does not ship. Left in,
 * its import is hoisted into the bundle's start and fails when the package is absent.
 */
const withoutDevtools = {
	name: 'without-devtools',
	setup(builder) {
		builder.onLoad(
			{filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/},
			async ({path}) => {
				const source = await readFile(path, 'utf8');
				const patched = source.replace(
					"await import('./devtools.js');",
					"throw Object.assign(new Error('devtools are not bundled'), {code: 'ERR_MODULE_NOT_FOUND'});",
				);
				if (patched === source) {
					throw new Error(
						'ink/build/reconciler.js changed: check the devtools import before building',
					);
				}

				return {contents: patched, loader: 'js'};
			},
		);
	},
};

/* eslint-enable require-unicode-regexp */

const result = await build({
	entryPoints: ['source/cli.tsx'],
	outfile,
	write: false,
	bundle: true,
	minify: !process.env.PORTUI_NO_MINIFY,
	platform: 'node',
	target: 'node20',
	format: 'esm',
	jsx: 'automatic',
	legalComments: 'none',
	define: {
		'process.env.NODE_ENV': '"production"',
		// The wrapper passes the bundle's own {url, dirname, filename}: code that finds files next
		// to itself (the catalogue, meow's package.json) uses it.
		'import.meta': '__portuiMeta',
	},
	plugins: [builtinsThroughRequire, withoutDevtools],
	logLevel: 'warning',
});

const [output] = result.outputFiles;
const body = output.text;
const script = `(async function (require, __portuiMeta) {${body}\n})`;

// A leftover import or export statement would only fail at start-up: fail the build instead.
try {
	// eslint-disable-next-line no-new -- compiling is the check
	new vm.Script(script, {filename: outfile});
} catch (error) {
	throw new Error(`the bundle does not compile as a script: ${error.message}`, {
		cause: error,
	});
}

await mkdir('dist', {recursive: true});
await writeFile(outfile, script);
