// `pnpm start`: rebuild the dashboard if its sources changed since install, then run the server (TypeScript
// through tsx, no build step).
// package.json runs this as `exec node scripts/start.mjs`: pnpm runs scripts through `sh -c`, and Debian's dash
// does not exec a lone command, so without `exec` a SIGTERM to pnpm kills that shell, leaves this process and
// the server running unsignalled, and pnpm reports ELIFECYCLE with exit code 143.
import { spawn } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureDashboard } from './build-web.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let server;
const building = new Set();
// The server handles SIGINT/SIGTERM itself (graceful close): pass them on and exit with its code. A signal
// during a rebuild stops the build and ends here, as there is no server to close yet.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (server) {
      server.kill(signal);
      return;
    }
    for (const child of building) child.kill(signal);
    process.exit(128 + os.constants.signals[signal]);
  });
}

const built = await ensureDashboard({ children: building });
if (built !== 0) process.exit(built);

// tsx is the server's dependency: resolve its loader from there, whatever the working directory.
const tsxDir = path.dirname(
  createRequire(path.join(root, 'server', 'package.json')).resolve('tsx/package.json'),
);
const tsxLoader = pathToFileURL(path.join(tsxDir, 'dist', 'loader.mjs')).href;
server = spawn(process.execPath, ['--import', tsxLoader, path.join(root, 'server', 'src', 'server.ts')], {
  stdio: 'inherit',
  cwd: process.cwd(),
});
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
