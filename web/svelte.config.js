import { createHash } from 'node:crypto';
import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// SvelteKit's route announcer, the live region it adds once the page is running, carries this style attribute
// (@sveltejs/kit, src/core/sync/write_root.js). The CSP lets exactly this value through; should Kit change it,
// the browser tests see the violation.
const ANNOUNCER_STYLE =
  'position: absolute; left: 0; top: 0; clip: rect(0 0 0 0); clip-path: inset(50%); overflow: hidden; ' +
  'white-space: nowrap; width: 1px; height: 1px';
/** @type {`sha256-${string}`} */
const ANNOUNCER_STYLE_HASH = `sha256-${createHash('sha256').update(ANNOUNCER_STYLE).digest('base64')}`;

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // The API process mounts build/handler.js itself (server/src/http/web.ts), so one port serves both.
    adapter: adapter({ out: 'build', precompress: true }),
    // A strict policy: nothing from elsewhere, no inline script but Kit's own start-up script, which Kit hashes
    // into script-src ('hash' rather than nonces: the same page gives the same header, nothing to generate).
    // Styles are files too (Svelte's CSS is extracted at build time); the one inline style attribute SvelteKit
    // itself writes, its route announcer's, is allowed by that exact value and nothing else.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self'],
        'style-src-attr': ['unsafe-hashes', ANNOUNCER_STYLE_HASH],
        'img-src': ['self', 'data:'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['none'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
  },
};

export default config;
