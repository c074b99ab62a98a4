import {UsageError} from '../cli-error.js';
import {hasUnsafeCharacter, quote} from '../text/quote.js';
import {nearestNames} from './suggest.js';
import type {Launch, Protocol, Verdict} from './types.js';

/** A catalogue file stops after this many errors: the rest are usually the same mistake again. */
export const maxProblems = 20;

/**
 * A catalogue file that cannot be used: one line a problem, each naming the file, the entry and
 * the field, so one run shows every mistake rather than the first.
 */
export class CatalogueError extends UsageError {
	override name = 'CatalogueError';
	readonly problems: readonly string[];

	constructor(problems: string | readonly string[]) {
		const list = typeof problems === 'string' ? [problems] : problems;
		super(list.join('\n'));
		this.problems = list;
	}
}

/** One entry as written in a catalogue file, before defaults and derived fields. */
export type RawEntry = {
	readonly port: number;
	readonly endPort?: number;
	readonly protocol: Protocol;
	readonly service: string;
	readonly longName?: string;
	readonly aliases?: readonly string[];
	readonly daemons?: readonly string[];
	readonly launch?: readonly Launch[];
	readonly verdict?: Verdict;
	readonly remark?: string;
	readonly pageClaim?: string;
	readonly tls?: boolean;
};

const protocols: ReadonlySet<string> = new Set(['tcp', 'udp']);
const verdicts: readonly string[] = [
	'secure',
	'caution',
	'insecure',
	'obsolete',
];
const launches: readonly string[] = [
	'standalone',
	'inetd',
	'rpcbind',
	'socket-activated',
	'kernel',
];
const namePattern = /^[A-Za-z\d][\w.+\-]*$/v;

type Field = {
	readonly check: (value: unknown) => boolean;
	readonly expected: string;
	/** The words the field accepts, for a "did you mean" when a value is near one. */
	readonly choices?: readonly string[];
};

// Port 0 is no port: connect() to it fails, and a sweep that always fails is no watch.
const isPort = (value: unknown) =>
	Number.isInteger(value) &&
	(value as number) >= 1 &&
	(value as number) <= 65_535;
const isText = (maxLength: number) => (value: unknown) =>
	typeof value === 'string' &&
	value.trim().length > 0 &&
	value.length <= maxLength &&
	// Catalogue text is printed as is, so it must be plain: no control, no bidi or invisible character.
	!hasUnsafeCharacter(value);
const isName = (value: unknown) =>
	typeof value === 'string' && value.length <= 64 && namePattern.test(value);
const isListOf = (check: (value: unknown) => boolean) => (value: unknown) =>
	Array.isArray(value) && value.every((item) => check(item));
const isOneOf = (choices: readonly string[]) => (value: unknown) =>
	typeof value === 'string' && choices.includes(value);
// "TCP" is how most tools print it: a protocol is read in any case.
const isProtocol = (value: unknown) =>
	typeof value === 'string' && protocols.has(value.toLowerCase());

const fields: Record<keyof RawEntry, Field> = {
	port: {check: isPort, expected: 'an integer from 1 to 65535'},
	endPort: {
		check: isPort,
		expected: 'an integer from 1 to 65535, at least port',
	},
	protocol: {check: isProtocol, expected: 'one of tcp, udp'},
	service: {
		check: isName,
		expected:
			'a service name of letters, digits, ".", "_", "+", "-" (at most 64)',
	},
	longName: {
		check: isText(120),
		expected: 'plain text of at most 120 characters',
	},
	aliases: {check: isListOf(isName), expected: 'a list of service names'},
	daemons: {
		check: isListOf(isText(40)),
		expected: 'a list of daemon names (plain text, at most 40 characters each)',
	},
	launch: {
		check: isListOf(isOneOf(launches)),
		expected: `a list of ${launches.join(', ')}`,
		choices: launches,
	},
	verdict: {
		check: isOneOf(verdicts),
		expected: `one of ${verdicts.join(', ')}`,
		choices: verdicts,
	},
	remark: {
		check: isText(600),
		expected: 'plain text of at most 600 characters',
	},
	pageClaim: {
		check: isText(300),
		expected: 'plain text of at most 300 characters',
	},
	tls: {
		check: (value) => typeof value === 'boolean',
		expected: 'true or false',
	},
};

const required: ReadonlyArray<keyof RawEntry> = ['port', 'protocol', 'service'];

const previewLength = 40;

/** Appends `value` JSON-like to `parts` until they hold more than `budget` characters. */
function preview(value: unknown, parts: string[], budget: number): void {
	const length = () => parts.reduce((sum, part) => sum + part.length, 0);
	if (typeof value === 'string') {
		parts.push(quote(value, budget));
	} else if (typeof value !== 'object' || value === null) {
		parts.push(String(value));
	} else {
		const isList = Array.isArray(value);
		parts.push(isList ? '[' : '{');
		let isFirst = true;
		for (const [key, item] of isList
			? (value as unknown[]).entries()
			: Object.entries(value)) {
			if (length() > budget) {
				return;
			}

			parts.push(isFirst ? '' : ',', isList ? '' : `${quote(String(key))}:`);
			isFirst = false;
			preview(item, parts, budget);
		}

		parts.push(isList ? ']' : '}');
	}
}

/**
 * A value as a message shows it: JSON-like, escaped (see `quote`) and cut at about 40
 * characters. Written out rather than JSON.stringify: a value nested 5,000 deep or a list of a
 * million items costs no more than the characters shown.
 */
function describe(value: unknown): string {
	const parts: string[] = [];
	preview(value, parts, previewLength);
	const text = parts.join('');
	return text.length > previewLength
		? `${text.slice(0, previewLength - 3)}...`
		: text;
}

const fieldNames = Object.keys(fields);
const topLevelNames = ['$schema', 'entries'];

const hintOf = (name: string | undefined) =>
	name === undefined ? '' : ` (did you mean ${quote(name)}?)`;
/** ` (did you mean "protocol"?)` for a word near one of `names`, or nothing. */
const nearest = (word: string, names: readonly string[]) =>
	hintOf(nearestNames(word, names, 1)[0]);

/** A refused value, and the accepted word it is near when it is a misspelt one ("insecur"). */
function refusedValue(name: keyof RawEntry, value: unknown): string {
	const field = fields[name];
	const words = Array.isArray(value) ? value : [value];
	const wrong = words.find(
		(word) => typeof word === 'string' && !field.choices?.includes(word),
	) as string | undefined;
	const hint =
		field.choices && wrong !== undefined ? nearest(wrong, field.choices) : '';
	return `field "${name}" is ${describe(value)}${hint}; expected ${field.expected}`;
}

/**
 * Checks a parsed catalogue file against catalogue/schema.json's rules and returns its entries
 * (protocols in lower case). Hand-written rather than a schema engine: the file is small, and
 * each error must name file, entry and field. Every error is reported (up to `maxProblems`), a
 * port and protocol given twice among them: two entries for one port would silently merge.
 */
export function validateCatalogueFile(data: unknown, file: string): RawEntry[] {
	const name = quote(file);
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		throw new CatalogueError(
			`${name}: expected an object with an "entries" list`,
		);
	}

	const problems: string[] = [];
	const {entries, ...rest} = data as Record<string, unknown>;
	for (const key of Object.keys(rest).filter((key) => key !== '$schema')) {
		problems.push(
			`${name}: unknown top-level field ${quote(key)}${nearest(key, topLevelNames)}; accepted: $schema, entries`,
		);
	}

	if (!Array.isArray(entries)) {
		problems.push(`${name}: "entries" must be a list of entries`);
		throw new CatalogueError(problems.slice(0, maxProblems));
	}

	const valid: RawEntry[] = [];
	const seen = new Map<string, string>();
	for (const [index, entry] of (entries as unknown[]).entries()) {
		if (problems.length > maxProblems) {
			break;
		}

		const where = `entry ${index + 1}`;
		const checked = validateEntry(entry);
		if ('problems' in checked) {
			problems.push(
				...checked.problems.map(
					(problem) => `${name}: ${where}${checked.label}: ${problem}`,
				),
			);
			continue;
		}

		const {raw} = checked;
		const id = `${raw.port}${raw.endPort === undefined || raw.endPort === raw.port ? '' : `-${raw.endPort}`}/${raw.protocol}`;
		const named = `${where} (${id} ${quote(raw.service)})`;
		const first = seen.get(id);
		if (first === undefined) {
			seen.set(id, named);
			valid.push(raw);
		} else {
			problems.push(
				`${name}: ${named} repeats ${first}; give each port and protocol one entry`,
			);
		}
	}

	if (problems.length > 0) {
		throw new CatalogueError(
			problems.length > maxProblems
				? [
						...problems.slice(0, maxProblems),
						`${name}: stopped after ${maxProblems} errors; fix these and run again`,
					]
				: problems,
		);
	}

	return valid;
}

type CheckedEntry =
	| {readonly raw: RawEntry}
	| {readonly label: string; readonly problems: readonly string[]};

function validateEntry(entry: unknown): CheckedEntry {
	if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
		return {
			label: '',
			problems: [
				`expected an object with port, protocol and service, not ${describe(entry)}`,
			],
		};
	}

	const record = entry as Record<string, unknown>;
	const label =
		isPort(record['port']) && isProtocol(record['protocol'])
			? ` (${record['port'] as number}/${(record['protocol'] as string).toLowerCase()})`
			: '';
	const problems: string[] = [];
	// A misspelt field ("proto") is reported once, as the field it is near, not again as missing.
	const meant = new Set<string>();
	for (const [name, value] of Object.entries(record)) {
		if (!Object.hasOwn(fields, name)) {
			const [field] = nearestNames(name, fieldNames, 1);
			if (field !== undefined && record[field] === undefined) {
				meant.add(field);
			}

			problems.push(
				`unknown field ${quote(name)}${hintOf(field)}; accepted: ${fieldNames.join(', ')}`,
			);
		} else if (!fields[name as keyof RawEntry].check(value)) {
			problems.push(refusedValue(name as keyof RawEntry, value));
		}
	}

	for (const name of required) {
		if (record[name] === undefined && !meant.has(name)) {
			problems.unshift(
				`field "${name}" is missing; expected ${fields[name].expected}`,
			);
		}
	}

	if (
		problems.length === 0 &&
		record['endPort'] !== undefined &&
		(record['endPort'] as number) < (record['port'] as number)
	) {
		problems.push(
			`field "endPort" is ${describe(record['endPort'])}; expected ${fields.endPort.expected}`,
		);
	}

	if (problems.length > 0) {
		return {label, problems};
	}

	return {
		raw: {
			...(record as RawEntry),
			protocol: (record['protocol'] as string).toLowerCase() as Protocol,
		},
	};
}
