import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

/** A self-signed P-256 certificate for localhost, valid a day, written as key.pem and cert.pem in `directory`; false where openssl failed. */
export function writeCertificate(directory: string): boolean {
	const made = spawnSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'ec',
			'-pkeyopt',
			'ec_paramgen_curve:prime256v1',
			'-nodes',
			'-keyout',
			path.join(directory, 'key.pem'),
			'-out',
			path.join(directory, 'cert.pem'),
			'-days',
			'1',
			'-subj',
			'/CN=localhost',
		],
		{stdio: 'ignore'},
	);
	return made.status === 0;
}

/** A throwaway self-signed certificate in memory (its files removed); undefined where openssl is missing. */
export function selfSignedPem(): {key: string; cert: string} | undefined {
	const directory = mkdtempSync(path.join(tmpdir(), 'portui-tls-'));
	try {
		return writeCertificate(directory)
			? {
					key: readFileSync(path.join(directory, 'key.pem'), 'utf8'),
					cert: readFileSync(path.join(directory, 'cert.pem'), 'utf8'),
				}
			: undefined;
	} finally {
		rmSync(directory, {recursive: true, force: true});
	}
}
