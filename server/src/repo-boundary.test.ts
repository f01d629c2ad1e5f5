// A clone of this repository is all a user has: a test that reads, or a comment that cites, a file beside the
// checkout works on the machine it was written on and nowhere else. Facts the code relies on live in docs/.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const self = path.relative(root, fileURLToPath(import.meta.url));

/** Paths that only exist outside the checkout, whatever file mentions them. */
const OUTSIDE_PATHS: readonly RegExp[] = [
  /\.\.\/shared\b/,
  /\/work\/shared\b/,
  /['"]\.\.['"]\s*,\s*['"]shared['"]/,
  /\bshared\/(?:spapi|samples|seed|hooks)\b/,
  // Spelled in two parts so this file does not itself hold the name it looks for.
  new RegExp(`\\b${'SHARED'}_DIR\\b`),
];

/** The sibling folder a clone does not have, spelled in parts for the same reason. */
const SIBLING = ['..', 'shared'].join('/');

/** Notes that exist outside the checkout under these names. Citing one is fine only where the cited path names a
 * file of this repository, e.g. `docs/report-formats.md`, or `report-formats.md` from inside docs/. */
const OUTSIDE_DOC =
  /(?:[\w.-]+\/)*(?:report-formats|transport-seam|data-kiosk-account-health|STYLE|ROADMAP)\.md/g;

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && file !== self)
    .filter((file) => !file.split('/').includes('node_modules') && path.basename(file) !== 'pnpm-lock.yaml');
}

function outsideReferences(file: string, text: string, tracked: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const dir = path.posix.dirname(file);
  text.split('\n').forEach((line, index) => {
    const where = `${file}:${index + 1}: ${line.trim()}`;
    if (OUTSIDE_PATHS.some((pattern) => pattern.test(line))) {
      found.push(where);
      return;
    }
    for (const [cited] of line.matchAll(OUTSIDE_DOC)) {
      const inRepo = [cited, path.posix.join(dir, cited)].some((p) => tracked.has(path.posix.normalize(p)));
      if (!inRepo) {
        found.push(where);
        return;
      }
    }
  });
  return found;
}

describe('the repository stands on its own', () => {
  it('finds its own files to scan', () => {
    const files = trackedFiles();
    expect(files).toContain('package.json');
    expect(files).toContain('docs/report-formats.md');
  });

  it('reads and cites nothing outside the checkout', () => {
    const files = trackedFiles();
    const tracked = new Set(files);
    const found: string[] = [];
    for (const file of files) {
      const full = path.join(root, file);
      // Deleted in the working tree but not yet in the index: nothing to read.
      if (!existsSync(full)) continue;
      const bytes = readFileSync(full);
      if (bytes.includes(0)) continue;
      found.push(...outsideReferences(file, bytes.toString('utf8'), tracked));
    }
    expect(found).toEqual([]);
  });

  it.each([
    ['a relative path to a sibling folder', `const dir = '${SIBLING}/samples';`],
    ['a path joined from parts', "path.join(repoRoot, '..', 'shared')"],
    ['an absolute path', 'see /work/shared/spapi/transport-seam.md'],
    ['a note that is not in docs/', '// Spellings from report-formats.md (a) and (b).'],
    ['the house style outside', `House style: \`${SIBLING}/STYLE.md\`.`],
  ])('flags %s', (_what, line) => {
    const tracked = new Set(['docs/report-formats.md']);
    expect(outsideReferences('server/src/x.ts', `ok\n${line}\n`, tracked)).toEqual([
      `server/src/x.ts:2: ${line}`,
    ]);
  });

  it('accepts citations of the repository’s own docs', () => {
    const tracked = new Set(['docs/report-formats.md', 'docs/README.md']);
    expect(
      outsideReferences('server/src/x.ts', '// Spellings from docs/report-formats.md §(a).', tracked),
    ).toEqual([]);
    expect(outsideReferences('docs/README.md', '- [Report formats](report-formats.md)', tracked)).toEqual([]);
  });
});
