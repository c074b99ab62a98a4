import type {CatalogueEntry} from './types.js';

export const portLabel = (entry: Pick<CatalogueEntry, 'port' | 'endPort'>) =>
	entry.port === entry.endPort
		? String(entry.port)
		: `${entry.port}-${entry.endPort}`;

/**
 * The stable JSON shape of an entry (`portui list --json`): every field always present, `null`
 * where the catalogue has nothing, so scripts need no existence checks.
 */
export function entryToJson(entry: CatalogueEntry) {
	return {
		id: entry.id,
		port: entry.port,
		endPort: entry.endPort,
		protocol: entry.protocol,
		service: entry.service,
		longName: entry.longName,
		aliases: entry.aliases,
		daemons: entry.daemons,
		launch: entry.launch,
		verdict: entry.verdict ?? null,
		remark: entry.remark ?? null,
		pageClaim: entry.pageClaim ?? null,
		source: entry.source,
		privileged: entry.isPrivileged,
		tls: entry.isTls,
	};
}

/** Terminal colour of a verdict: green is safe to expose, red is not. */
export const verdictColor = (verdict: string): string | undefined =>
	({secure: 'green', caution: 'yellow', insecure: 'red', obsolete: 'magenta'})[
		verdict
	];
