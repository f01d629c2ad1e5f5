import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The connect-style handler that @sveltejs/adapter-node writes to `<build>/handler.js`. */
type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void | Promise<void>;

interface WebOptions {
  /** Where `pnpm build` put the adapter-node output (the folder holding handler.js). */
  buildDir: string;
}

/** The adapter-node output of web/, resolved from this file so it holds whatever the working directory. */
export function webBuildDir(): string {
  return fileURLToPath(new URL('../../../web/build', import.meta.url));
}

/**
 * Serves the SvelteKit dashboard from the API's own process and port, so users have one URL.
 * Everything under /api stays the API's: unknown API paths get the API's JSON 404, never an HTML page.
 */
export async function registerWeb(app: FastifyInstance, opts: WebOptions): Promise<void> {
  const handlerPath = join(opts.buildDir, 'handler.js');
  const clientDir = join(opts.buildDir, 'client');
  const handler = existsSync(handlerPath) ? await loadHandler(handlerPath) : undefined;

  if (handler) {
    app.log.debug({ buildDir: opts.buildDir }, 'serving the dashboard');
  } else {
    app.log.warn({ buildDir: opts.buildDir }, 'dashboard not built: run `pnpm build` to serve it');
  }

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    // The dashboard's pages, not part of the API reference.
    schema: { hide: true },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      if (isApiPath(request.url)) return reply.callNotFound();
      if (!handler) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
      // The adapter's static files, and their brotli and gzip copies, are listed once, when it loads. A rebuild (an
      // update's `pnpm install`) replaces them under the running server, and a listed file that is gone would
      // crash the process on its read. So a script of the old build is answered 404, as on a fresh server, and a
      // compressed copy not (yet) there is not offered.
      const asset = builtAsset(clientDir, request.url);
      if (asset) {
        if (!existsSync(asset)) return reply.code(404).type('text/plain; charset=utf-8').send('Not Found');
        const accepted = request.raw.headers['accept-encoding'];
        if (typeof accepted === 'string') {
          request.raw.headers['accept-encoding'] = accepted
            .split(',')
            .filter((part) => {
              const name = part.trim().split(';', 1)[0]!.toLowerCase();
              if (name === 'br') return existsSync(`${asset}.br`);
              if (name === 'gzip') return existsSync(`${asset}.gz`);
              return true;
            })
            .join(',');
        }
      }

      // Overwritten on every request, so a client cannot choose the origin the dashboard believes in.
      request.raw.headers[PROTOCOL_HEADER] = request.protocol;
      request.raw.headers[HOST_HEADER] = request.host;

      // From here on Node's response is the handler's: Fastify must not send or serialize anything.
      reply.hijack();
      const res = reply.raw;
      // The pages carry SvelteKit's own policy (hashes of its inline scripts, web/svelte.config.js); helmet's
      // stricter one would replace it on a 304 and block the page's start-up script.
      res.removeHeader('content-security-policy');
      try {
        await handler(request.raw, res, (error?: unknown) => {
          if (error) request.log.error({ err: error }, 'dashboard handler failed');
          sendPlain(res, error ? 500 : 404, error ? 'Internal Server Error' : 'Not Found');
        });
      } catch (error) {
        request.log.error({ err: error }, 'dashboard handler failed');
        sendPlain(res, 500, 'Internal Server Error');
      }
    },
  });
}

/**
 * adapter-node builds each request's origin from ORIGIN, or else from PROTOCOL_HEADER/HOST_HEADER, reading
 * them once when handler.js is imported, and assumes https when none is set. Left alone, SSR's same-origin
 * fetch('/api/...') would dial https on our plain-http port and Kit's CSRF check would compare against the
 * wrong origin. So, unless the operator configured these, the adapter reads what Fastify saw (which honours
 * Fastify's trustProxy) from two private headers.
 */
const PROTOCOL_HEADER = 'x-good-standing-protocol';
const HOST_HEADER = 'x-good-standing-host';

async function loadHandler(handlerPath: string): Promise<NodeHandler> {
  if (process.env.ORIGIN === undefined) {
    process.env.PROTOCOL_HEADER ??= PROTOCOL_HEADER;
    process.env.HOST_HEADER ??= HOST_HEADER;
  }
  const mod = (await import(pathToFileURL(handlerPath).href)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') {
    throw new Error(`${handlerPath} does not export a handler: is it an @sveltejs/adapter-node build?`);
  }
  return mod.handler as NodeHandler;
}

/** The file of a request for the build's own scripts and styles (`/_app/...`), or null for anything else. */
function builtAsset(clientDir: string, url: string): string | null {
  const path = url.split('?', 1)[0] ?? '';
  if (!path.startsWith('/_app/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const file = normalize(join(clientDir, decoded));
  return file.startsWith(clientDir + sep) ? file : null;
}

function isApiPath(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return path === '/api' || path.startsWith('/api/');
}

function sendPlain(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dashboard not built · Good Standing</title>
<style>
  body { margin: 0; padding: 2rem 1rem; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    color: #1c2430; background: #f5f7f9; }
  main { max-width: 40rem; margin: 0 auto; padding: 1.5rem; background: #fff; border: 1px solid #d8dee6;
    border-radius: 10px; }
  h1 { margin-top: 0; font-size: 1.5rem; }
  code { font-family: ui-monospace, Menlo, Consolas, monospace; background: #edf0f4; padding: 0.1em 0.3em;
    border-radius: 4px; }
</style>
</head>
<body>
<main>
<h1>Good Standing: the dashboard is not built</h1>
<p>The API is running, but the web dashboard has not been built yet.</p>
<p>Run <code>pnpm build</code> in the repository, then restart the server.</p>
<p>The API itself answers under <code>/api</code>, for example <a href="/api/health"><code>/api/health</code></a>.</p>
</main>
</body>
</html>
`;
