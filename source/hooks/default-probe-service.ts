import {listLocalSockets, resolveTarget, watch} from '../probe/index.js';
import type {ProbeService} from './probe-service.js';

/** The real probe service: what the dashboard uses unless a test hands it another. */
export const defaultProbeService: ProbeService = {
	watch,
	resolveTarget,
	listLocalSockets,
};
