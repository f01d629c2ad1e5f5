// `pnpm start`: build the dashboard if needed, then run the server (TypeScript through tsx, no build step).
// package.json runs this as `exec node scripts/start.mjs`: pnpm runs scripts through `sh -c`, and Debian's dash
// does not exec a lone command, so without `exec` a SIGTERM to pnpm kills that shell, leaves this process and
// the server running unsignalled, and pnpm reports ELIFECYCLE with exit code 143.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-web.mjs')], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

// tsx is the server's dependency: resolve its loader from there, whatever the working directory.
const tsxDir = path.dirname(
  createRequire(path.join(root, 'server', 'package.json')).resolve('tsx/package.json'),
);
const tsxLoader = pathToFileURL(path.join(tsxDir, 'dist', 'loader.mjs')).href;
const server = spawn(
  process.execPath,
  ['--import', tsxLoader, path.join(root, 'server', 'src', 'server.ts')],
  {
    stdio: 'inherit',
    cwd: process.cwd(),
  },
);
// The server handles SIGINT/SIGTERM itself (graceful close); pass them on and exit with its code.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
