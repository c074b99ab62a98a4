const usageErrorMark = Symbol.for('portui.usage-error');

/** Bad input from the person or script running portui: printed as one line, exit status 2. */
export class UsageError extends Error {
	/**
	 * The dashboard, the exporter and the terminal table are scripts of their own in the build
	 * (scripts/build.js), each with its own copy of this class: `instanceof` asks for the mark,
	 * which every copy sets, so cli.tsx knows a UsageError thrown by any of them. A subclass
	 * (CatalogueError) is asked the usual way.
	 */
	static override [Symbol.hasInstance](value: unknown): boolean {
		return this === UsageError
			? typeof value === 'object' && value !== null && usageErrorMark in value
			: Function.prototype[Symbol.hasInstance].call(this, value);
	}

	override name = 'UsageError';

	get [usageErrorMark](): true {
		return true;
	}
}
