type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Whether to draw in colour. FORCE_COLOR wins with chalk's meaning (`0` or `false` off, anything
 * else on, even into a pipe); then NO_COLOR when it is set and not empty (no-color.org); then a
 * dumb terminal or a stream that is not a terminal means no colour. Chalk itself ignores NO_COLOR,
 * so the dashboard passes this on and only uses bold and inverse when it is false.
 */
export function detectColor(
	env: Environment,
	stream: {readonly isTTY?: boolean},
): boolean {
	const force = env['FORCE_COLOR'];
	if (force !== undefined) {
		return force !== '0' && force !== 'false';
	}

	if (env['NO_COLOR']) {
		return false;
	}

	return env['TERM'] !== 'dumb' && stream.isTTY === true;
}

/**
 * Whether box-drawing characters will show. The locale decides how the terminal decodes bytes;
 * POSIX takes the first set of LC_ALL, LC_CTYPE, LANG, and with none of them the C locale, which
 * is not UTF-8 (a cron job, a bare container, an ssh session that forwards no locale).
 */
export function isUtf8Locale(env: Environment): boolean {
	// An empty variable counts as unset, as in setlocale(3).
	const locale =
		[env['LC_ALL'], env['LC_CTYPE'], env['LANG']].find(Boolean) ?? '';
	return /utf-?8/iv.test(locale);
}
