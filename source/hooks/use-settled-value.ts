import {useEffect, useState} from 'react';

/**
 * `value` once it has stopped changing for `delayMs`; the first value at once. Scrolling with a
 * key held changes the ports in view many times a second: the watch restarts once it settles.
 */
export function useSettledValue<T>(value: T, delayMs: number): T {
	const [settled, setSettled] = useState(value);

	useEffect(() => {
		if (Object.is(value, settled)) {
			return;
		}

		const timer = setTimeout(() => {
			setSettled(value);
		}, delayMs);
		return () => {
			clearTimeout(timer);
		};
	}, [value, settled, delayMs]);

	return settled;
}
