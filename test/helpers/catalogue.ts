import {rmSync} from 'node:fs';
import {mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {loadCatalogue, type LoadOptions} from '../../source/catalogue/load.js';

export const fixture = (name: string) =>
	fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

const directories = new Set<string>();
let isCleanupRegistered = false;

/**
 * A new directory in the system's temporary directory, removed when the test process ends
 * (ava runs each test file in a process of its own), whichever test made it.
 */
export async function temporaryDirectory(): Promise<string> {
	if (!isCleanupRegistered) {
		isCleanupRegistered = true;
		process.once('exit', () => {
			for (const directory of directories) {
				rmSync(directory, {recursive: true, force: true});
			}
		});
	}

	const directory = await mkdtemp(path.join(tmpdir(), 'portui-test-'));
	directories.add(directory);
	return directory;
}

/** Writes `content` (JSON-encoded unless a string) to a new temporary file and returns its path. */
export async function temporaryFile(content: unknown, name = 'catalogue.json') {
	const directory = await temporaryDirectory();
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
