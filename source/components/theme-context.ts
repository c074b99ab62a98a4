import {createContext, useContext} from 'react';
import type {Verdict} from '../catalogue/types.js';
import type {PortState} from '../probe/types.js';
import type {ColorRole, Palette} from '../terminal/theme.js';

/** The palette the dashboard draws with; undefined without colour (NO_COLOR): bold and inverse only. */
export const paletteContext = createContext<Palette | undefined>(undefined);

export const usePalette = () => useContext(paletteContext);

/** A role's colour in `palette`, none without one. */
export const colorOf = (
	palette: Palette | undefined,
	role: ColorRole | undefined,
) => (palette && role ? palette[role] : undefined);

/** Only risk is coloured: a `secure` verdict is the ok colour, `caution` the caution, the rest the alarm. */
export const verdictRole = (
	verdict: Verdict | undefined,
): ColorRole | undefined =>
	verdict === undefined
		? undefined
		: verdict === 'secure'
			? 'ok'
			: verdict === 'caution'
				? 'caution'
				: 'alarm';

/** Whether an open port here is a risk in itself: a service the catalogue calls insecure or obsolete. */
export const isRiskyVerdict = (verdict: Verdict | undefined) =>
	verdict === 'insecure' || verdict === 'obsolete';

/**
 * A port state's colour: closed is neutral (for telnet or rsh it is the good state), open is plain
 * unless the service is insecure or obsolete (the alarm), no answer or unreachable a caution.
 */
export function stateRole(
	state: PortState,
	verdict?: Verdict,
): ColorRole | undefined {
	switch (state) {
		case 'open': {
			return isRiskyVerdict(verdict) ? 'alarm' : undefined;
		}

		case 'closed': {
			return 'neutral';
		}

		case 'filtered':
		case 'unreachable': {
			return 'caution';
		}

		case 'open|filtered': {
			return undefined;
		}
	}
}
