import {useStdout} from 'ink';
import {useCallback, useEffect, useRef} from 'react';

/** A function that rings the terminal's bell while `isOn`; its identity never changes. */
export function useBell(isOn: boolean): () => void {
	const {stdout} = useStdout();
	const isOnRef = useRef(isOn);
	useEffect(() => {
		isOnRef.current = isOn;
	}, [isOn]);

	return useCallback(() => {
		// BEL moves no cursor, so it can go straight to the terminal, past Ink's frame.
		if (isOnRef.current) {
			stdout.write('\u0007');
		}
	}, [stdout]);
}
