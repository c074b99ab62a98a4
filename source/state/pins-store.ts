import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import process from 'node:process';
import {homedir} from 'node:os';
import path from 'node:path';
import {quote} from '../text/quote.js';

/** Pinned ports kept per host between sessions. */
export type PinStore = {
	/** The pins kept for `host` (`22/tcp` keys); a file that cannot be read gives none and a warning. */
	load(host: string): {readonly pins: string[]; readonly warning?: string};
	/** Keeps `pins` for `host`; a failure is a warning, never an exception. */
	save(host: string, pins: readonly string[]): string | undefined;
};

type PinFile = {
	readonly version: 1;
	readonly hosts: Record<string, string[]>;
};

const pinKey = /^\d{1,5}\/(?:tcp|udp)$/v;

/** `$XDG_STATE_HOME/portui/pins.json`, `~/.local/state/portui/pins.json` by default (XDG Base Directory). */
export function pinsPath(env: NodeJS.ProcessEnv): string {
	const stateHome = env['XDG_STATE_HOME'];
	// The specification: a relative path is invalid and is ignored.
	const base =
		stateHome && path.isAbsolute(stateHome)
			? stateHome
			: path.join(homedir(), '.local', 'state');
	return path.join(base, 'portui', 'pins.json');
}

/** The hosts and their pins, or why the file cannot be used (missing is no error: no pins yet). */
function readPinFile(file: string): {
	readonly hosts: Record<string, string[]>;
	readonly warning?: string;
} {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const {code} = error as NodeJS.ErrnoException;
		return code === 'ENOENT'
			? {hosts: {}}
			: {
					hosts: {},
					warning: `cannot read ${quote(file)} (${code ?? 'error'}): no pins restored`,
				};
	}

	const bad = (why: string) => ({
		hosts: {},
		warning: `${quote(file)} ${why}: no pins restored; pinning again rewrites it`,
	});
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		return bad('is not valid JSON');
	}

	const hosts = (data as Partial<PinFile> | undefined)?.hosts;
	if (
		typeof data !== 'object' ||
		data === null ||
		(data as Partial<PinFile>).version !== 1 ||
		typeof hosts !== 'object' ||
		hosts === null ||
		Array.isArray(hosts)
	) {
		return bad('is not a pins file of this version');
	}

	const kept: Record<string, string[]> = {};
	for (const [host, pins] of Object.entries(hosts)) {
		if (!Array.isArray(pins)) {
			return bad(`has a bad entry for ${quote(host)}`);
		}

		kept[host] = pins.filter(
			(pin): pin is string => typeof pin === 'string' && pinKey.test(pin),
		);
	}

	return {hosts: kept};
}

/** The pins file at `file`, written whole to a temporary file beside it and renamed over it. */
export function createPinStore(file: string): PinStore {
	return {
		load(host) {
			const {hosts, warning} = readPinFile(file);
			return {pins: hosts[host] ?? [], ...(warning && {warning})};
		},
		save(host, pins) {
			// A file that cannot be read is replaced: what it held could not be used anyway.
			const {hosts} = readPinFile(file);
			const others = Object.entries(hosts).filter(([name]) => name !== host);
			const next: PinFile = {
				version: 1,
				hosts: Object.fromEntries(
					pins.length === 0 ? others : [...others, [host, [...pins]]],
				),
			};

			const temporary = `${file}.${process.pid}.tmp`;
			try {
				mkdirSync(path.dirname(file), {recursive: true, mode: 0o700});
				writeFileSync(temporary, `${JSON.stringify(next, undefined, '\t')}\n`, {
					mode: 0o600,
				});
				renameSync(temporary, file);
				return undefined;
			} catch (error) {
				const {code} = error as NodeJS.ErrnoException;
				return `cannot keep the pins in ${quote(file)} (${code ?? 'error'})`;
			}
		},
	};
}
