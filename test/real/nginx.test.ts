import path from 'node:path';
import anyTest from 'ava';
import {
	cleanUpAfter,
	makeWorkDirectory,
	tool,
	whenStarted,
} from '../helpers/real-daemons.js';
import {find, nmap, probeJson} from '../helpers/real-probe.js';
import {startNginx} from '../helpers/real-services.js';

const address = '127.0.11.2';
const work = makeWorkDirectory();
// Plain HTTP on 80 and on 8443 (a TLS port), TLS on 443 and on 8080 (an HTTP port).
const nginx = await startNginx({
	address,
	directory: path.join(work.directory, 'nginx'),
	plain: [80, 8443],
	tls: [443, 8080],
});
cleanUpAfter(anyTest, work, nginx);
const {test, title} = whenStarted(anyTest, nginx);
const withNmap = whenStarted(anyTest, nginx, tool('nmap'));

test(
	title(
		'nginx: TLS on an HTTP port and plain HTTP on a TLS port are named, with the mismatch',
	),
	async (t) => {
		const probe = await probeJson(address, '80,8080,443,8443');
		t.is(probe.exitCode, 0, probe.stderr);
		t.like(find(probe, 80), {state: 'open', mismatch: null});
		t.regex(find(probe, 80)?.answered ?? '', /^HTTP nginx\/1\.\d+/v);
		// `listen 8080 ssl`: nginx answers HEAD with 400 (its "plain HTTP request was sent to HTTPS
		// port" page, which a HEAD does not get); a ClientHello then finds TLS.
		t.like(find(probe, 8080), {
			state: 'open',
			mismatch: 'expected HTTP, answered TLS',
		});
		t.regex(
			find(probe, 8080)?.answered ?? '',
			/^TLS 1\.[23] \(HTTPS\); HTTP nginx\/1\.\d+/v,
		);
		t.like(find(probe, 443), {state: 'open', mismatch: null});
		// Inside the TLS, the web server, as nmap -sV names it.
		t.regex(
			find(probe, 443)?.answered ?? '',
			/^TLS 1\.[23]; HTTP nginx\/1\.\d+/v,
		);
		t.like(find(probe, 8443), {
			state: 'open',
			mismatch: 'expected TLS, answered HTTP',
		});
		t.true(probe.sweepMs < 1000, `sweep took ${probe.sweepMs} ms`);
	},
);

withNmap.test(
	withNmap.title(
		'nmap -sV agrees: ssl/http on 8080 and 443, http on 80 and 8443',
	),
	async (t) => {
		const ports = await nmap([
			'-sV',
			'-Pn',
			'-n',
			'-p',
			'80,443,8080,8443',
			address,
		]);
		const probe = await probeJson(address, '80,8080,443,8443');
		for (const port of [80, 443, 8080, 8443]) {
			const seen = ports.get(`${port}/tcp`);
			const isTls = seen?.service.startsWith('ssl/') ?? false;
			t.is(
				find(probe, port)?.answered?.startsWith('TLS') ?? false,
				isTls,
				`${port}: nmap ${seen?.service}, portui ${find(probe, port)?.answered}`,
			);
		}
	},
);
