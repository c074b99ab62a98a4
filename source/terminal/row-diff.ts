import stringWidth from 'string-width';

const esc = '\u001B[';
const reset = `${esc}0m`;

/** SGR attributes that can be on or off, with the code that sets each and the one that clears it. */
const flags = [
	['bold', '1', '22'],
	['dim', '2', '22'],
	['italic', '3', '23'],
	['underline', '4', '24'],
	['blink', '5', '25'],
	['inverse', '7', '27'],
	['hidden', '8', '28'],
	['strikethrough', '9', '29'],
	['overline', '53', '55'],
] as const;

type Style = {
	flags: Set<string>;
	foreground: string | undefined;
	background: string | undefined;
};

type Cell = {
	readonly text: string;
	readonly width: number;
	/** The SGR parameters in effect, `''` for none: cells compare by text and this. */
	readonly style: string;
};

const styleCodes = (style: Style) =>
	[
		...flags.filter(([name]) => style.flags.has(name)).map(([, on]) => on),
		style.foreground,
		style.background,
	]
		.filter(Boolean)
		.join(';');

/** A colour parameter (`31`, `38;5;208`, `48;2;1;2;3`) from `parameters` at `index`; undefined when malformed. */
function colour(
	parameters: readonly string[],
	index: number,
): {value: string; next: number} | undefined {
	const kind = parameters[index + 1];
	if (kind === '5' && parameters[index + 2] !== undefined) {
		return {
			value: parameters.slice(index, index + 3).join(';'),
			next: index + 3,
		};
	}

	if (kind === '2' && parameters.length >= index + 5) {
		return {
			value: parameters.slice(index, index + 5).join(';'),
			next: index + 5,
		};
	}

	return undefined;
}

/** Applies a parameter that sets or clears a colour or an attribute; false for one it does not know. */
function applyCode(style: Style, code: number): boolean {
	if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) {
		style.foreground = String(code);
	} else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) {
		style.background = String(code);
	} else if (code === 39) {
		style.foreground = undefined;
	} else if (code === 49) {
		style.background = undefined;
	} else {
		const on = flags.find((flag) => flag[1] === String(code));
		const off = flags.filter((flag) => flag[2] === String(code));
		if (on) {
			style.flags.add(on[0]);
		} else if (off.length > 0) {
			for (const [name] of off) {
				style.flags.delete(name);
			}
		} else {
			return false;
		}
	}

	return true;
}

/** Applies one SGR sequence's parameters; false for anything it does not know, so the caller falls back. */
function applySgr(style: Style, sequence: string): boolean {
	const parameters = sequence === '' ? ['0'] : sequence.split(';');
	let index = 0;
	while (index < parameters.length) {
		const parameter = parameters[index]!;
		const code = Number(parameter === '' ? '0' : parameter);
		if (code === 38 || code === 48) {
			const value = colour(parameters, index);
			if (!value) {
				return false;
			}

			style[code === 38 ? 'foreground' : 'background'] = value.value;
			index = value.next;
			continue;
		}

		if (code === 0) {
			style.flags.clear();
			style.foreground = undefined;
			style.background = undefined;
		} else if (!applyCode(style, code)) {
			return false;
		}

		index++;
	}

	return true;
}

/** The parameters of an SGR sequence (`ESC[...m`) at `index`, and where it ends; undefined for any other sequence. */
function readSgr(
	line: string,
	index: number,
): {parameters: string; end: number} | undefined {
	if (line[index + 1] !== '[') {
		return undefined;
	}

	let end = index + 2;
	for (
		let code = line.codePointAt(end) ?? 0;
		(code >= 0x30 && code <= 0x39) || code === 0x3b;
		code = line.codePointAt(end) ?? 0
	) {
		end++;
	}

	return line[end] === 'm'
		? {parameters: line.slice(index + 2, end), end: end + 1}
		: undefined;
}

const widthOf = (character: string) => {
	const code = character.codePointAt(0)!;
	return code >= 0x20 && code < 0x7f ? 1 : stringWidth(character);
};

/**
 * The cells of a row as Ink writes it: text and SGR sequences only. Undefined for any other
 * escape sequence (a link, a cursor move): such a row is rewritten whole.
 */
function toCells(line: string): Cell[] | undefined {
	const style: Style = {
		flags: new Set(),
		foreground: undefined,
		background: undefined,
	};
	let key = '';
	const cells: Cell[] = [];
	let index = 0;
	while (index < line.length) {
		if (line.startsWith('\u001B', index)) {
			const sgr = readSgr(line, index);
			if (!sgr || !applySgr(style, sgr.parameters)) {
				return undefined;
			}

			key = styleCodes(style);
			index = sgr.end;
			continue;
		}

		const character = String.fromCodePoint(line.codePointAt(index)!);
		index += character.length;
		const width = widthOf(character);
		const previous = cells.at(-1);
		if (width === 0 && previous) {
			// A combining mark or joiner belongs to the cell before it.
			cells[cells.length - 1] = {...previous, text: previous.text + character};
		} else {
			cells.push({text: character, width, style: key});
		}
	}

	return cells;
}

const sameCell = (a: Cell | undefined, b: Cell | undefined) =>
	Boolean(a && b) && a!.text === b!.text && a!.style === b!.style;

const sumWidth = (cells: readonly Cell[]) =>
	cells.reduce((total, cell) => total + cell.width, 0);

function writeCells(cells: readonly Cell[]): string {
	let output = '';
	let current = '';
	for (const cell of cells) {
		if (cell.style !== current) {
			output +=
				cell.style === ''
					? reset
					: current === ''
						? `${esc}${cell.style}m`
						: `${esc}0;${cell.style}m`;
			current = cell.style;
		}

		output += cell.text;
	}

	return current === '' ? output : output + reset;
}

export type RowUpdate = {
	/** 0-based column where `text` starts. */
	readonly column: number;
	/** The cells that changed, each in its own colours; the terminal is left in default colours. */
	readonly text: string;
	/** The new row is narrower than the old one: erase what is left to its right. */
	readonly isErasing: boolean;
};

/**
 * The part of a row that changed between two frames, as cells (a character and its colours),
 * so that a port going from `open` to `closed` rewrites those cells and not the 80 columns and
 * their colour codes around them. Undefined when the rows hold something other than text and
 * SGR colours: the caller then rewrites the row.
 */
export function diffRow(previous: string, next: string): RowUpdate | undefined {
	const before = toCells(previous);
	const after = toCells(next);
	if (!before || !after) {
		return undefined;
	}

	let start = 0;
	while (
		start < before.length &&
		start < after.length &&
		sameCell(before[start], after[start])
	) {
		start++;
	}

	const column = sumWidth(after.slice(0, start));
	const oldWidth = sumWidth(before);
	const newWidth = sumWidth(after);
	let end = after.length;
	// A common tail stays where it is only when both rows are equally wide.
	if (oldWidth === newWidth) {
		let oldEnd = before.length;
		while (
			end > start &&
			oldEnd > start &&
			sameCell(before[oldEnd - 1], after[end - 1])
		) {
			end--;
			oldEnd--;
		}
	}

	return {
		column,
		text: writeCells(after.slice(start, end)),
		isErasing: newWidth < oldWidth,
	};
}
