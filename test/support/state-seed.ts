// A bare state repository seeded from an example tree, as Kargo's steps find it, the edits the
// rebuild tests make to it first (a digest already recorded, the digests a base Stage has seen), and
// the check that what the steps committed is what `generate` would write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as assert from 'uvu/assert';
import { main } from '../../generator/src/cli/cli';
import { git } from './git-repos';
import { captureOutput, copyTree } from './tree';

export interface SeedFiles {
  read(rel: string): string;
  write(rel: string, text: string): void;
}
export type SeedEdit = (files: SeedFiles) => void;

/** Replaces `bare` with a fresh bare repository whose main holds `fromDir`, edited first. */
export function seedStateRepo(tmp: string, bare: string, fromDir: string, edit?: SeedEdit): void {
  fs.rmSync(bare, { recursive: true, force: true });
  git(tmp, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  const seed = fs.mkdtempSync(path.join(tmp, 'seed-'));
  copyTree(fromDir, seed);
  edit?.({
    read: (rel) => fs.readFileSync(path.join(seed, rel), 'utf8'),
    write: (rel, text) => {
      fs.mkdirSync(path.dirname(path.join(seed, rel)), { recursive: true });
      fs.writeFileSync(path.join(seed, rel), text);
    },
  });
  git(seed, ['init', '--quiet', '--initial-branch=main']);
  git(seed, ['add', '-A']);
  git(seed, ['commit', '--quiet', '-m', `seed from ${path.basename(fromDir)}`]);
  git(seed, ['push', '--quiet', bare, 'HEAD:main']);
  fs.rmSync(seed, { recursive: true, force: true });
}

/** `image-factory generate --check` in a fresh clone of the bare state repository: exit code and output. */
export async function checkStateRepo(tmp: string, bare: string): Promise<{ code: number; out: string }> {
  const clone = fs.mkdtempSync(path.join(tmp, 'clone-'));
  git(tmp, ['clone', '--quiet', bare, clone]);
  const r = await captureOutput(() => main(['node', 'image-factory', 'generate', '--check', '--root', clone]));
  fs.rmSync(clone, { recursive: true, force: true });
  return { code: r.result, out: r.stdout + r.stderr };
}

/** Sets lastRebuild.bases.<key>.digest in the seed, as an earlier rebuild would have. */
export const recorded = (image: string, key: string, d: string): SeedEdit => (files) => {
  const rel = `images/${image}.yaml`;
  const text = files.read(rel);
  const at = text.indexOf(`    ${key}:\n`);
  assert.ok(at >= 0, `${rel} has lastRebuild.bases.${key}`);
  const digestLine = text.indexOf('      digest: ""', at);
  files.write(rel, `${text.slice(0, digestLine)}      digest: ${d}${text.slice(digestLine + '      digest: ""'.length)}`);
};

/** Writes digests/<key>.yaml as the base Stage would have: the digests seen, newest first. */
export const history = (key: string, ref: string, seen: { digest: string; seenAt: string }[]): SeedEdit => (files) => {
  files.write(`digests/${key}.yaml`, `# Digests of ${ref}, newest first.\n${JSON.stringify({ ref, seen }, null, 2)}\n`);
};

export const both = (...edits: SeedEdit[]): SeedEdit => (files) => {
  for (const edit of edits) edit(files);
};
