import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // `pnpm dev` runs Vite alone; the API stays on the server's port, so forward /api to it.
    proxy: { '/api': process.env.API_URL ?? 'http://127.0.0.1:3000' },
  },
});
