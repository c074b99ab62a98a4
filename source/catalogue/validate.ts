import {UsageError} from '../cli-error.js';
import {hasUnsafeCharacter, quote} from '../text/quote.js';
import type {Launch, Protocol, Verdict} from './types.js';

/** A catalogue file that cannot be used: names the file, the entry and the field. */
export class CatalogueError extends UsageError {
	override name = 'CatalogueError';
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

const protocols: readonly string[] = ['tcp', 'udp'];
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

const fields: Record<keyof RawEntry, Field> = {
	port: {check: isPort, expected: 'an integer from 1 to 65535'},
	endPort: {
		check: isPort,
		expected: 'an integer from 1 to 65535, at least port',
	},
	protocol: {check: isOneOf(protocols), expected: 'one of tcp, udp'},
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
	},
	verdict: {
		check: isOneOf(verdicts),
		expected: `one of ${verdicts.join(', ')}`,
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

/**
 * Checks a parsed catalogue file against catalogue/schema.json's rules. Hand-written rather
 * than a schema engine: the file is small, and the error must name file, entry and field.
 */
export function validateCatalogueFile(data: unknown, file: string): RawEntry[] {
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		throw new CatalogueError(
			`${quote(file)}: expected an object with an "entries" list`,
		);
	}

	const {entries, ...rest} = data as Record<string, unknown>;
	const unknown = Object.keys(rest).filter((key) => key !== '$schema');
	if (unknown.length > 0) {
		throw new CatalogueError(
			`${quote(file)}: unknown top-level field ${quote(unknown[0]!)}; accepted: $schema, entries`,
		);
	}

	if (!Array.isArray(entries)) {
		throw new CatalogueError(
			`${quote(file)}: "entries" must be a list of entries`,
		);
	}

	return entries.map((entry: unknown, index) =>
		validateEntry(entry, `${quote(file)}: entry ${index + 1}`),
	);
}

function validateEntry(entry: unknown, where: string): RawEntry {
	if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
		throw new CatalogueError(
			`${where}: expected an object with port, protocol and service`,
		);
	}

	const record = entry as Record<string, unknown>;
	const label =
		isPort(record['port']) && isOneOf(protocols)(record['protocol'])
			? ` (${record['port'] as number}/${record['protocol'] as string})`
			: '';
	for (const name of required) {
		if (record[name] === undefined) {
			throw new CatalogueError(
				`${where}${label}: field "${name}" is missing; expected ${fields[name].expected}`,
			);
		}
	}

	for (const [name, value] of Object.entries(record)) {
		const field = Object.hasOwn(fields, name)
			? fields[name as keyof RawEntry]
			: undefined;
		if (!field) {
			throw new CatalogueError(
				`${where}${label}: unknown field ${quote(name)}; accepted: ${Object.keys(fields).join(', ')}`,
			);
		}

		if (!field.check(value)) {
			throw new CatalogueError(
				`${where}${label}: field "${name}" is ${describe(value)}; expected ${field.expected}`,
			);
		}
	}

	if (
		record['endPort'] !== undefined &&
		(record['endPort'] as number) < (record['port'] as number)
	) {
		throw new CatalogueError(
			`${where}${label}: field "endPort" is ${describe(record['endPort'])}; expected ${fields.endPort.expected}`,
		);
	}

	return record as RawEntry;
}
