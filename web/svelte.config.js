import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // The API process mounts build/handler.js itself (server/src/http/web.ts), so one port serves both.
    adapter: adapter({ out: 'build', precompress: true }),
  },
};

export default config;
