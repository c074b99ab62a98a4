#!/usr/bin/env node
// React's development build keeps a performance entry per commit and grows
// without bound in a long run; production must be set before React loads.
process.env.NODE_ENV = 'production';
await import('../dist/cli.js');
