import anyTest from 'ava';
import {
	cleanUpAfter,
	makeWorkDirectory,
	tool,
	whenStarted,
} from '../helpers/real-daemons.js';
import {find, nmap, probeJson} from '../helpers/real-probe.js';
import {startDnsmasq} from '../helpers/real-services.js';

const address = '127.0.11.1';
const work = makeWorkDirectory();
const dnsmasq = await startDnsmasq({address, directory: work.directory});
cleanUpAfter(anyTest, work, dnsmasq);
const {test, title} = whenStarted(anyTest, dnsmasq);
const withNmap = whenStarted(anyTest, dnsmasq, tool('nmap'));

test(
	title(
		'dnsmasq --no-daemon answers 53/tcp and 53/udp probed in one sweep, every time',
	),
	async (t) => {
		// Identifying 53/tcp used to hold the one process for a greeting DNS never sends, and the
		// UDP probe of the same sweep went unanswered: open|filtered.
		for (let run = 0; run < 3; run++) {
			// eslint-disable-next-line no-await-in-loop -- one sweep after another, like a watch
			const probe = await probeJson(address, '53/tcp,53/udp');
			t.is(probe.exitCode, 0, probe.stderr);
			t.like(find(probe, 53, 'udp'), {state: 'open'});
			t.regex(find(probe, 53, 'udp')?.answered ?? '', /^DNS dnsmasq-2\.\d+/v);
			t.like(find(probe, 53, 'tcp'), {state: 'open', mismatch: null});
			t.regex(find(probe, 53, 'tcp')?.answered ?? '', /^DNS dnsmasq-2\.\d+/v);
			// The answer closes the connection: far inside the 1 s identification budget.
			t.true(probe.sweepMs < 1000, `sweep took ${probe.sweepMs} ms`);
		}
	},
);

withNmap.test(
	withNmap.title('nmap -sV names dnsmasq on 53/tcp as portui does'),
	async (t) => {
		const [ports, probe] = [
			await nmap(['-sV', '-Pn', '-n', '-p', '53', address]),
			await probeJson(address, '53/tcp'),
		];
		t.like(ports.get('53/tcp'), {state: 'open'});
		t.regex(ports.get('53/tcp')?.version ?? '', /dnsmasq/iv);
		t.regex(find(probe, 53)?.answered ?? '', /dnsmasq/v);
	},
);
