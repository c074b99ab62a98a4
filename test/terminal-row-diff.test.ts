import test, {type ExecutionContext} from 'ava';
import xterm from '@xterm/headless';
import {diffRow} from '../source/terminal/row-diff.js';

const esc = '\u001B[';
const red = (text: string) => `${esc}31m${text}${esc}39m`;
const green = (text: string) => `${esc}32m${text}${esc}39m`;
const bold = (text: string) => `${esc}1m${text}${esc}22m`;
const inverse = (text: string) => `${esc}7m${text}${esc}27m`;
const dim = (text: string) => `${esc}2m${text}${esc}22m`;
const orange = (text: string) => `${esc}38;5;208m${text}${esc}39m`;

async function written(terminal: xterm.Terminal, text: string) {
	await new Promise<void>((resolve) => {
		terminal.write(text, resolve);
	});
}

/** Each cell of the first row: its character and its colours, as the emulator holds them. */
function cells(terminal: xterm.Terminal) {
	const line = terminal.buffer.active.getLine(0)!;
	const result: string[] = [];
	for (let x = 0; x < terminal.cols; x++) {
		const cell = line.getCell(x)!;
		result.push(
			[
				cell.getChars() || ' ',
				cell.getFgColorMode(),
				cell.getFgColor(),
				cell.isBold(),
				cell.isDim(),
				cell.isInverse(),
				cell.isUnderline(),
				cell.getBgColor(),
			].join(','),
		);
	}

	return result;
}

/** Draws `before`, applies the update, and compares the row with `after` drawn whole on a fresh terminal. */
async function check(
	t: ExecutionContext,
	before: string,
	after: string,
	columns = 40,
) {
	const update = diffRow(before, after);
	t.truthy(update, 'rows of text and colours can be diffed');
	const patched = new xterm.Terminal({
		cols: columns,
		rows: 2,
		allowProposedApi: true,
	});
	const fresh = new xterm.Terminal({
		cols: columns,
		rows: 2,
		allowProposedApi: true,
	});
	await written(
		patched,
		`${before}${esc}0m${esc}1;${update!.column + 1}H${update!.text}${update!.isErasing ? `${esc}K` : ''}`,
	);
	await written(fresh, after);
	t.deepEqual(
		cells(patched),
		cells(fresh),
		JSON.stringify({before, after, update}),
	);
	patched.dispose();
	fresh.dispose();
	return update!;
}

test('a changed word in the middle is rewritten alone, with its colour', async (t) => {
	const update = await check(
		t,
		`22/tcp  ${green('open  ')}  0.3ms  ssh`,
		`22/tcp  ${red('closed')}  0.3ms  ssh`,
	);
	t.is(update.column, 8);
	t.is(update.text, `${esc}31mclosed${esc}0m`);
	t.false(update.isErasing);
});

test('the same text in another colour is a change', async (t) => {
	const update = await check(
		t,
		`state ${green('open')} end`,
		`state ${red('open')} end`,
	);
	t.is(update.column, 6);
});

test('a shorter row erases its old tail; a longer one overwrites', async (t) => {
	const shorter = await check(
		t,
		'events: open -> closed, down 3s',
		'events: open',
	);
	t.true(shorter.isErasing);
	const longer = await check(
		t,
		'events: open',
		'events: open -> closed, down 3s',
	);
	t.false(longer.isErasing);
});

test('styles nested and cleared the way chalk writes them', async (t) => {
	const before = `${bold(`portui  ${orange('127.0.0.1')}`)} (IPv4 answers)  ${dim('live')}`;
	const after = `${bold(`portui  ${orange('127.0.0.1')}`)} (no answer)  ${dim('live')}`;
	await check(t, before, after);
	await check(t, inverse(`> 22 ${red('ssh')} x`), `> 22 ${red('ssh')} x`);
	await check(
		t,
		`${esc}4m${esc}31m open ${esc}39m  1ms${esc}24m│`,
		`${esc}4m${esc}32m open ${esc}39m  3ms${esc}24m│`,
	);
	await check(
		t,
		`${esc}38;2;10;20;30mrgb${esc}0m plain`,
		`${esc}38;2;10;20;31mrgb${esc}0m plain`,
	);
});

test('wide characters and combining marks keep the columns right', async (t) => {
	await check(t, '名前 open 1ms │', '名前 shut 1ms │');
	await check(t, 'cafe\u0301 open', 'cafe\u0301 shut');
	await check(t, '┃ 22 ssh ✓ │', '┃ 22 ssh ✗ │');
});

test('rows with other escape sequences are rewritten whole', (t) => {
	t.is(diffRow('a', `${esc}2Kb`), undefined);
	t.is(
		diffRow(String.raw`${esc}]8;;https://example.org${esc}\link`, 'plain'),
		undefined,
	);
	t.is(diffRow(`${esc}38;5mbad`, 'plain'), undefined, 'a malformed colour');
});

test('the same cells spelled with other codes are no change', (t) => {
	const update = diffRow(`${esc}31mred${esc}39m`, `${esc}31mred${esc}0m`);
	t.deepEqual(update, {column: 3, text: '', isErasing: false});
});

test('random rows of text and colours: the patched row always equals the new row', async (t) => {
	// A fixed seed: the same 150 pairs every run.
	let seed = 42;
	const random = (limit: number) => {
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		return seed % limit;
	};

	const words = [
		'open',
		'closed',
		'22/tcp',
		'│',
		' ',
		'  ',
		'名',
		'✓',
		'ssh',
		'0.3ms',
		'…',
	];
	const styles = [
		(text: string) => text,
		red,
		green,
		bold,
		dim,
		inverse,
		orange,
	];
	const row = () =>
		Array.from({length: 1 + random(8)}, () =>
			styles[random(styles.length)]!(words[random(words.length)]!),
		).join('');
	for (let index = 0; index < 150; index++) {
		const before = row();
		// Half the time a small edit of the same row, half the time another row.
		const after =
			random(2) === 0
				? before.replace(
						words[random(words.length)]!,
						words[random(words.length)]!,
					)
				: row();
		// eslint-disable-next-line no-await-in-loop -- one emulator pair at a time
		await check(t, before, after, 60);
	}
});
