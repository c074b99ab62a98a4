/** @type {import('xo').FlatXoConfig} */
const config = [
	{
		ignores: ['dist/**'],
	},
	{
		prettier: true,
		react: true,
		rules: {
			// Ink components are named functions returning JSX; React is not imported for JSX.
			'react/react-in-jsx-scope': 'off',
			'react/prop-types': 'off',
			// Catalogue files and /proc are untrusted input that validators narrow by hand after
			// checking; the rule cannot see those checks and would push code towards `any`.
			'@typescript-eslint/no-unsafe-type-assertion': 'off',
		},
	},
	{
		files: ['test/**'],
		rules: {
			// Fixtures mirror real data whose keys are "22/tcp".
			'@typescript-eslint/naming-convention': 'off',
		},
	},
];

export default config;
