import {spawnSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import anyTest from 'ava';
import {
	cleanUpAfter,
	findCommand,
	makeWorkDirectory,
	notInstalled,
	startDaemon,
	tool,
	type Started,
	whenStarted,
} from '../helpers/real-daemons.js';
import {find, nmap, probeJson} from '../helpers/real-probe.js';

const address = '127.0.11.2';
const work = makeWorkDirectory();
const file = (name: string) => path.join(work.directory, name);

/** A self-signed certificate made for this run, or why there is none. */
function makeCertificate(): Started | undefined {
	const made = spawnSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'ec',
			'-pkeyopt',
			'ec_paramgen_curve:prime256v1',
			'-nodes',
			'-keyout',
			file('key.pem'),
			'-out',
			file('cert.pem'),
			'-days',
			'1',
			'-subj',
			'/CN=localhost',
		],
		{stdio: 'ignore'},
	);
	return made.status === 0
		? undefined
		: {isStarted: false, reason: 'openssl could not make a certificate'};
}

async function startNginx(): Promise<Started> {
	const command = findCommand('nginx');
	if (!command) {
		return notInstalled('nginx', 'nginx-light');
	}

	const noCertificate = makeCertificate();
	if (noCertificate) {
		return noCertificate;
	}

	// Plain HTTP on 80 and on 8443 (a TLS port), TLS on 443 and on 8080 (an HTTP port).
	writeFileSync(
		file('nginx.conf'),
		String.raw`user root;
worker_processes 1;
pid ${file('nginx.pid')};
error_log ${file('error.log')};
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path ${file('body')};
	proxy_temp_path ${file('proxy')};
	fastcgi_temp_path ${file('fastcgi')};
	uwsgi_temp_path ${file('uwsgi')};
	scgi_temp_path ${file('scgi')};
	ssl_certificate ${file('cert.pem')};
	ssl_certificate_key ${file('key.pem')};
	server {
		listen ${address}:80;
		listen ${address}:8443;
		listen ${address}:8080 ssl;
		listen ${address}:443 ssl;
		return 200 "portui test\n";
	}
}
`,
	);
	return startDaemon({
		name: 'nginx',
		command,
		args: ['-p', work.directory, '-c', file('nginx.conf'), '-g', 'daemon off;'],
		listens: [80, 443, 8080, 8443].map((port) => ({
			protocol: 'tcp' as const,
			address,
			port,
		})),
	});
}

const nginx = await startNginx();
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
		t.regex(find(probe, 8080)?.answered ?? '', /^TLS 1\.[23] \(HTTPS\)$/v);
		t.like(find(probe, 443), {state: 'open', mismatch: null});
		t.regex(find(probe, 443)?.answered ?? '', /^TLS 1\.[23]$/v);
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
