import {isIP} from 'node:net';
import {domainToASCII} from 'node:url';
import {hasUnsafeCharacter} from '../text/quote.js';

/**
 * What URL parsing gives a meaning of its own: domainToASCII keeps only what precedes
 * `/ ? # \` (`127.1/8` became 127.0.0.1), decodes `%`, and `@` `:` `[` `]` belong to other
 * parts of a URL. None of them is in a host name; neither is space.
 */
const urlSyntax = /[\/?#\\%@:\[\]\s]/v;

/**
 * Why `name` cannot be a host name, or undefined when it can: RFC 1123 labels, IDNs through
 * punycode, and dotted digits only when they form an IPv4 address (`999.1.1.1` is refused, not
 * guessed). The rule of both the argument parser and the probe service, checked before any
 * lookup; IP literals are the caller's to accept first.
 */
export function invalidHostName(name: string): string | undefined {
	if (hasUnsafeCharacter(name) || urlSyntax.test(name)) {
		return name.includes(':') || name.startsWith('[')
			? 'not a valid IPv6 address'
			: 'not a valid host name';
	}

	// Digits and dots only, yet not an IPv4 address (`999.1.1.1`, `10.1`): refuse rather than let the resolver guess.
	if (/^[\d.]+$/v.test(name)) {
		return 'not a valid IPv4 address';
	}

	const ascii = domainToASCII(name);
	// URL parsing reads `0x7f.1` and `0177.1` as IPv4 numbers: an address only in dotted decimal.
	if (isIP(ascii) !== 0) {
		return 'not a valid IPv4 address';
	}

	if (ascii === '' || ascii.length > 253) {
		return 'not a valid host name';
	}

	const labels = ascii.replace(/\.$/v, '').split('.');
	const isValid = labels.every((label) =>
		/^\w(?:[\w\-]{0,61}\w)?$/iv.test(label),
	);
	return isValid ? undefined : 'not a valid host name';
}
