// Builds the dashboard (web/) when web/build is missing or older than its sources; does nothing otherwise.
// `pnpm start` and `pnpm test` both run it, so a fresh clone needs no separate build step.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const handler = path.join(web, 'build', 'handler.js');

function newestMtime(p) {
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

const sources = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json']
  .map((p) => path.join(web, p))
  .filter(existsSync);
const stale = !existsSync(handler) || Math.max(...sources.map(newestMtime)) > statSync(handler).mtimeMs;

if (stale) {
  console.log('building the dashboard (web/) ...');
  const vite = path.join(web, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: web,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
