/** Bad input from the person or script running portui: printed as one line, exit status 2. */
export class UsageError extends Error {
	override name = 'UsageError';
}
