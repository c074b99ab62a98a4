import {useEffect, useRef, useState} from 'react';
import type {SweepClock} from '../state/sweep-clock.js';

export type UseSweepAgeOptions = {
	readonly clock: SweepClock;
	readonly host: string;
	readonly intervalMs: number;
	/** Nothing is watched (no match, the socket list): no sweep is due, so none is late. */
	readonly isIdle?: boolean;
	readonly isActive?: boolean;
};

export type SweepAge = {readonly label: string; readonly isStale: boolean};

/** Sweeps are on time while the last one is younger than this: two intervals and the time a slow sweep takes. */
export const staleAfterMs = (intervalMs: number) => intervalMs * 2 + 3000;

const units = [
	{ms: 3_600_000, suffix: 'h'},
	{ms: 60_000, suffix: 'm'},
	{ms: 1000, suffix: 's'},
] as const;

/**
 * What the header says about the last sweep, and in how many ms that text changes. While sweeps
 * arrive on time it says `live` and does not tick (nothing is written to an idle terminal); a late
 * sweep shows its age in whole seconds, then minutes, then hours.
 */
export function describeSweepAge(
	last: {readonly host: string; readonly at: number} | undefined,
	{
		host,
		intervalMs,
		now,
		isIdle = false,
	}: {
		readonly host: string;
		readonly intervalMs: number;
		readonly now: number;
		readonly isIdle?: boolean;
	},
): SweepAge & {readonly nextChangeInMs?: number} {
	if (isIdle) {
		return {label: 'nothing to probe', isStale: false};
	}

	if (last?.host !== host) {
		return {label: 'probing', isStale: false};
	}

	const age = Math.max(0, now - last.at);
	const staleAfter = staleAfterMs(intervalMs);
	if (age < staleAfter) {
		return {label: 'live', isStale: false, nextChangeInMs: staleAfter - age};
	}

	const unit = units.find((unit) => age >= unit.ms) ?? units[2];
	const count = Math.floor(age / unit.ms);
	return {
		label: `last sweep ${count}${unit.suffix} ago`,
		isStale: true,
		nextChangeInMs: (count + 1) * unit.ms - age,
	};
}

/** The age of the last sweep as the header shows it; re-renders only when that text changes. */
export function useSweepAge({
	clock,
	host,
	intervalMs,
	isIdle = false,
	isActive = true,
}: UseSweepAgeOptions): SweepAge {
	const [age, setAge] = useState<SweepAge>(() =>
		describeSweepAge(clock.get(host), {
			host,
			intervalMs,
			now: Date.now(),
			isIdle,
		}),
	);
	// Compared before setting: an equal state set from outside React still costs a render.
	const shown = useRef(age.label);

	useEffect(() => {
		if (!isActive) {
			return;
		}

		let timer: ReturnType<typeof setTimeout> | undefined;
		const update = () => {
			clearTimeout(timer);
			const {label, isStale, nextChangeInMs} = describeSweepAge(
				clock.get(host),
				{
					host,
					intervalMs,
					now: Date.now(),
					isIdle,
				},
			);
			if (label !== shown.current) {
				shown.current = label;
				setAge({label, isStale});
			}

			if (nextChangeInMs !== undefined) {
				timer = setTimeout(update, nextChangeInMs);
			}
		};

		update();
		const unsubscribe = clock.subscribe(update);
		return () => {
			unsubscribe();
			clearTimeout(timer);
		};
	}, [clock, host, intervalMs, isIdle, isActive]);

	return age;
}
