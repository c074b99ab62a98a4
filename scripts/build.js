// Bundles the CLI into a minified script, and the parts only some runs need (the dashboard, the
// exporter, a table on a terminal: see `parts`) into one each: Node reads and compiles a file or
// two instead of hundreds of modules, which is most of what start-up costs. A file is not an ES
// module but the body of an async function (top-level await still works inside it) so that
// bin/portui.js can compile it with node:vm and hand V8 a code cache: Node 20 has no compile
// cache for ES modules, and parsing and compiling the bundle is the largest part of start-up
// that is left.
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import {pathToFileURL} from 'node:url';
import {builtinModules} from 'node:module';
import vm from 'node:vm';
import {build} from 'esbuild';

/* eslint-disable require-unicode-regexp -- esbuild runs plugin filters with Go's regexp, which knows no v flag */

/**
 * Node's built-in modules through `require` (a parameter of the wrapper), so the bundle holds no
 * `import` statement and compiles as a script. A CommonJS `require('fs')` stays that call. An
 * `import` gets an ES module facade, one for every importer, whose named exports are the
 * built-in's properties read once, each a pure call that esbuild drops unless something imports
 * it: `export *` over the CommonJS module had copied every property of every imported built-in
 * into a namespace of getters at start-up (37 copies, 1,137 properties: 4-9 ms of a one-shot
 * probe). A property that is a getter on the built-in (`fs.promises`) is not exported: reading it
 * would load what it hides, and the build fails if something imports it by name.
 */
const builtinsThroughRequire = {
	name: 'builtins-through-require',
	setup(builder) {
		const builtins = new Set(builtinModules);
		builder.onResolve({filter: /^[a-z\d_:/]+$/}, ({path, namespace, kind}) => {
			const name = path.slice(path.startsWith('node:') ? 5 : 0);
			if (!builtins.has(name) && !builtins.has(name.split('/')[0])) {
				return undefined;
			}

			return namespace === 'builtin' || kind === 'require-call'
				? {path: `node:${name}`, external: true}
				: {path: name, namespace: 'builtin'};
		});
		builder.onLoad({filter: /.*/, namespace: 'builtin'}, ({path}) => {
			const module = process.getBuiltinModule(`node:${path}`);
			const names = Object.getOwnPropertyNames(module).filter(
				(name) =>
					/^[A-Za-z_$][\w$]*$/.test(name) &&
					!reservedWords.has(name) &&
					'value' in Object.getOwnPropertyDescriptor(module, name),
			);
			return {
				contents: [
					`const builtin = require(${JSON.stringify(`node:${path}`)});`,
					'export default builtin;',
					...names.map(
						(name) =>
							`export var ${name} = /* @__PURE__ */ (() => builtin.${name})();`,
					),
				].join('\n'),
				loader: 'js',
			};
		});
	},
};

/** Names a built-in may have that cannot be the name of a variable. */
const reservedWords = new Set(
	'await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield'.split(
		' ',
	),
);

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

const yogaDirectory = path.join('node_modules', 'yoga-layout', 'dist');
const yogaLoader = path.resolve(
	yogaDirectory,
	'binaries',
	'yoga-wasm-base64-esm.js',
);
const wasmDataUrl = /"data:application\/octet-stream;base64,([\w+/=]+)"/;

/**
 * Yoga-layout instantiates its WebAssembly with `await` from a data: URL, and on Node 20 that
 * goes through fetch(): loading undici and decoding the URL took a quarter of a second of
 * start-up. This module compiles the same bytes synchronously through Emscripten's
 * instantiateWasm hook, which also leaves no top-level await behind.
 */
const synchronousYoga = {
	name: 'synchronous-yoga',
	setup(builder) {
		builder.onResolve({filter: /^yoga-layout$/}, () => ({
			path: 'yoga-layout',
			namespace: 'synchronous-yoga',
		}));
		builder.onLoad({filter: /.*/, namespace: 'synchronous-yoga'}, async () => {
			const loader = await readFile(yogaLoader, 'utf8');
			const base64 = wasmDataUrl.exec(loader)?.[1];
			if (!base64) {
				throw new Error(
					'yoga-layout changed: its WebAssembly is no longer a base64 data: URL',
				);
			}

			const from = (file) => JSON.stringify(path.resolve(yogaDirectory, file));
			return {
				contents: `
					import loadYoga from ${from('binaries/yoga-wasm-base64-esm.js')};
					import wrapAssembly from ${from('src/wrapAssembly.js')};
					const bytes = Buffer.from(${JSON.stringify(base64)}, 'base64');
					const emscripten = {
						instantiateWasm(imports, receive) {
							receive(new WebAssembly.Instance(new WebAssembly.Module(bytes), imports));
							return {};
						},
					};
					// With the hook answering at once, Emscripten runs to completion before it returns.
					loadYoga(emscripten);
					export default wrapAssembly(emscripten);
					export * from ${from('src/generated/YGEnums.js')};
				`,
				resolveDir: path.resolve(yogaDirectory),
				loader: 'js',
			};
		});
		// The loader's own copy of the bytes is not needed any more.
		builder.onLoad(
			{filter: /yoga-wasm-base64-esm\.js$/},
			async ({path: file}) => {
				const loader = await readFile(file, 'utf8');
				return {contents: loader.replace(wasmDataUrl, '""'), loader: 'js'};
			},
		);
	},
};

/**
 * Work that dependencies do when they are loaded, for features portui does not use at start-up:
 * wrap-ansi brings its own older string-width, whose load sets up a second Intl.Segmenter and set
 * of Unicode regexps beside the one Ink uses.
 */
const lighterStart = {
	name: 'lighter-start',
	setup(builder) {
		builder.onResolve({filter: /^string-width$/}, ({importer}) =>
			/[\\/]wrap-ansi[\\/]/.test(importer)
				? {path: path.resolve('node_modules', 'string-width', 'index.js')}
				: undefined,
		);
	},
};

/**
 * `const NAME = <expensive expression>;` in `source`, made on first use instead: the declaration
 * becomes an object whose one `method` builds the value then. Every use of NAME must be a
 * `NAME.method(` call, or the build stops (a changed dependency must be looked at again).
 */
function makeLazy(source, file, declarationPattern, method) {
	const declaration = declarationPattern.exec(source);
	const name = declaration?.[1];
	// Counted in the code without the declaration and the comments, which may name it too.
	const code = source
		.replace(declaration?.[0] ?? '', '')
		.replaceAll(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
	const count = (pattern) => code.split(new RegExp(pattern)).length - 1;
	const uses = name ? count(String.raw`\b${name}\b`) : 0;
	if (
		!declaration ||
		uses === 0 ||
		uses !== count(String.raw`\b${name}\.${method}\(`)
	) {
		throw new Error(
			`${file} changed: check how it makes and uses ${declarationPattern}`,
		);
	}

	const lazy = `let ${name}Made;\nconst ${name} = {${method}: (text) => (${name}Made ??= ${declaration[2]}).${method}(text)};`;
	return source.replace(declaration[0], lazy);
}

/**
 * String-width, slice-ansi and ansi-tokenize each make an Intl.Segmenter when they load; the first
 * one costs ICU's break rules, some 15 ms, although text that is all ASCII never needs one. Made
 * on first use, a script that prints plain ASCII through a pipe (`portui probe | grep`) skips it.
 * String-width also compiles /^\p{RGI_Emoji}$/v as it loads: V8 expands the property of strings
 * into every emoji sequence, 20-60 ms measured here (one-shot `probe`: about a tenth of its CPU),
 * for text that holds no emoji; it too is made on first use.
 */
const segmenterModules =
	/[\\/](string-width[\\/]index|slice-ansi[\\/]tokenize-ansi|@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize)\.js$/;
const lazySegmenters = {
	name: 'lazy-segmenters',
	setup(builder) {
		builder.onLoad({filter: segmenterModules}, async ({path: file}) => {
			let source = await readFile(file, 'utf8');
			source = makeLazy(
				source,
				file,
				/^const (\w+) = (new Intl\.Segmenter\(.*\));$/m,
				'segment',
			);
			if (/[\\/]string-width[\\/]/.test(file)) {
				source = makeLazy(
					source,
					file,
					/^const (\w+) = (\/\^\\p{RGI_Emoji}\$\/v);$/m,
					'test',
				);
			}

			return {contents: source, loader: 'js'};
		});
	},
};

/* eslint-enable require-unicode-regexp */

/**
 * Code that only some runs need, each bundled into a script of its own beside the main one
 * (dist/NAME.js) and run by bin/portui.js when first imported: Ink, React and Yoga for the
 * dashboard and a table on a terminal, prom-client for the exporter. A one-shot `probe` read
 * through a pipe reads and deserialises a bundle of some 340 KB instead of 790 KB (Node read and
 * copied the whole file as a string, about 8 ms here, and V8's code cache holds every function
 * the script declares). A part carries its own copy of what it imports from the rest of portui:
 * what crosses between scripts is plain data, and UsageError, which is known by a mark.
 */
const parts = {
	dashboard: {file: 'source/commands/dashboard.tsx', exports: ['dashboard']},
	'ink-table': {file: 'source/commands/ink-table.tsx', exports: ['inkTable']},
	exporter: {file: 'source/commands/exporter.ts', exports: ['exporter']},
};

/**
 * A dynamic import of a part's module becomes a module that awaits the wrapper's
 * `__portuiPart(name)` and exports what the part exports (a part's script hands them to the
 * wrapper's `__portuiExports`; the build fails if the list above names one its module lacks).
 * `used` collects the names, so that only parts something imports are built (the start-up
 * benchmark bundles an app of its own with `bundle`).
 */
function partsApart(used, self) {
	const byFile = new Map(
		Object.entries(parts).map(([name, {file}]) => [
			path.resolve(file).replace(/\.tsx?$/v, ''),
			name,
		]),
	);
	return {
		name: 'parts-apart',
		setup(builder) {
			builder.onResolve(
				// eslint-disable-next-line require-unicode-regexp -- a filter, run by Go's regexp
				{filter: /^\.\.?\//},
				({path: file, resolveDir, kind}) => {
					const name = byFile.get(
						path.resolve(resolveDir, file).replace(/\.js$/v, ''),
					);
					if (name === undefined || name === self) {
						return undefined;
					}

					if (kind !== 'dynamic-import') {
						return {
							errors: [
								{
									text: `${file} is the part "${name}" (a script of its own): import it with import()`,
								},
							],
						};
					}

					used.add(name);
					return {path: name, namespace: 'portui-part'};
				},
			);
			builder.onLoad(
				// eslint-disable-next-line require-unicode-regexp -- a filter, run by Go's regexp
				{filter: /.*/, namespace: 'portui-part'},
				({path: name}) => ({
					contents: `export const {${parts[name].exports.join(', ')}} = await __portuiPart(${JSON.stringify(name)});`,
					loader: 'js',
				}),
			);
		},
	};
}

/**
 * One script as portui ships it, minified, checked and wrapped as the body of an async function
 * (top-level await works inside it).
 */
async function bundleScript({
	entryPoint,
	outfile,
	isMinified,
	logLevel,
	part,
	used,
}) {
	const names = part && parts[part].exports.join(', ');
	const result = await build({
		...(part
			? {
					stdin: {
						contents: `import {${names}} from ${JSON.stringify(path.resolve(parts[part].file))};\n__portuiExports({${names}});`,
						resolveDir: process.cwd(),
						sourcefile: `part ${part}`,
						loader: 'js',
					},
				}
			: {entryPoints: [entryPoint]}),
		outfile,
		write: false,
		bundle: true,
		minify: isMinified,
		platform: 'node',
		target: 'node20',
		format: 'esm',
		jsx: 'automatic',
		legalComments: 'none',
		define: {
			'process.env.NODE_ENV': '"production"',
			// The wrapper passes the bundle's own {url, dirname, filename}: code that finds files
			// next to itself (the catalogue, package.json for --help and --version) uses it.
			'import.meta': '__portuiMeta',
			// The curated catalogue the tests check, which the bundle then need not check again
			// at every start (source/catalogue/load.ts).
			__portuiShippedCurated: JSON.stringify(
				await readFile(path.join('catalogue', 'curated.json'), 'utf8'),
			),
		},
		plugins: [
			partsApart(used, part),
			builtinsThroughRequire,
			withoutDevtools,
			synchronousYoga,
			lighterStart,
			lazySegmenters,
		],
		logLevel,
		// PORTUI_METAFILE=file.json: what each input costs in the bundle, for start-up work.
		metafile: Boolean(process.env.PORTUI_METAFILE),
	});

	if (result.metafile) {
		await writeFile(
			part
				? process.env.PORTUI_METAFILE.replace(/(\.json)?$/v, `.${part}$1`)
				: process.env.PORTUI_METAFILE,
			JSON.stringify(result.metafile),
		);
	}

	const [output] = result.outputFiles;
	const script = `(async function (require, __portuiMeta, __portuiPart${part ? ', __portuiExports' : ''}) {${output.text}\n})`;

	// A leftover import or export statement would only fail at start-up: fail the build instead.
	try {
		// eslint-disable-next-line no-new -- compiling is the check
		new vm.Script(script, {filename: outfile});
	} catch (error) {
		throw new Error(
			`${outfile} does not compile as a script: ${error.message}`,
			{cause: error},
		);
	}

	// A dynamic import() left in compiles, and fails only when it runs ("A dynamic import callback
	// was not specified": the script is run by node:vm). One of a built-in whose name the filter
	// above missed did (node:v8).
	const leftImport = /\bimport\(\s*["'`]([^"'`]*)/v.exec(output.text);
	if (leftImport) {
		throw new Error(
			`${outfile} keeps a dynamic import of ${leftImport[1]}, which fails at run time`,
		);
	}

	// Bin/portui.js reads the bundle as Latin-1, which is a plain copy where UTF-8 must be decoded:
	// that holds only while every character is ASCII (esbuild escapes the others by default).
	// eslint-disable-next-line no-control-regex -- every code point above ASCII, whatever it is
	const notAscii = /[^\u0000-\u007F]/v.exec(script);
	if (notAscii) {
		throw new Error(
			`${outfile} holds a character outside ASCII (U+${notAscii[0].codePointAt(0).toString(16).toUpperCase()}) at offset ${notAscii.index}; bin/portui.js reads it as Latin-1`,
		);
	}

	return script;
}

/**
 * Bundles `entryPoint` into `outfile` the way portui ships: the main script that bin/portui.js
 * runs, and beside it each part (above) that it imports. The start-up benchmark builds its
 * minimal Ink app with it too. The main script is written last: the tests and benchmarks rebuild
 * when it is older than the source.
 */
export async function bundle({
	entryPoint = 'source/cli.tsx',
	outfile = 'dist/cli.js',
	isMinified = true,
	logLevel = 'warning',
} = {}) {
	const used = new Set();
	const main = await bundleScript({
		entryPoint,
		outfile,
		isMinified,
		logLevel,
		used,
	});
	const written = new Set();
	const scripts = [];
	// A part may import another part.
	while (used.size > written.size) {
		const waiting = [...used].filter((name) => !written.has(name));
		for (const name of waiting) written.add(name);
		// eslint-disable-next-line no-await-in-loop -- a round finds the parts the last one imported
		const built = await Promise.all(
			waiting.map(async (name) => ({
				file: path.join(path.dirname(outfile), `${name}.js`),
				text: await bundleScript({
					outfile: path.join(path.dirname(outfile), `${name}.js`),
					isMinified,
					logLevel,
					part: name,
					used,
				}),
			})),
		);
		scripts.push(...built);
	}

	await mkdir(path.dirname(outfile), {recursive: true});
	await Promise.all(scripts.map(async ({file, text}) => writeFile(file, text)));
	await writeFile(outfile, main);
}

if (
	process.argv[1] &&
	import.meta.url === pathToFileURL(process.argv[1]).href
) {
	await bundle({isMinified: !process.env.PORTUI_NO_MINIFY});
}
