import {readFileSync} from 'node:fs';

/**
 * User names by uid from a passwd file's text (`name:x:uid:...`): the first name of each uid,
 * as getpwuid(3) gives it. Malformed lines are skipped.
 */
export function parsePasswd(text: string): ReadonlyMap<number, string> {
	const names = new Map<number, string>();
	for (const line of text.split('\n')) {
		const [name, , uid] = line.split(':');
		if (name && uid && /^\d+$/v.test(uid) && !names.has(Number(uid))) {
			names.set(Number(uid), name);
		}
	}

	return names;
}

let cached: ReadonlyMap<number, string> | undefined;

/**
 * This machine's user names from /etc/passwd, read once: the describe view names a socket's
 * owner. Users only a directory service knows (LDAP, sssd) are left as their uid. Empty when the
 * file cannot be read.
 */
export function localUserNames(): ReadonlyMap<number, string> {
	if (cached) {
		return cached;
	}

	try {
		cached = parsePasswd(readFileSync('/etc/passwd', 'utf8'));
	} catch {
		cached = new Map();
	}

	return cached;
}
