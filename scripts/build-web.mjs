// The dashboard (web/) is built once at install (the root `postinstall` runs this file) and after that only when
// its sources changed: `pnpm start`, `pnpm test` and `pnpm build` come through here first, which costs a few
// stat calls when the build is fresh. The build itself (half a minute, several hundred MB) runs in short-lived
// child processes, never inside the server. Its output is for whoever is fixing web/, so it is shown only when
// the build fails.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const handler = path.join(web, 'build', 'handler.js');
const vite = path.join(web, 'node_modules', 'vite', 'bin', 'vite.js');
const svelteKit = path.join(web, 'node_modules', '@sveltejs', 'kit', 'svelte-kit.js');

// The lockfile stands for web/'s dependencies: a new Svelte or Vite changes the output as much as a new page.
const SOURCES = [
  'web/src',
  'web/static',
  'web/svelte.config.js',
  'web/vite.config.ts',
  'web/tsconfig.json',
  'web/package.json',
  'pnpm-lock.yaml',
];

function newestMtime(p) {
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A folder's own mtime too: a deleted page shows nowhere else.
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function dashboardIsStale() {
  if (!existsSync(handler)) return true;
  const sources = SOURCES.map((p) => path.join(root, p)).filter(existsSync);
  return Math.max(...sources.map(newestMtime)) > statSync(handler).mtimeMs;
}

/** Runs one build step with its output captured; resolves with its exit code (128 + n when killed). */
function run(args, output, children) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: web, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    child.stdout.on('data', (d) => output.push(d));
    child.stderr.on('data', (d) => output.push(d));
    child.on('error', (err) => output.push(Buffer.from(`${err.message}\n`)));
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve(code ?? 128 + (os.constants.signals[signal] ?? 0));
    });
  });
}

/**
 * Builds the dashboard if it is missing or older than its sources. Resolves with 0 when there is a fresh build,
 * else with the exit code to end on, having said why on stderr. `children` lets a caller stop a build in progress.
 */
export async function ensureDashboard({ atInstall = false, children = new Set() } = {}) {
  if (!dashboardIsStale()) return 0;
  if (!existsSync(vite) || !existsSync(svelteKit)) {
    const why = "the dashboard is not built and cannot be: web/'s dependencies are not installed";
    if (atInstall) {
      // An install without dev dependencies (`--prod`) has no Vite: the install itself is still good.
      console.error(`${why} (skipped)`);
      return 0;
    }
    console.error(`${why}; run \`npx -y pnpm@12.4.2 install\``);
    return 1;
  }
  const started = performance.now();
  const output = [];
  // `sync` writes .svelte-kit/tsconfig.json, which web/tsconfig.json extends; without it Vite warns that the
  // base config is missing.
  let code = await run([svelteKit, 'sync'], output, children);
  if (code === 0) code = await run([vite, 'build', '--logLevel', 'warn'], output, children);
  if (code !== 0) {
    process.stderr.write(Buffer.concat(output));
    console.error(`dashboard build failed (exit code ${code})`);
    return code;
  }
  console.log(`dashboard built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const children = new Set();
  // Ctrl-C reaches the build's processes too; a SIGTERM to this one alone must not leave them building.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      for (const child of children) child.kill(signal);
      process.exit(128 + os.constants.signals[signal]);
    });
  }
  process.exitCode = await ensureDashboard({ atInstall: process.argv.includes('--at-install'), children });
}
