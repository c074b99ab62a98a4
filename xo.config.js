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
		},
	},
];

export default config;
