import {readFile} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import test from 'ava';
import {loadCatalogue} from '../source/catalogue/load.js';
import type {CatalogueEntry, Protocol} from '../source/catalogue/types.js';

// The page is third-party text, so it is read where the project keeps it rather than copied into the repository.
const seedPage =
	process.env.PORTUI_SEED_PAGE ??
	path.join(
		fileURLToPath(new URL('..', import.meta.url)),
		'..',
		'shared',
		'seed',
		'000_c2dec4bd64b0bb3d.txt',
	);

/**
 * What each table row of the page names, as the page spells it. The page lost its cell
 * boundaries ("kerberoskrshdhigh security..."), so names cannot be split out mechanically;
 * instead every string here is checked to occur in its row, and the rows are checked to be
 * exactly the rows the page has. `(x)ntpd` means both ntpd and xntpd.
 */
const pageRows: Record<
	string,
	{readonly name: string; readonly daemons: readonly string[]}
> = {
	'20/tcp and 21/tcp': {
		name: 'ftp',
		daemons: ['in.ftpd', 'wu.ftpd', 'proftpd'],
	},
	'22/tcp': {name: 'ssh', daemons: ['sshd']},
	'23/tcp': {name: 'telnet', daemons: ['in.telnetd']},
	'25/tcp': {name: 'smtp', daemons: ['sendmail', 'postfix', 'qmail']},
	'53/udp and 53/tcp': {name: 'DNS', daemons: ['bind']},
	'80/tcp': {name: 'http', daemons: ['httpd', 'apache']},
	'88/tcp': {name: 'kerberos', daemons: ['krshd']},
	'110/tcp': {name: 'pop3', daemons: ['popper']},
	'111/udp': {
		name: '(sun)rpc',
		daemons: ['rpc.statd', 'rpc.rusersd', 'rpc.walld'],
	},
	'119/tcp': {name: 'nntp', daemons: ['leafnode']},
	'123/udp': {name: 'ntp', daemons: ['(x)ntpd']},
	'137/udp': {name: 'netbios-ns', daemons: ['nmbd']},
	'139/tcp': {name: 'netbios-ssn', daemons: ['smbd']},
	'143/tcp': {name: 'imap2', daemons: ['imapd']},
	'161/tcp': {name: 'snmp', daemons: ['snmpd']},
	'194/tcp': {name: 'irc', daemons: ['ircd']},
	'220/tcp': {name: 'imap3', daemons: ['imapd']},
	'389/tcp': {name: 'ldap', daemons: ['ldapd']},
	'389/udp': {name: 'ldap', daemons: ['slapd']},
	'443/tcp': {name: 'https', daemons: ['httpd', 'apache']},
	'514/udp': {name: 'system log listener', daemons: ['syslogd']},
	'515/tcp': {name: 'print spooler', daemons: ['lpd']},
	'554/tcp': {name: 'rtsp', daemons: ['rsvpd']},
	'631/tcp': {name: 'ipp', daemons: ['cupsd']},
	'744/udp': {name: 'flexlm', daemons: ['lmgrd']},
	'901/tcp': {name: 'swat', daemons: ['swat']},
	'993/tcp': {name: 'imaps', daemons: ['imapd']},
	'994/tcp': {name: 'ircs', daemons: ['ircd']},
	'995/tcp': {name: 'pop3s', daemons: ['popper']},
	'2049/tcp': {name: 'NFS', daemons: ['nfsd', 'rpc.nfsd']},
	'2049/udp': {name: 'NFS', daemons: ['rpc.mountd']},
	'2401/tcp': {name: 'cvspserver', daemons: ['cvs']},
	'6000/tcp (--6063/tcp)': {name: 'x11', daemons: ['X']},
	'8080/tcp': {name: 'http-alt', daemons: ['httpd', 'apache']},
};

type PagePair = {
	readonly port: number;
	readonly endPort: number;
	readonly protocol: Protocol;
};

type PageRow = {
	readonly lead: string;
	readonly text: string;
	readonly pairs: readonly PagePair[];
};

const leadPattern =
	/^\d+\/(?:tcp|udp)(?:\s*\(--\d+\/(?:tcp|udp)\))?(?:\s*(?:and|,)\s*\d+\/(?:tcp|udp)(?:\s*\(--\d+\/(?:tcp|udp)\))?)*/v;
const pairPattern = /(\d+)\/(tcp|udp)(?:\s*\(--(\d+)\/(tcp|udp)\))?/gv;

function parseTable(page: string): PageRow[] {
	const lines = page.split('\n').map((line) => line.trim());
	const start = lines.findIndex((line) =>
		line.startsWith('port / protocolservice name'),
	);
	const end = lines.findIndex((line) => line.startsWith('to UNIX alliance'));
	if (start === -1 || end < start) {
		throw new Error(`${seedPage}: the port table was not found`);
	}

	return lines
		.slice(start + 1, end)
		.filter((line) => line !== '')
		.map((text) => {
			const lead = leadPattern.exec(text)?.[0];
			if (!lead) {
				throw new Error(
					`a table row does not start with port/protocol: ${text.slice(0, 40)}`,
				);
			}

			const pairs = [...lead.matchAll(pairPattern)].map(
				([, port, protocol, endPort, endProtocol]) => {
					if (endProtocol && endProtocol !== protocol) {
						throw new Error(`a range mixes protocols: ${lead}`);
					}

					return {
						port: Number(port),
						endPort: Number(endPort ?? port),
						protocol: protocol as Protocol,
					};
				},
			);
			return {lead, text, pairs};
		});
}

/** `(x)ntpd` -> ntpd, xntpd; `(sun)rpc` -> rpc, sunrpc; anything else stays as it is. */
const spellings = (name: string) => {
	const optional = /^\((\w+)\)(.+)$/v.exec(name);
	return optional ? [optional[2]!, `${optional[1]!}${optional[2]!}`] : [name];
};

const idOf = ({port, endPort, protocol}: PagePair) =>
	port === endPort ? `${port}/${protocol}` : `${port}-${endPort}/${protocol}`;
const namesOf = (entry: CatalogueEntry) =>
	[entry.service, ...entry.aliases].map((name) => name.toLowerCase());
const words = (text: string) =>
	text
		.toLowerCase()
		.split(/[^a-z\d]+/v)
		.filter(Boolean);

// The page sits beside the repository in the project's workspace and in CI. A clone elsewhere
// has no page: then the rows come from the list above, and the checks that need the page's
// own text are skipped, saying why.
let page: string | undefined;
try {
	page = await readFile(seedPage, 'utf8');
} catch (error) {
	if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
		throw error;
	}
}

const rows: PageRow[] = page
	? parseTable(page)
	: Object.keys(pageRows).map((lead) => ({
			lead,
			text: lead,
			pairs: parseTable(
				`port / protocolservice name\n${lead}\nto UNIX alliance`,
			)[0]!.pairs,
		}));
const pageTest = page ? test : test.skip;
if (!page) {
	console.warn(
		`${seedPage} is absent (set PORTUI_SEED_PAGE): checks against the page's text are skipped`,
	);
}

const catalogue = await loadCatalogue({userFile: false, systemServices: false});
const curated = new Map(catalogue.curated.map((entry) => [entry.id, entry]));
const entry = (id: string) => {
	const found = curated.get(id);
	if (!found) {
		throw new Error(`${id} is missing from catalogue/curated.json`);
	}

	return found;
};

pageTest(
	'the row list above is exactly the rows of the page, and names only what each row says',
	(t) => {
		t.deepEqual(
			rows.map((row) => row.lead),
			Object.keys(pageRows),
		);
		for (const row of rows) {
			const {name, daemons} = pageRows[row.lead] ?? {name: '', daemons: []};
			const rest = row.text.slice(row.lead.length);
			for (const text of [name, ...daemons]) {
				t.true(
					rest.includes(text),
					`${row.lead}: the page does not say "${text}"`,
				);
			}

			// Program names written with a dot (in.ftpd, rpc.statd) are easy to miss by eye.
			for (const [dotted] of rest.matchAll(/(?:in|rpc|wu)\.[a-z]+d\b/gv)) {
				t.true(
					daemons.includes(dotted),
					`${row.lead}: the page lists ${dotted} but the row list does not`,
				);
			}
		}
	},
);

test('every port/protocol pair and range of the page is a curated entry with its name and daemons', (t) => {
	const pairs = rows.flatMap((row) =>
		row.pairs.map((pair) => ({
			...pair,
			id: idOf(pair),
			row: pageRows[row.lead] ?? {name: '', daemons: []},
		})),
	);
	t.is(pairs.length, 36);
	t.deepEqual(
		pairs.filter((pair) => !curated.has(pair.id)).map((pair) => pair.id),
		[],
		'page pairs missing from catalogue/curated.json',
	);
	for (const {id, row} of pairs.filter((pair) => curated.has(pair.id))) {
		const found = entry(id);
		// The page gives a description rather than a name for syslog and lpd; the long name carries it.
		const hasName = row.name.includes(' ')
			? found.longName.toLowerCase().includes(row.name.toLowerCase())
			: spellings(row.name).every((spelling) =>
					namesOf(found).includes(spelling.toLowerCase()),
				);
		t.true(
			hasName,
			`${id}: the page's name "${row.name}" is neither the service, an alias nor in the long name`,
		);
		for (const daemon of row.daemons.flatMap((daemon) => spellings(daemon))) {
			// A daemon the page got wrong is not listed as one; the entry's pageClaim records it instead.
			t.true(
				found.daemons.includes(daemon) ||
					(found.pageClaim?.includes(daemon) ?? false),
				`${id}: the page's daemon ${daemon} is neither in daemons nor named in pageClaim`,
			);
		}
	}
});

test('the corrections named in the issue are recorded', (t) => {
	t.deepEqual(entry('88/tcp').daemons.slice(0, 2), ['krb5kdc', 'kdc']);
	t.false(entry('88/tcp').daemons.includes('krshd'));
	t.deepEqual(entry('88/udp').daemons, entry('88/tcp').daemons);
	t.true(entry('111/udp').daemons.includes('rpcbind'));
	t.false(entry('111/udp').daemons.includes('rpc.statd'));
	t.is(entry('111/tcp').service, 'sunrpc');
	t.is(entry('161/udp').service, 'snmp');
	t.false(entry('389/udp').daemons.includes('slapd'));
	t.true(entry('389/udp').aliases.includes('cldap'));
	t.true(entry('389/tcp').daemons.includes('slapd'));
	t.false(entry('554/tcp').daemons.includes('rsvpd'));
	t.false(entry('2049/udp').daemons.includes('rpc.mountd'));
	t.true(entry('2049/tcp').launch.includes('kernel'));
	t.true(entry('744/udp').pageClaim?.includes('27000'));
	t.is(entry('27000-27009/tcp').service, 'flex-lm');
	for (const id of [
		'79/tcp',
		'194/tcp',
		'220/tcp',
		'512/tcp',
		'513/tcp',
		'514/tcp',
		'901/tcp',
		'994/tcp',
		'2049/udp',
		'2401/tcp',
	]) {
		t.is(entry(id).verdict, 'obsolete', `${id} is obsolete`);
	}

	const services = {
		'53/udp': 'domain',
		'80/tcp': 'http',
		'111/udp': 'sunrpc',
		'143/tcp': 'imap',
		'445/tcp': 'microsoft-ds',
		'6000-6063/tcp': 'x11',
		'6697/tcp': 'ircs-u',
		'8080/tcp': 'http-alt',
	};
	for (const [id, service] of Object.entries(services)) {
		t.is(entry(id).service, service, `${id} is named as IANA names it`);
	}

	for (const id of [
		'443/tcp',
		'465/tcp',
		'563/tcp',
		'636/tcp',
		'853/tcp',
		'993/tcp',
		'994/tcp',
		'995/tcp',
		'2376/tcp',
		'6697/tcp',
		'8443/tcp',
	]) {
		t.true(entry(id).isTls, `${id} speaks TLS from the first byte`);
	}

	t.false(entry('443/udp').isTls, 'QUIC is not a TLS handshake on a stream');
	for (const id of [
		'25/tcp',
		'53/tcp',
		'80/tcp',
		'143/tcp',
		'161/tcp',
		'514/udp',
		'631/tcp',
		'6000-6063/tcp',
	]) {
		t.truthy(entry(id).pageClaim, `${id} keeps what the page claimed`);
	}
});

test('every curated entry has a verdict, a launch mode and a remark', (t) => {
	t.true(
		curated.size >= 60 && curated.size <= 90,
		`${curated.size} curated entries`,
	);
	for (const found of curated.values()) {
		t.truthy(found.verdict, `${found.id}: no verdict`);
		t.true(found.launch.length > 0, `${found.id}: no launch mode`);
		t.true((found.remark ?? '').length >= 60, `${found.id}: no useful remark`);
	}
});

pageTest(
	'no remark or page claim repeats eight consecutive words of the page',
	(t) => {
		const runsOf = (text: string) => {
			const all = words(text);
			return all
				.slice(0, Math.max(0, all.length - 7))
				.map((_, index) => all.slice(index, index + 8).join(' '));
		};

		const pageRuns = new Set(runsOf(page ?? ''));
		for (const found of curated.values()) {
			for (const text of [found.remark ?? '', found.pageClaim ?? '']) {
				t.deepEqual(
					runsOf(text).filter((run) => pageRuns.has(run)),
					[],
					`${found.id} copies the page`,
				);
			}
		}
	},
);

test('an entry for a page service on a port or protocol the page did not give says what the page claimed', (t) => {
	const pageIds = new Set(
		rows.flatMap((row) => row.pairs.map((pair) => idOf(pair))),
	);
	const pageNames = new Set(
		[...curated.values()]
			.filter((found) => pageIds.has(found.id))
			.flatMap((found) => namesOf(found)),
	);
	const moved = [...curated.values()].filter(
		(found) =>
			!pageIds.has(found.id) &&
			namesOf(found).some((name) => pageNames.has(name)),
	);
	// Kerberos, rpcbind, SNMP, HTTP/3, RTSP and CUPS on the other protocol; IRC and FlexNet on their real ports.
	t.deepEqual(
		moved.map((found) => found.id),
		[
			'88/udp',
			'111/tcp',
			'161/udp',
			'443/udp',
			'554/udp',
			'631/udp',
			'6667/tcp',
			'6697/tcp',
			'27000-27009/tcp',
		],
	);
	for (const found of moved) {
		t.truthy(
			found.pageClaim,
			`${found.id} (${found.service}) differs from the page but has no pageClaim`,
		);
	}
});
