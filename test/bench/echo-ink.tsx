/* @jsxRuntime automatic */
// The prompt-latency benchmark's anchor: the least an Ink app can do to echo a typed key (one
// useInput, one state update a key), on a line that reads like portui's search prompt.
import {render, Text, useApp, useInput} from 'ink';
import {useState} from 'react';

function Echo() {
	const [text, setText] = useState('');
	const {exit} = useApp();
	useInput((input, key) => {
		if (key.ctrl && input === 'c') {
			exit();
			return;
		}

		// Enter starts a new line; the `/` that opens it, as in portui, is not part of the text.
		setText((previous) =>
			key.return
				? ''
				: previous === '' && input === '/'
					? ''
					: previous + input,
		);
	});
	return <Text>{`/ ${text}`}</Text>;
}

render(<Echo />, {exitOnCtrlC: false});
