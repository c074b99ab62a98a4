// The start-up benchmark's anchor: the least an Ink app can do, bundled and started the way
// portui is (scripts/build.js, bin/portui.js with its code cache).
import {render, Text} from 'ink';

render(<Text>minimal ink app</Text>);
