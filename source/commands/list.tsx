import process from 'node:process';
import {parseArguments, parseProtocolFilter} from '../args.js';
import {loadCatalogue} from '../catalogue/load.js';
import {searchCatalogue, suggestNames} from '../catalogue/search.js';
import {entryToJson, portLabel, verdictColor} from '../catalogue/format.js';
import type {CatalogueEntry} from '../catalogue/types.js';
import type {ColumnSpec} from '../text/fit.js';
import {quote} from '../text/quote.js';
import {printTable} from './print-table.js';

const help = `
	Usage
	  $ portui list [QUERY] [--proto tcp|udp] [--all-sources] [--json]

	Searches the catalogue of well-known ports. QUERY matches a port (also inside ranges:
	6005 finds x11; digits find the ports they begin, 400 finds 40022, after the exact port),
	22/tcp, service names and aliases, daemons and words of the remarks. When nothing matches,
	the nearest names are suggested.
	Without --all-sources only the curated entries are searched; when none of them match,
	IANA's registry and /etc/services are searched instead.

	Options
	  --proto          tcp, udp or all (default all)
	  --all-sources    also IANA's registry and /etc/services
	  --json           a JSON array of entries (stable field names, see README)
	  --catalogue      a user catalogue file (default $XDG_CONFIG_HOME/portui/catalogue.json)

	Exit status: 0 entries found, 1 nothing matched, 2 bad input.

	Examples
	  $ portui list ssh
	  $ portui list 6005
	  $ portui list --proto udp
	  $ portui list nfs --json
`;

type Column =
	'port' | 'protocol' | 'service' | 'verdict' | 'daemons' | 'remark';

const columns: ReadonlyArray<ColumnSpec<Column>> = [
	{key: 'port', title: 'PORT', minWidth: 4, align: 'right'},
	{key: 'protocol', title: 'PROTO', minWidth: 3},
	{key: 'service', title: 'SERVICE', minWidth: 6, maxWidth: 16, grow: 1},
	{key: 'verdict', title: 'VERDICT', minWidth: 8},
	{key: 'daemons', title: 'DAEMONS', minWidth: 8, maxWidth: 30, grow: 2},
	{key: 'remark', title: 'REMARK', minWidth: 10, grow: 4},
];

const toRow = (entry: CatalogueEntry): Record<Column, string> => ({
	port: portLabel(entry),
	protocol: entry.protocol,
	service: entry.service,
	verdict: entry.verdict ?? '-',
	daemons: entry.daemons.join(', ') || '-',
	remark: entry.remark ?? entry.longName,
});

export async function list(argv: readonly string[]): Promise<number> {
	const cli = parseArguments(argv, {
		help,
		flags: {
			proto: {type: 'string'},
			allSources: {type: 'boolean', default: false},
			json: {type: 'boolean', default: false},
			catalogue: {type: 'string'},
		},
	});
	const protocol = parseProtocolFilter(cli.flags.proto);
	const query = cli.input.join(' ');
	const isAll = cli.flags.allSources;
	// The curated entries alone load in a fraction of the time; the registry only when needed.
	const curated = await loadCatalogue({
		userFile: cli.flags.catalogue,
		...(isAll ? {} : {registry: false, systemServices: false}),
	});
	let entries = searchCatalogue(curated.entries, {
		query,
		protocol,
		scope: isAll ? 'all' : 'curated',
	});
	if (entries.length === 0 && query && !isAll) {
		const catalogue = await loadCatalogue({userFile: cli.flags.catalogue});
		entries = searchCatalogue(catalogue.entries, {
			query,
			protocol,
			scope: 'all',
		});
	}

	if (cli.flags.json) {
		process.stdout.write(
			JSON.stringify(
				entries.map((entry) => entryToJson(entry)),
				undefined,
				'\t',
			) + '\n',
		);
	} else if (entries.length === 0) {
		const names = suggestNames(curated.entries, query);
		process.stderr.write(
			`portui: nothing in the catalogue matches ${quote(query)}${names.length > 0 ? `; did you mean ${names.join(', ')}?` : ''}\n`,
		);
	} else {
		await printTable({
			columns,
			rows: entries.map((entry) => toRow(entry)),
			colorOf: (key, value) =>
				key === 'verdict' ? verdictColor(value) : undefined,
		});
	}

	return entries.length > 0 ? 0 : 1;
}
