import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'ava';
import {
	bindScopeOf,
	dualStackOf,
	exposureOf,
	interfaceOf,
} from '../source/probe/exposure.js';
import {
	ensureBuilt,
	hasNetworkNamespace,
	isolated,
	startCli,
} from './helpers/cli.js';
import {startListener} from './helpers/listening-child.js';

test.before(async () => {
	await ensureBuilt();
});

test('bind scope: loopback, all, or one address', (t) => {
	for (const address of [
		'127.0.0.1',
		'127.0.23.9',
		'::1',
		'::ffff:127.0.0.1',
	]) {
		t.is(bindScopeOf(address), 'loopback', `${address}`);
	}

	for (const address of ['0.0.0.0', '::']) {
		t.is(bindScopeOf(address), 'all', `${address}`);
	}

	for (const address of [
		'192.0.2.1',
		'fe80::1',
		'2001:db8::1',
		'::ffff:192.0.2.1',
	]) {
		t.is(bindScopeOf(address), 'specific', `${address}`);
	}
});

test('exposure: insecure or obsolete beyond loopback is the alarm; caution on all is flagged', (t) => {
	t.is(exposureOf('all', 'insecure'), 'alarm');
	t.is(exposureOf('specific', 'obsolete'), 'alarm');
	t.is(exposureOf('loopback', 'insecure'), 'loopback-only');
	t.is(exposureOf('all', 'caution'), 'flagged');
	t.is(exposureOf('specific', 'caution'), 'ok');
	t.is(exposureOf('all', 'secure'), 'ok');
	t.is(exposureOf('all', undefined), 'ok');
	t.is(exposureOf('loopback', undefined), 'loopback-only');
});

test('the interface of an address; a zone names its own; an address no interface holds, none', (t) => {
	const interfaces = {
		lo: [{address: '127.0.0.1'}],
		eth0: [{address: '192.0.2.7'}, {address: 'fe80::1'}],
	} as unknown as Parameters<typeof interfaceOf>[1];
	t.is(interfaceOf('192.0.2.7', interfaces), 'eth0');
	t.is(interfaceOf('::ffff:192.0.2.7', interfaces), 'eth0');
	t.is(interfaceOf('fe80::9%eth1', interfaces), 'eth1');
	t.is(interfaceOf('198.51.100.1', interfaces), undefined);
});

for (const protocol of ['tcp', 'udp'] as const) {
	test.serial(
		`:: over ${protocol}: dual-stack and IPv6-only told apart by the kernel`,
		async (t) => {
			const dual = await startListener(t, {protocol, host: '::'});
			const only = await startListener(t, {
				protocol,
				host: '::',
				ipv6Only: true,
			});
			const socket = (port: number) =>
				({protocol, address: '::', family: 6, port}) as const;
			t.is(
				await dualStackOf(socket(dual.port), [socket(dual.port)]),
				'dual-stack',
			);
			t.is(
				await dualStackOf(socket(only.port), [socket(only.port)]),
				'ipv6-only',
			);
			// An IPv4 socket on the same port could have answered in its place: no answer then.
			t.is(
				await dualStackOf(socket(only.port), [
					socket(only.port),
					{protocol, address: '0.0.0.0', family: 4, port: only.port},
				]),
				'unknown',
			);
		},
	);
}

type AuditJson = {
	alarms: number;
	listeners: Array<{
		protocol: string;
		address: string;
		port: number;
		scope: string;
		dualStack: string | undefined;
		exposure: string;
		verdict: string | undefined;
		service: string | undefined;
		owner: {pid: number; comm: string; user: string | undefined} | undefined;
	}>;
};

test.serial(
	'audit: real listeners on loopback, 0.0.0.0, :: (both kinds) and ::1, with verdicts from a user catalogue; ss agrees',
	async (t) => {
		const telnetLike = await startListener(t, {host: '0.0.0.0'});
		const loopbackOnly = await startListener(t, {host: '127.0.23.5'});
		const cautionAll = await startListener(t, {host: '::', ipv6Only: true});
		const dual = await startListener(t, {host: '::'});
		const local6 = await startListener(t, {host: '::1'});
		const directory = mkdtempSync(path.join(tmpdir(), 'portui-ow-audit-'));
		t.teardown(() => {
			rmSync(directory, {recursive: true, force: true});
		});
		const catalogueFile = path.join(directory, 'catalogue.json');
		const entry = (port: number, service: string, verdict: string) => ({
			port,
			protocol: 'tcp',
			service,
			verdict,
		});
		writeFileSync(
			catalogueFile,
			JSON.stringify({
				entries: [
					entry(telnetLike.port, 'ow-telnet', 'insecure'),
					entry(loopbackOnly.port, 'ow-rsh', 'obsolete'),
					entry(cautionAll.port, 'ow-nfs', 'caution'),
					entry(dual.port, 'ow-web', 'secure'),
					entry(local6.port, 'ow-x11', 'insecure'),
				],
			}),
		);
		const run = await startCli([
			'audit',
			'--json',
			'--catalogue',
			catalogueFile,
		]).result;
		t.is(run.exitCode, 1, `stderr: ${run.stderr}`);
		const json = JSON.parse(run.stdout) as AuditJson;
		const find = (port: number) =>
			json.listeners.find(
				(item) => item.port === port && item.protocol === 'tcp',
			);
		t.like(find(telnetLike.port), {
			address: '0.0.0.0',
			scope: 'all',
			exposure: 'alarm',
			verdict: 'insecure',
			service: 'ow-telnet',
			owner: {pid: telnetLike.pid, comm: 'node', user: 'root'},
		});
		t.like(find(loopbackOnly.port), {
			scope: 'loopback',
			exposure: 'loopback-only',
		});
		t.like(find(cautionAll.port), {
			address: '::',
			scope: 'all',
			dualStack: 'ipv6-only',
			exposure: 'flagged',
		});
		t.like(find(dual.port), {
			scope: 'all',
			dualStack: 'dual-stack',
			exposure: 'ok',
		});
		t.like(find(local6.port), {
			address: '::1',
			scope: 'loopback',
			exposure: 'loopback-only',
		});
		t.true(json.alarms >= 1);

		// Ss names the same bind addresses and holders.
		// Ss ships with iproute2, which the namespace tests need anyway.
		const ss = spawnSync('ss', ['-Hltnp'], {encoding: 'utf8'});
		t.is(ss.status, 0, 'ss -Hltnp failed');
		for (const [listener, address] of [
			[telnetLike, '0.0.0.0'],
			[cautionAll, '[::]'],
			[local6, '[::1]'],
		] as const) {
			const line = ss.stdout
				.split('\n')
				.find((text) => text.includes(`${address}:${listener.port} `));
			t.truthy(line, `ss has no ${address}:${listener.port}`);
			t.regex(line ?? '', new RegExp(`pid=${listener.pid},`, 'v'));
		}

		const human = await startCli(['audit', '--catalogue', catalogueFile])
			.result;
		t.is(human.exitCode, 1);
		t.regex(
			human.stdout,
			new RegExp(
				String.raw`alarm +tcp +0\.0\.0\.0 +${telnetLike.port} +all +ow-telnet +insecure +root node ${telnetLike.pid}`,
				'v',
			),
		);
		t.regex(
			human.stdout,
			new RegExp(
				String.raw`\b${telnetLike.port}/tcp ow-telnet on 0\.0\.0\.0`,
				'v',
			),
		);
	},
);

(hasNetworkNamespace ? test : test.skip)(
	'audit: exit 0 where nothing listens (a network namespace of its own), 2 on bad usage',
	async (t) => {
		const clean = await startCli(['audit'], {wrapper: isolated}).result;
		t.is(clean.exitCode, 0, clean.stderr);
		t.regex(clean.stdout, /0 listeners, no alarm case/v);
		const bad = await startCli(['audit', 'extra']).result;
		t.is(bad.exitCode, 2);
		t.regex(bad.stderr, /^portui: audit takes no arguments, got "extra"/v);
		const flag = await startCli(['audit', '--jsn']).result;
		t.is(flag.exitCode, 2);
	},
);
