import {readFileSync} from 'node:fs';
import {isIP, isIPv6} from 'node:net';
import process from 'node:process';
import {UsageError} from './cli-error.js';
import {invalidHostName} from './probe/host-name.js';
import {
	isSshUrl,
	parseSshUrl,
	sshAccepted,
	type SshDestination,
} from './remote/destination.js';
import {quote} from './text/quote.js';
import type {CatalogueEntry, Protocol} from './catalogue/types.js';
import type {PortPair} from './probe/types.js';

export {UsageError} from './cli-error.js';

/** One option of a command: a switch (`--json`, `--no-identify`) or an option with a value. */
export type FlagSpec =
	| {readonly type: 'boolean'; readonly default?: boolean}
	| {readonly type: 'string'; readonly default?: string};

/** The options of a command by their camelCase names: `sshConfig` is `--ssh-config`. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type FlagValues<Flags extends FlagSpecs> = {
	[Name in keyof Flags]: Flags[Name] extends {readonly type: 'boolean'}
		? boolean
		: Flags[Name] extends {readonly default: string}
			? string
			: string | undefined;
};

/** What a command was given: the arguments that are not options, in order, and the options. */
export type ParsedArguments<Flags extends FlagSpecs> = {
	input: string[];
	flags: FlagValues<Flags>;
};

const kebab = (name: string) =>
	name.replaceAll(/[A-Z]/gv, (letter) => `-${letter.toLowerCase()}`);

// `-22,80` and `-5s` are bad ports and durations, never options: the validators name them.
const isOptionLike = (token: string) =>
	token.length > 1 && token.startsWith('-') && !/^-\d/v.test(token);

// The same layout meow gave the help: the least indentation taken off, then two spaces.
function redent(text: string, count: number): string {
	const indents = text.match(/^[ \t]*(?=\S)/gmv) ?? [];
	const least = Math.min(...indents.map((indent) => indent.length));
	const flush =
		least === 0 || least === Number.POSITIVE_INFINITY
			? text
			: text.replaceAll(new RegExp(String.raw`^[ \t]{${least}}`, 'gmv'), '');
	return flush.replaceAll(/^(?!\s*$)/gmv, ' '.repeat(count));
}

/** What `--help` prints: the package's description, then the command's help, as meow did. */
export function formatHelp(help: string, description?: string): string {
	const trimmed = help
		.replace(/\t+\n*$/v, '')
		.replaceAll(/^[\r\n]+|[\r\n]+$/gv, '');
	const body = trimmed.includes('\n') ? redent(trimmed, 2) : trimmed;
	const head = description ? redent(`\n${description}\n`, 2) : '';
	return `${head}\n${body}\n\n`;
}

/** Read only for --help and --version: source/ and the bundle's dist/ both sit one level down. */
function packageJson(): {description?: string; version?: string} {
	return JSON.parse(
		readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
	) as {description?: string; version?: string};
}

/** The help's usage (`Usage` then `$ portui ...` and the lines that carry it on), as one line. */
function usageOf(help: string): string | undefined {
	const match = /^\s*Usage\n\s*\$ (.+(?:\n[ \t]+[^\s$].*)*)/mv.exec(help);
	return match?.[1]?.replaceAll(/\n\s+/gv, ' ');
}

/** `--help`/`-h`, else `--version`/`-v`, anywhere among the options: printed, then the end. */
function exitOnHelpOrVersion(options: readonly string[], help: string) {
	const isHelp = options.includes('--help') || options.includes('-h');
	if (isHelp || options.includes('--version') || options.includes('-v')) {
		const {description, version} = packageJson();
		process.stdout.write(
			isHelp ? formatHelp(help, description) : `${version}\n`,
		);
		// eslint-disable-next-line unicorn/no-process-exit -- as meow did: nothing else is to run
		process.exit(0);
	}
}

type Values = Record<string, string | boolean | undefined>;

/** The name of the option `token` gives, or a UsageError naming it and the accepted ones. */
function optionName(token: string, option: string, flags: FlagSpecs): string {
	const names = Object.keys(flags);
	const name =
		names.find((name) => option === `--${kebab(name)}`) ??
		names.find(
			(name) =>
				flags[name]!.type === 'boolean' && option === `--no-${kebab(name)}`,
		);
	if (name === undefined) {
		const accepted = names.map((name) => `--${kebab(name)}`).join(', ');
		throw new UsageError(
			`unknown option ${quote(token)}; accepted: ${accepted || 'none'}, --help, --version`,
		);
	}

	return name;
}

/** Reads the option at `tokens[index]` into `values`; returns how many tokens it took. */
function readOption(
	tokens: readonly string[],
	index: number,
	options: {readonly help: string; readonly flags: FlagSpecs},
	values: Values,
): number {
	const token = tokens[index]!;
	const equals = token.indexOf('=');
	const option = equals === -1 ? token : token.slice(0, equals);
	const inline = equals === -1 ? undefined : token.slice(equals + 1);
	const name = optionName(token, option, options.flags);
	const flag = `--${kebab(name)}`;
	if (Object.hasOwn(values, name)) {
		throw new UsageError(
			`${flag} is given more than once; give each option once`,
		);
	}

	if (options.flags[name]!.type === 'boolean') {
		if (inline !== undefined) {
			throw new UsageError(
				`bad option ${quote(token)}: ${flag} takes no value; accepted: ${flag}, --no-${kebab(name)}`,
			);
		}

		values[name] = option === flag;
		return 1;
	}

	const next = tokens[index + 1];
	const value =
		inline ?? (next === undefined || isOptionLike(next) ? undefined : next);
	if (value === undefined || value === '') {
		const usage = usageOf(options.help);
		throw new UsageError(
			`${flag} needs a value${usage === undefined ? '' : `; usage: ${usage}`}`,
		);
	}

	values[name] = value;
	return inline === undefined ? 2 : 1;
}

/**
 * The one argument parser of every command. `--help`/`-h` or `--version`/`-v` anywhere
 * before `--` prints and exits 0; every bad option is a UsageError (one line, exit status 2).
 * What follows `--` is input as given.
 */
export function parseArguments<Flags extends FlagSpecs>(
	argv: readonly string[],
	options: {readonly help: string; readonly flags: Flags},
): ParsedArguments<Flags> {
	const end = argv.indexOf('--');
	const before = end === -1 ? argv : argv.slice(0, end);
	exitOnHelpOrVersion(before, options.help);
	const values: Values = {};
	const input: string[] = [];
	for (let index = 0; index < before.length;) {
		const token = before[index]!;
		if (isOptionLike(token)) {
			index += readOption(before, index, options, values);
		} else {
			input.push(token);
			index++;
		}
	}

	for (const [name, flag] of Object.entries(options.flags)) {
		values[name] ??=
			flag.default ?? (flag.type === 'boolean' ? false : undefined);
	}

	if (end !== -1) {
		input.push(...argv.slice(end + 1));
	}

	return {input, flags: values as FlagValues<Flags>};
}

export type ProtocolFilter = Protocol | 'all';

export function parseProtocolFilter(value: string | undefined): ProtocolFilter {
	if (value === undefined) {
		return 'all';
	}

	const normalized = value.toLowerCase();
	if (normalized === 'tcp' || normalized === 'udp' || normalized === 'all') {
		return normalized;
	}

	throw new UsageError(
		`bad --proto ${quote(value)}: accepted values are tcp, udp, all`,
	);
}

/** What the port validators need of the catalogue (the lead's `Catalogue` fits). */
export type PortCatalogue = {
	readonly curated: readonly CatalogueEntry[];
	byName(name: string): readonly CatalogueEntry[];
};

const portsAccepted =
	'accepted: ports 1-65535, ranges LOW-HIGH (8000-8100), service names (ssh), each with an optional /tcp or /udp, comma-separated';

const maxPort = 65_535;

const isProtocol = (text: string): text is Protocol =>
	text === 'tcp' || text === 'udp';

function parsePortNumber(text: string): number | undefined {
	if (!/^\d+$/v.test(text)) {
		return undefined;
	}

	const port = Number(text);
	return port >= 1 && port <= maxPort ? port : undefined;
}

/** Ports LOW-HIGH of some protocols, not yet expanded. */
type Span = {
	readonly port: number;
	readonly endPort: number;
	readonly protocols: readonly Protocol[];
};

function numberProtocols(filter: ProtocolFilter | undefined): Protocol[] {
	if (filter === undefined) {
		return ['tcp'];
	}

	return filter === 'all' ? ['tcp', 'udp'] : [filter];
}

// `ssh` should not mean 22/udp because IANA registers both; prefer what the curated
// catalogue says the service uses, then TCP, then whatever is registered.
function entriesOfName(
	name: string,
	catalogue: PortCatalogue,
	filter: ProtocolFilter | undefined,
	fail: (why: string) => never,
): readonly CatalogueEntry[] {
	const named = catalogue.byName(name);
	if (named.length === 0) {
		fail(`unknown service name (see: portui list ${quote(name)})`);
	}

	if (filter !== undefined) {
		const chosen = named.filter(
			(entry) => filter === 'all' || entry.protocol === filter,
		);
		return chosen.length > 0
			? chosen
			: fail(`the catalogue has no ${filter} port for this service`);
	}

	const curated = new Set(catalogue.curated.map((entry) => entry.id));
	const fromCurated = named.filter((entry) => curated.has(entry.id));
	if (fromCurated.length > 0) {
		return fromCurated;
	}

	const tcp = named.filter((entry) => entry.protocol === 'tcp');
	return tcp.length > 0 ? tcp : named;
}

function parseRange(
	body: string,
	fail: (why: string) => never,
): {port: number; endPort: number} | undefined {
	const range = /^(\d*)-(\d*)$/v.exec(body);
	if (!range) {
		return undefined;
	}

	const [, lowText = '', highText = ''] = range;
	if (lowText === '') {
		fail(
			highText === ''
				? 'a range needs both ends'
				: 'negative, or a range without its start',
		);
	}

	if (highText === '') {
		fail('a range needs both ends');
	}

	const port = parsePortNumber(lowText) ?? fail('out of range');
	const endPort = parsePortNumber(highText) ?? fail('out of range');
	return port > endPort ? fail('range runs backwards') : {port, endPort};
}

export type PortSpecOptions = {
	/**
	 * `--proto`: the protocol(s) of an item without a /tcp or /udp suffix. Without it a number
	 * means TCP and a name means the protocols the catalogue gives it (domain: tcp and udp).
	 */
	readonly protocol?: ProtocolFilter;
};

type PortItem = {
	readonly fail: (why: string) => never;
	readonly filter: ProtocolFilter | undefined;
	/** A number or a range; a service name otherwise. */
	readonly span?: Span;
	readonly name?: string;
};

/** The syntax of one item, without the catalogue: every item is checked before any is expanded. */
function parsePortItem(
	item: string,
	options: PortSpecOptions,
	fail: (why: string) => never,
): PortItem {
	if (item === '') {
		fail('empty entry');
	}

	const slash = item.lastIndexOf('/');
	const body = slash === -1 ? item : item.slice(0, slash);
	const suffix = slash === -1 ? undefined : item.slice(slash + 1).toLowerCase();
	// Asked in this order and no further than needed: a spec is mostly numbers.
	const isNumber = /^\d+$/v.test(body);
	const isRange = !isNumber && /^\d*-\d*$/v.test(body);
	const isName =
		!isNumber &&
		!isRange &&
		/^[A-Za-z\d][\w.+\-]*$/v.test(body) &&
		/[A-Za-z]/v.test(body);
	if (!isNumber && !isRange && !isName) {
		fail('not a port, range or service name');
	}

	if (suffix !== undefined && !isProtocol(suffix)) {
		fail(`unknown protocol ${quote(item.slice(slash + 1))}`);
	}

	const filter = suffix ?? options.protocol;
	if (isNumber) {
		const port = parsePortNumber(body) ?? fail('out of range');
		return {
			fail,
			filter,
			span: {port, endPort: port, protocols: numberProtocols(filter)},
		};
	}

	if (isRange) {
		const range = parseRange(body, fail)!;
		return {fail, filter, span: {...range, protocols: numberProtocols(filter)}};
	}

	return {fail, filter, name: body};
}

/**
 * Parses `22,80,443`, `8000-8100`, `ssh,domain`, `53/udp` into port/protocol pairs, in the
 * order given, without duplicates. Anything else is a UsageError naming the bad item. The
 * whole spec is checked before any port is listed, and a port is listed once however many
 * items name it: a thousand copies of 1-65535 are 65,535 pairs, at most 131,070 in all.
 */
export function parsePortSpec(
	text: string,
	catalogue: PortCatalogue | undefined,
	options: PortSpecOptions = {},
): PortPair[] {
	const items = text.split(',');
	const parsed = items.map((rawItem) => {
		const item = rawItem.trim();
		const fail = (why: string): never => {
			const where = items.length > 1 ? ` in ${quote(text)}` : '';
			throw new UsageError(
				`bad port ${quote(item)}${where}: ${why}; ${portsAccepted}`,
			);
		};

		return parsePortItem(item, options, fail);
	});
	const spans = parsed.flatMap(({fail, filter, span, name}): Span[] => {
		if (span) {
			return [span];
		}

		return entriesOfName(
			name!,
			catalogue ?? fail('service names need the catalogue'),
			filter,
			fail,
		).map((entry) => ({
			port: entry.port,
			endPort: entry.endPort,
			protocols: [entry.protocol],
		}));
	});

	const seen = {
		tcp: new Uint8Array(maxPort + 1),
		udp: new Uint8Array(maxPort + 1),
	};
	const pairs: PortPair[] = [];
	for (const span of spans) {
		for (const protocol of span.protocols) {
			const isSeen = seen[protocol];
			for (let {port} = span; port <= span.endPort; port++) {
				if (isSeen[port] === 0) {
					isSeen[port] = 1;
					pairs.push({port, protocol});
				}
			}
		}
	}

	return pairs;
}

const units: Record<string, number> = {
	ms: 1,
	s: 1000,
	m: 60_000,
	h: 3_600_000,
	d: 86_400_000,
};

// Node's timers overflow above 2^31-1 ms (about 24.8 days) and fire at once.
const maxTimerMs = 2_147_483_647;

const day = 86_400_000;

// The largest timer is 24.8 days: shown in days, rounded down so that what is shown is accepted.
const formatMs = (ms: number) =>
	ms >= day
		? `${Math.floor((ms / day) * 10) / 10}d`
		: ms % 1000 === 0
			? `${ms / 1000}s`
			: `${ms}ms`;

export type DurationOptions = {
	/** Smallest accepted value in ms (default 1). */
	readonly minMs?: number;
	/** Largest accepted value in ms (default: what a Node timer can hold). */
	readonly maxMs?: number;
};

/** Parses `250ms`, `1.5s`, `2m`, `1h`, `2d` into milliseconds. `flagName` is for the message: `--timeout`. */
export function parseDuration(
	text: string | undefined,
	flagName: string,
	options: DurationOptions = {},
): number {
	const {minMs = 1, maxMs = maxTimerMs} = options;
	const accepted = `accepted: a number and a unit, ms, s, m, h or d (250ms, 1.5s, 2m), from ${formatMs(minMs)} to ${formatMs(maxMs)}`;
	if (text === undefined || text.trim() === '') {
		throw new UsageError(`${flagName} needs a value; ${accepted}`);
	}

	const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?$/iv.exec(text.trim());
	if (!match) {
		throw new UsageError(`bad ${flagName} ${quote(text)}; ${accepted}`);
	}

	const [, amount = '', unit] = match;
	if (unit === undefined && Number(amount) !== 0) {
		throw new UsageError(
			`bad ${flagName} ${quote(text)}: give a unit (${amount}s or ${amount}ms); ${accepted}`,
		);
	}

	const ms = Math.round(
		Number(amount) * (units[(unit ?? 'ms').toLowerCase()] ?? 1),
	);
	if (ms < minMs || ms > maxMs) {
		throw new UsageError(
			`bad ${flagName} ${quote(text)}: out of range; ${accepted}`,
		);
	}

	return ms;
}

const hostAccepted =
	'accepted: a host name (localhost, db.example), an IPv4 address (127.0.0.1) or an IPv6 address (::1 or [::1])';

/** Checks a host given on the command line and strips the brackets of `[::1]`. Resolving is the probe service's job. */
export function parseHost(text: string | undefined): string {
	if (text === undefined || text.trim() === '') {
		throw new UsageError(`empty host; ${hostAccepted}`);
	}

	const bracketed = /^\[(.*)\]$/v.exec(text)?.[1];
	if (bracketed === undefined ? isIP(text) !== 0 : isIPv6(bracketed)) {
		return bracketed ?? text;
	}

	if (bracketed === undefined && invalidHostName(text) === undefined) {
		return text;
	}

	const hint = /^[^:]+:\d+$/v.test(text) ? ': give the port separately' : '';
	throw new UsageError(`bad host ${quote(text)}${hint}; ${hostAccepted}`);
}

/**
 * `ssh://[user@]host[:port]` as the first argument: the destination, its host put in the
 * argument's place (the probes from here aim at it); undefined for any other host.
 */
export function parseRemoteArgument(
	input: readonly string[],
): {destination: SshDestination; input: string[]} | undefined {
	const [first, ...rest] = input;
	if (first === undefined || !isSshUrl(first)) {
		return undefined;
	}

	const destination = parseSshUrl(first);
	if (typeof destination === 'string') {
		throw new UsageError(
			`bad host ${quote(first)}: ${destination}; ${sshAccepted}`,
		);
	}

	return {destination, input: [destination.host, ...rest]};
}

export type WaitTarget = PortPair & {
	readonly host: string;
	/** As given, for messages. */
	readonly text: string;
};

const targetAccepted =
	'accepted: HOST:PORT, HOST:PORT/udp, [IPv6]:PORT (localhost:5432, 127.0.0.1:53/udp, [::1]:22); PORT may be a service name';

/**
 * Parses a `wait` target: `HOST:PORT`, `HOST:PORT/udp`, `[::1]:22`. A service name as PORT
 * (`localhost:ssh`) needs the catalogue and means the name's first port for the protocol.
 */
export function parseWaitTarget(
	text: string,
	catalogue?: PortCatalogue,
): WaitTarget {
	const fail = (why: string): never => {
		throw new UsageError(`bad target ${quote(text)}${why}; ${targetAccepted}`);
	};

	const match = /^(\[[^\]]*\]|[^:\[\]]*):([^:\/]+)(?:\/(\w+))?$/v.exec(text);
	if (!match) {
		if (/^[^\[]*:.*:/v.test(text)) {
			fail(': write an IPv6 address in brackets, [::1]:22');
		}

		return fail(text.includes(':') ? '' : ': no port');
	}

	const [, hostText = '', portText = '', protocolText = 'tcp'] = match;
	const protocol = protocolText.toLowerCase();
	if (!isProtocol(protocol)) {
		return fail(`: unknown protocol ${quote(protocolText)}`);
	}

	let host: string;
	try {
		host = parseHost(hostText);
	} catch {
		return fail(
			hostText === '' ? ': empty host' : `: bad host ${quote(hostText)}`,
		);
	}

	if (/^\d+$/v.test(portText)) {
		const port =
			parsePortNumber(portText) ??
			fail(`: port ${portText} is out of range 1-65535`);
		return {host, port, protocol, text};
	}

	if (!/[A-Za-z]/v.test(portText)) {
		return fail(`: ${quote(portText)} is not a port or a service name`);
	}

	const [pair] = parsePortSpec(portText, catalogue, {protocol});
	return {host, port: pair!.port, protocol, text};
}

/** Parses a whole number of at least 1 (`--count 3`). */
export function parseCount(text: string | undefined, flagName: string): number {
	const accepted = 'accepted: a whole number from 1 to 1000000000';
	if (text === undefined || text.trim() === '') {
		throw new UsageError(`${flagName} needs a value; ${accepted}`);
	}

	const value = /^\d{1,10}$/v.test(text.trim()) ? Number(text) : Number.NaN;
	if (!(value >= 1 && value <= 1e9)) {
		throw new UsageError(`bad ${flagName} ${quote(text)}; ${accepted}`);
	}

	return value;
}
