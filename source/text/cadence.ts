/** A measured cadence as the header shows it, rounded so that jitter does not redraw it: `2s`, `24s`, `250ms`. */
export function formatCadence(ms: number): string {
	if (ms < 1000) {
		return `${Math.round(ms / 50) * 50}ms`;
	}

	return ms < 60_000
		? `${Math.round(ms / 1000)}s`
		: `${Math.round(ms / 60_000)}m`;
}
