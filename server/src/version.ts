import { readFileSync } from 'node:fs';

// The product version is the root package's, read once.
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
