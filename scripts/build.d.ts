/** Bundles `entryPoint` into `outfile` the way portui ships, with each part it imports (build.js). */
export function bundle(options?: {
	readonly entryPoint?: string;
	readonly outfile?: string;
	readonly isMinified?: boolean;
	/** What esbuild prints: 'warning' by default. */
	readonly logLevel?: 'silent' | 'error' | 'warning' | 'info';
}): Promise<void>;
