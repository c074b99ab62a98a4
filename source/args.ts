import meow, {type AnyFlags, type Result} from 'meow';
import {UsageError} from './cli-error.js';
import type {Protocol} from './catalogue/types.js';

export {UsageError} from './cli-error.js';

const kebab = (name: string) => name.replaceAll(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);

/**
 * The one argument parser of every command. meow prints help and the version; anything it
 * would reject by exiting on its own (an unknown flag) becomes a UsageError instead, so every
 * bad input ends the same way: one line, exit status 2.
 */
export function parseArguments<Flags extends AnyFlags>(
	argv: readonly string[],
	options: {readonly help: string; readonly flags: Flags},
): Result<Flags> {
	const cli = meow(options.help, {
		importMeta: import.meta,
		argv: [...argv],
		flags: options.flags,
		allowUnknownFlags: true,
		autoHelp: true,
		autoVersion: true,
	});

	const known = new Set(['help', 'version', 'h', 'v']);
	for (const [name, flag] of Object.entries(options.flags)) {
		known.add(name);
		known.add(kebab(name));
		if (flag.shortFlag) {
			known.add(flag.shortFlag);
		}

		for (const alias of flag.aliases ?? []) {
			known.add(alias);
		}
	}

	for (const token of argv) {
		if (token === '--') {
			break;
		}

		const match = /^--?([^=]+)/.exec(token);
		if (!match || /^-\d/.test(token)) {
			continue;
		}

		const name = match[1]!.replace(/^no-/, '');
		if (!known.has(name)) {
			const accepted = Object.keys(options.flags)
				.map(flag => `--${kebab(flag)}`)
				.join(', ');
			throw new UsageError(`unknown option ${token}; accepted: ${accepted || 'none'}, --help, --version`);
		}
	}

	return cli;
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

	throw new UsageError(`bad --proto "${value}": accepted values are tcp, udp, all`);
}
