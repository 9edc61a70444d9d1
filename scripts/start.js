#!/usr/bin/env node
// npm start: installs dependencies if needed, then runs the whole local stack (scripts/stack.ts).
const { spawn } = require('node:child_process');
const { ensureDeps, ROOT } = require('./ensure-deps');

ensureDeps();
const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/stack.ts', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
