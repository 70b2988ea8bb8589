// A seeded generator of hostile state repos for `generate`: images.yaml files that nest deeply,
// count hugely, hold long or strange strings; special files and links where files and folders
// belong. Pure except materialize(), so a failing case is repeated from its seed and index.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { imageEntry } from './hostile-repo';
import { seeded, type Random } from './random';

export interface HostileCase {
  /** What the case attacks, for messages. */
  what: string;
  files: Record<string, string | Buffer>;
  /** Symbolic links: path → target; OUTSIDE stands for a folder outside the repo. */
  links: Record<string, string>;
  fifos: string[];
  folders: string[];
}

export const OUTSIDE = '<outside>';

const int = (rand: Random, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(rand: Random, items: readonly T[]): T => items[Math.floor(rand() * items.length)];

const GOOD_DOCKERFILE = 'FROM alpine:3.20\nCOPY --from=busybox:1 /bin/true /true\n';

function plainRepo(entries: string): HostileCase {
  return { what: '', files: { 'images.yaml': entries, 'app/Dockerfile': GOOD_DOCKERFILE }, links: {}, fifos: [], folders: [] };
}

/** Each kind of attack, given the generator; each returns a case. */
const ATTACKS: ReadonlyArray<[string, (rand: Random) => HostileCase]> = [
  ['deep flow nesting', (r) => {
    const depth = pick(r, [65, 1000, 100_000, 2 * 1024 * 1024]);
    const open = pick(r, ['[', '{a: ', '[{a: ']);
    return plainRepo(`images: ${open.repeat(depth)}`);
  }],
  ['deep block nesting', (r) => {
    const depth = int(r, 65, 3000);
    const lines = Array.from({ length: depth }, (_, i) => `${' '.repeat(i * int(r, 1, 2))}k${i}:`);
    return plainRepo(`${lines.join('\n')}\n`);
  }],
  ['nested sequences on one line', (r) => plainRepo(`${'- '.repeat(int(r, 65, 200_000))}x\n`)],
  ['many valid images', (r) => {
    const n = int(r, 200, 800);
    const c = plainRepo(Array.from({ length: n }, (_, i) => imageEntry(`app-${i}`)).join('').replace(/app-\d+\/Dockerfile/g, 'app/Dockerfile'));
    return c;
  }],
  ['many invalid images', (r) => plainRepo(Array.from({ length: int(r, 200, 1500) }, (_, i) => imageEntry(`Bad_${i}`)).join(''))],
  ['a long string', (r) => {
    const long = pick(r, ['a', 'é', '\u0000', '\u001b[31m', '𝄞']).repeat(int(r, 1000, 1_000_000));
    const where = pick(r, ['name', 'tag', 'branch', 'dockerfile', 'key']);
    const entry = imageEntry('app');
    if (where === 'name') return plainRepo(entry.replace('name: app', `name: ${JSON.stringify(long)}`));
    if (where === 'tag') return plainRepo(`baseImages:\n- ref: ${JSON.stringify(`alpine:${long}`)}\n  interval: 5m\nimages:\n${entry.replace(/^/gm, '  ')}`);
    if (where === 'branch') return plainRepo(`${entry}    branch: ${JSON.stringify(long)}\n`);
    if (where === 'dockerfile') return plainRepo(entry.replace('dockerfile: app/Dockerfile', `dockerfile: ${JSON.stringify(long)}`));
    return plainRepo(`${entry}  ${JSON.stringify(long)}: 1\n`);
  }],
  ['many keys and build args', (r) => {
    const n = int(r, 1000, 50_000);
    const args = Array.from({ length: n }, (_, i) => `      A${i}: "${i}"`).join('\n');
    return plainRepo(`${imageEntry('app')}    buildArgs:\n${args}\n`);
  }],
  ['aliases', (r) => {
    const levels = int(r, 2, 12);
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    return plainRepo(`${lines.join('\n')}\nimages:\n${imageEntry('app').replace(/^/gm, '  ')}`);
  }],
  ['bytes that are not YAML', (r) => {
    const bytes = Buffer.alloc(int(r, 1, 200_000));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256);
    return plainRepo(bytes as unknown as string);
  }],
  ['many documents', (r) => plainRepo(`${imageEntry('app')}${'---\n- x\n'.repeat(int(r, 2, 20_000))}`)],
  ['a special file or link where a file belongs', (r) => {
    const c = plainRepo(imageEntry('app'));
    const at = pick(r, ['images.yaml', 'app/Dockerfile', 'images/app.yaml', 'base-images/docker.io-library-alpine-3.20.yaml', 'dist/values.yaml']);
    if (at === 'images.yaml' || at === 'app/Dockerfile') delete c.files[at];
    const kind = pick(r, ['fifo', 'zero', 'outside', 'folder']);
    if (kind === 'fifo') c.fifos.push(at);
    else if (kind === 'zero') c.links[at] = '/dev/zero';
    else if (kind === 'outside') c.links[at] = `${OUTSIDE}/keep.yaml`;
    else c.folders.push(at);
    c.what = `${kind} at ${at}`;
    return c;
  }],
  ['a link where a folder belongs', (r) => {
    const c = plainRepo(imageEntry('app'));
    const at = pick(r, ['images', 'base-images', 'dist', 'app']);
    if (at === 'app') delete c.files['app/Dockerfile'];
    c.links[at] = pick(r, [OUTSIDE, '/nonexistent/folder', '/dev']);
    c.what = `link ${at} -> ${c.links[at]}`;
    return c;
  }],
  ['a planted temp file link', (r) => {
    const c = plainRepo(imageEntry('app'));
    const pid = int(r, 2, 4_000_000);
    c.links[`${pick(r, ['images/.app.yaml', 'dist/.values.yaml', 'base-images/.alpine-3.20.yaml'])}.tmp-${pid}`] = `${OUTSIDE}/keep.yaml`;
    return c;
  }],
  ['a Dockerfile at the limits', (r) => {
    const stages = r() < 1 / 3;
    // Stages stay few: analyzing tens of thousands is the Dockerfile analyser's own hostile suite.
    const n = stages ? int(r, 501, 1500) : int(r, 1000, 40_000);
    const line = stages ? (i: number) => `FROM b${i % 900}:1 AS s${i}\n` : pick(r, [(i: number) => `COPY --from=t${i}:1 / /\n`, () => 'COPY --from=$X / /\n']);
    const c = plainRepo(imageEntry('app'));
    c.files['app/Dockerfile'] = `FROM scratch\n${Array.from({ length: n }, (_, i) => line(i)).join('')}`.slice(0, 1024 * 1024);
    return c;
  }],
];

/** The case number `index` of the sequence for `seed`. */
export function hostileCase(seed: number, index: number): HostileCase {
  const rand = seeded(seed * 1_000_003 + index);
  const [kind, make] = ATTACKS[Math.floor(rand() * ATTACKS.length)];
  const c = make(rand);
  return { ...c, what: `${kind}${c.what ? `: ${c.what}` : ''}` };
}

/** Writes a case into `root`; `outside` is the folder OUTSIDE stands for. */
export function materialize(c: HostileCase, root: string, outside: string): void {
  const place = (rel: string) => {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    return full;
  };
  for (const [rel, content] of Object.entries(c.files)) fs.writeFileSync(place(rel), content);
  for (const [rel, target] of Object.entries(c.links)) fs.symlinkSync(target.replace(OUTSIDE, outside), place(rel));
  for (const rel of c.fifos) execFileSync('mkfifo', [place(rel)]);
  for (const rel of c.folders) fs.mkdirSync(place(rel), { recursive: true });
}
