// Small state repos for the hostile suites (test/hostile/generate-*): an images.yaml of local
// images, their Dockerfiles, and whatever an attack plants beside them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureOutput, tempDir } from './tree';
import { main } from '../../generator/src/cli/cli';

/** One list-form images.yaml entry for a local image built from `<name>/Dockerfile`. */
export function imageEntry(name: string, extra = ''): string {
  return `- name: ${name}\n  registry: ghcr.io\n  repository: acme/${name}\n  source:\n    dockerfile: ${name}/Dockerfile\n    workflow: ${name}.yml\n${extra}`;
}

/** A temp folder holding these files (relative path → content). */
export function repoWith(files: Record<string, string | Buffer>): string {
  const root = tempDir('hostile');
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

/** A state repo of local images, each `FROM <base>`; the names say which. */
export function localImages(images: Record<string, string>): string {
  const files: Record<string, string> = { 'images.yaml': Object.keys(images).map((n) => imageEntry(n)).join('') };
  for (const [name, dockerfile] of Object.entries(images)) files[`${name}/Dockerfile`] = dockerfile;
  return repoWith(files);
}

/** Runs the CLI in this process; for attacks that cannot hang or exhaust it once fixed. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { result, stdout, stderr } = await captureOutput(() => main(['node', 'image-factory', ...args]));
  return { code: result, stdout, stderr };
}
