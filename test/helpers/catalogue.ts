import {mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {loadCatalogue, type LoadOptions} from '../../source/catalogue/load.js';

export const fixture = (name: string) =>
	fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** Writes `content` (JSON-encoded unless a string) to a new temporary file and returns its path. */
export async function temporaryFile(content: unknown, name = 'catalogue.json') {
	const directory = await mkdtemp(path.join(tmpdir(), 'portui-test-'));
	const file = path.join(directory, name);
	await writeFile(
		file,
		typeof content === 'string' ? content : JSON.stringify(content),
	);
	return file;
}

/** The small fixture catalogue with a tiny registry: fast and independent of the curated data. */
export async function smallCatalogue(options: LoadOptions = {}) {
	const registry = await temporaryFile({
		'22/tcp': ['ssh', 'The Secure Shell (SSH) Protocol'],
		'220/tcp': ['imap3', 'Interactive Mail Access Protocol v3'],
		'6005/tcp': ['x11', 'X Window System'],
		'6379/tcp': ['redis', 'An advanced key-value cache and store'],
		'7/udp': ['echo', 'Echo'],
		'4/tcp': ['', 'Unassigned'],
	});
	return loadCatalogue({
		curatedFile: fixture('curated-small.json'),
		registry,
		systemServices: false,
		userFile: false,
		...options,
	});
}
