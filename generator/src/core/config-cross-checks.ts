// images.yaml's rules that need more than one node, or arithmetic: one function per rule, each run
// on whatever part of the file is well-formed, each skipping a node already found wrong.
import { reservedBuildArgProblem } from './build-args';
import { quoted } from './errors';
import { parseImageRef } from './image-ref';
import { isLocalSource, providerChecks, type RawProviders, type RawSource } from './providers/source-config';
import type { StateRepo } from './types';
import type { PathSegment } from './yaml-source';
import { isRecord, type Checker } from './config-checker';

export const DEFAULT_BRANCH = 'main';

/** images.yaml as written, before the schema has vouched for any part of it. */
export interface UncheckedConfig {
  stateRepo?: { url: string; branch?: string; provider?: StateRepo['provider'] };
  providers?: RawProviders;
  defaults?: { rebuildDelay?: unknown; subscription?: unknown };
  baseImages?: unknown[];
  images: unknown[];
}

type Rule = (checker: Checker, raw: UncheckedConfig, entryPath: (i: number) => PathSegment[]) => void;

/** `rebuildDelay: 12` means nothing: 12 what? */
const delayHasUnit: Rule = (checker, raw, entryPath) => {
  const delays: Array<[PathSegment[], unknown]> = [[['defaults', 'rebuildDelay'], raw.defaults?.rebuildDelay]];
  raw.images.forEach((image, i) => delays.push([[...entryPath(i), 'rebuildDelay'], isRecord(image) ? image.rebuildDelay : undefined]));
  for (const [path, value] of delays) {
    if (typeof value === 'number' && value !== 0 && !checker.flagged(path)) {
      checker.add({ path, part: 'value', message: `${checker.label(path)} ${value} has no unit; write e.g. ${value}d, ${value}h or ${value}m (or 0 to rebuild at once)`, rank: 2 });
    }
  }
};

/**
 * Reports each entry whose `keyOf` (undefined: not checked) repeats an earlier one's, at `at(i)`,
 * with `message(key, first position)`.
 */
function reportRepeats(
  checker: Checker,
  items: readonly unknown[],
  keyOf: (item: unknown, i: number) => string | undefined,
  at: (i: number) => PathSegment[],
  message: (key: string, first: { line: number; col: number }) => string,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const key = keyOf(item, i);
    if (key === undefined) return;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else checker.add({ path: at(i), part: 'value', message: message(key, checker.source.positionOf(at(first))), rank: 2 });
  });
}

const namesDistinct: Rule = (checker, raw, entryPath) =>
  reportRepeats(
    checker,
    raw.images,
    (image, i) => (isRecord(image) && typeof image.name === 'string' && !checker.flagged([...entryPath(i), 'name']) ? image.name : undefined),
    (i) => [...entryPath(i), 'name'],
    (name, at) => `image name "${name}" is used twice (first at line ${at.line}, column ${at.col}); give each image its own name`,
  );

/** The registry and repository of an entry, when both are strings. */
function registryAndRepository(image: unknown): { registry: string; repository: string } | undefined {
  if (!isRecord(image) || typeof image.registry !== 'string' || typeof image.repository !== 'string') return undefined;
  return { registry: image.registry, repository: image.repository };
}

const repositoryWithoutRegistry: Rule = (checker, raw, entryPath) => {
  raw.images.forEach((image, i) => {
    const path = [...entryPath(i), 'repository'];
    const written = registryAndRepository(image);
    if (!written || checker.flagged(path)) return;
    if (written.repository.split('/')[0] === written.registry && written.repository.includes('/')) {
      const rest = written.repository.slice(written.registry.length + 1);
      checker.add({ path, part: 'value', message: `repository ${quoted(written.repository)} starts with the registry; write only the path: repository: ${rest}`, rank: 2 });
    }
  });
};

const repositoriesDistinct: Rule = (checker, raw, entryPath) =>
  reportRepeats(
    checker,
    raw.images,
    (image, i) => {
      const written = registryAndRepository(image);
      if (!written || checker.flagged([...entryPath(i), 'registry']) || checker.flagged([...entryPath(i), 'repository'])) return undefined;
      return `${written.registry}/${written.repository}`;
    },
    (i) => [...entryPath(i), 'repository'],
    (key, at) => `image ${key} is enrolled twice (first at line ${at.line}, column ${at.col}); one entry per image`,
  );

const baseImagesDistinct: Rule = (checker, raw) =>
  reportRepeats(
    checker,
    raw.baseImages ?? [],
    (base, i) => (isRecord(base) && typeof base.ref === 'string' && !checker.flagged(['baseImages', i, 'ref']) ? parseImageRef(base.ref).ref : undefined),
    (i) => ['baseImages', i, 'ref'],
    (ref, at) => `base image ${ref} is listed twice in baseImages (first at line ${at.line}, column ${at.col}); keep one entry`,
  );

const buildArgsNotReserved: Rule = (checker, raw, entryPath) => {
  raw.images.forEach((image, i) => {
    const args = isRecord(image) && isRecord(image.source) ? image.source.buildArgs : undefined;
    if (!isRecord(args)) return;
    for (const name of Object.keys(args)) {
      const problem = reservedBuildArgProblem(name);
      if (problem) checker.add({ path: [...entryPath(i), 'source', 'buildArgs', name], part: 'key', message: `build argument "${name}" ${problem}`, rank: 2 });
    }
  });
};

/** Digest follows one mutable tag, so it has nothing to follow without a constraint. */
const digestHasConstraint: Rule = (checker, raw, entryPath) => {
  const check = (path: PathSegment[], sub: unknown) => {
    if (!isRecord(sub) || sub.imageSelectionStrategy !== 'Digest' || sub.constraint !== undefined || checker.flagged(path)) return;
    checker.add({
      path,
      part: 'key',
      message: `${checker.label(path)} uses imageSelectionStrategy Digest, which needs constraint: the mutable tag to follow; add e.g. constraint: latest`,
      rank: 2,
    });
  };
  check(['defaults', 'subscription'], raw.defaults?.subscription);
  raw.images.forEach((image, i) => {
    if (isRecord(image)) check([...entryPath(i), 'subscription'], image.subscription);
  });
};

const providersConsistent: Rule = (checker, raw, entryPath) => providerChecks(checker, raw, entryPath);

/** A local image's Dockerfile is read from the state repo's working tree, which is the state branch. */
const localImagesOnStateBranch: Rule = (checker, raw, entryPath) => {
  if (!raw.stateRepo || checker.flagged(['stateRepo'])) return;
  const stateBranch = raw.stateRepo.branch ?? DEFAULT_BRANCH;
  const stateRepo = typeof raw.stateRepo.url === 'string' ? { url: raw.stateRepo.url, branch: stateBranch, provider: raw.stateRepo.provider } : undefined;
  raw.images.forEach((image, i) => {
    if (!isRecord(image) || !isRecord(image.source)) return;
    const source = image.source as unknown as RawSource;
    const branchPath = [...entryPath(i), 'source', 'branch'];
    if (typeof source.branch !== 'string' || checker.flagged(branchPath)) return;
    if (!isLocalSource(source, stateRepo, raw.providers) || source.branch === stateBranch) return;
    checker.add({
      path: branchPath,
      part: 'value',
      message: `source.branch ${quoted(source.branch)} differs from stateRepo.branch "${stateBranch}", but this image is local (its Dockerfile is in the state repo, read from the state branch); remove source.branch, or set source.repo to the repository the Dockerfile is in`,
      rank: 2,
    });
  });
};

/** In the order they run: a later rule skips what an earlier one flagged. */
const RULES: readonly Rule[] = [
  delayHasUnit,
  namesDistinct,
  repositoryWithoutRegistry,
  repositoriesDistinct,
  baseImagesDistinct,
  buildArgsNotReserved,
  digestHasConstraint,
  providersConsistent,
  localImagesOnStateBranch,
];

/** Runs every rule above on `raw`, adding what each finds to `checker`. */
export function crossChecks(checker: Checker, raw: UncheckedConfig): void {
  const entryPath = (i: number): PathSegment[] => [...checker.entriesAt, i];
  for (const rule of RULES) rule(checker, raw, entryPath);
}
