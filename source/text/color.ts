import process from 'node:process';

/** https://no-color.org: any non-empty NO_COLOR turns colour off; FORCE_COLOR=0 does too. */
export const isColorWanted = (env: NodeJS.ProcessEnv = process.env) =>
	!env['NO_COLOR'] && env['FORCE_COLOR'] !== '0' && env['TERM'] !== 'dumb';
