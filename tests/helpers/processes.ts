import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Resolved from the server package, so a child started in any working directory finds the TypeScript loader.
const tsxLoader = pathToFileURL(
  path.join(
    path.dirname(createRequire(path.join(repoRoot, 'server', 'package.json')).resolve('tsx/package.json')),
    'dist',
    'loader.mjs',
  ),
).href;

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs a TypeScript entry point of the server (through tsx) as a real child process. */
export function spawnServerScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  /** Written to the child's standard input, which is then closed. */
  input?: string,
): Spawned {
  return spawnNode(
    ['--import', tsxLoader, path.join(repoRoot, 'server', 'src', script), ...args],
    env,
    cwd,
    input,
  );
}

/** Runs what `pnpm start` runs. */
export function spawnStart(env: Record<string, string>, cwd: string): Spawned {
  return spawnNode([path.join(repoRoot, 'scripts', 'start.mjs')], env, cwd);
}

function spawnNode(args: string[], env: Record<string, string>, cwd: string, input?: string): Spawned {
  const child = spawn(process.execPath, args, {
    cwd,
    // Only what the test gives, plus PATH: the child must not inherit a developer's configuration.
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin?.end(input);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
