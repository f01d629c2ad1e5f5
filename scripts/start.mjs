// `pnpm start`: build the dashboard if it is missing or older than its sources, then run the server.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const handler = path.join(web, 'build', 'handler.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const sources = [path.join(web, 'src'), path.join(web, 'svelte.config.js'), path.join(web, 'vite.config.ts')];
const stale =
  !existsSync(handler) ||
  Math.max(
    ...sources
      .filter(existsSync)
      .map((p) => (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)),
  ) > statSync(handler).mtimeMs;

if (stale) {
  console.log('building the dashboard (web/) ...');
  const vite = path.join(web, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: web,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

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
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
