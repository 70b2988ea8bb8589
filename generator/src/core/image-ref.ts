// Container image references in one canonical form, `registry/repository[:tag][@digest]`, so that two
// spellings of the same image (`node`, `docker.io/library/node:latest`) compare equal everywhere.
// The grammar is Docker's reference grammar (distribution/reference); the messages say what to change.
import type { ImageRef } from './types';

/** A reference that Docker would reject; the message names the reference and the reason. */
export class ImageRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageRefError';
  }
}

export const DOCKER_HUB = 'docker.io';
/** Docker itself rewrites this legacy host to docker.io; no other alias is folded (Docker folds none). */
const LEGACY_DOCKER_HUB = 'index.docker.io';
/** Docker's limit on `registry/repository`. */
const MAX_NAME_LENGTH = 255;
/** Anything longer cannot be a valid reference; refuse before running any pattern over it. */
const MAX_REF_LENGTH = MAX_NAME_LENGTH + 1 + 128 + 1 + 7 + 128;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[0-9a-fA-F:.]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST_ALGORITHM = /^[A-Za-z][A-Za-z0-9]*(?:[+._-][A-Za-z][A-Za-z0-9]*)*$/;
/** Hex lengths of the algorithms Docker (go-digest) can verify. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

export interface ImageRefParts {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** `scratch` is Docker's name for the empty image: not an image to pull or watch. */
export function isScratch(text: string): boolean {
  return text === 'scratch';
}

/** Joins parts into the canonical string; the parts are taken as already valid. */
export function formatImageRef(parts: ImageRefParts): string {
  let text = `${parts.registry}/${parts.repository}`;
  if (parts.tag !== undefined) text += `:${parts.tag}`;
  if (parts.digest !== undefined) text += `@${parts.digest}`;
  return text;
}

/** `registry/repository`: what a registry subscription (a Kargo Warehouse) names. */
export function repoURLOf(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

function fail(text: string, reason: string): never {
  throw new ImageRefError(`invalid image reference ${JSON.stringify(text)}: ${reason}`);
}

function checkDigest(text: string, digest: string): string {
  const colon = digest.indexOf(':');
  if (colon <= 0) fail(text, `digest "${digest}" must be <algorithm>:<hex>, e.g. sha256:<64 hex digits>`);
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (!DIGEST_ALGORITHM.test(algorithm)) fail(text, `digest algorithm "${algorithm}" is not a valid name`);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) {
    fail(text, `digest algorithm "${algorithm}" is not supported (use ${Object.keys(DIGEST_HEX_LENGTH).join(', ')})`);
  }
  if (!/^[0-9a-fA-F]*$/.test(hex)) fail(text, `digest "${digest}" has characters that are not hexadecimal digits`);
  if (hex.length !== length) {
    fail(text, `a ${algorithm} digest has ${length} hex digits, "${digest}" has ${hex.length}`);
  }
  if (hex !== hex.toLowerCase()) fail(text, `digest "${digest}" must be written in lower-case hex`);
  return digest;
}

function checkRegistry(text: string, registry: string): string {
  let host = registry;
  let port: string | undefined;
  const bracketEnd = registry.lastIndexOf(']');
  const colon = registry.lastIndexOf(':');
  if (colon > bracketEnd) {
    host = registry.slice(0, colon);
    port = registry.slice(colon + 1);
    if (!PORT.test(port)) fail(text, `registry port "${port}" must be a number`);
  }
  if (host === '') fail(text, `registry "${registry}" has no host name`);
  if (!IPV6_HOST.test(host)) {
    for (const component of host.split('.')) {
      if (!DOMAIN_COMPONENT.test(component)) {
        fail(text, `registry host "${host}" is not a valid host name (letters, digits and '-' between dots)`);
      }
    }
  }
  return (port === undefined ? host : `${host}:${port}`).toLowerCase();
}

function checkRepository(text: string, repository: string): void {
  for (const component of repository.split('/')) {
    if (component === '') fail(text, `the repository "${repository}" has an empty path component`);
    if (component !== component.toLowerCase()) {
      fail(text, `repository names must be lower-case ("${component}"); write ${JSON.stringify(component.toLowerCase())}`);
    }
    if (!PATH_COMPONENT.test(component)) {
      fail(
        text,
        `"${component}" is not a valid repository path component ` +
          `(lower-case letters and digits, separated by '.', '_', '__' or dashes; none at either end)`,
      );
    }
  }
}

/** References parsed lately, frozen so that sharing one is safe; a 10,000-image run parses each a dozen times. */
const parsed = new Map<string, Readonly<ImageRef>>();
const MAX_REMEMBERED = 20_000;

/**
 * Parses and normalises a reference: Docker Hub as `docker.io/library/<name>`, `latest` when neither
 * tag nor digest is given, the registry host in lower case. Throws ImageRefError for anything Docker
 * would refuse. The answer is frozen (and may be shared): copy it to change it.
 */
export function parseImageRef(text: string): Readonly<ImageRef> {
  let ref = parsed.get(text);
  if (ref === undefined) {
    ref = Object.freeze(parseImageRefAnew(text));
    // A long-running service meets unboundedly many: start over rather than grow.
    if (parsed.size >= MAX_REMEMBERED) parsed.clear();
    parsed.set(text, ref);
  }
  return ref;
}

function parseImageRefAnew(text: string): ImageRef {
  if (text === '') fail(text, 'it is empty');
  if (text.length > MAX_REF_LENGTH) fail(`${text.slice(0, 40)}...`, `it is ${text.length} characters long`);
  if (/\s/.test(text)) fail(text, 'it contains white space');
  if (isScratch(text)) fail(text, '"scratch" is the empty image, not an image that can be pulled');

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = checkDigest(text, rest.slice(at + 1));
    rest = rest.slice(0, at);
  }

  // A ':' after the last '/' starts the tag; one before it belongs to a registry port.
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const tagColon = rest.indexOf(':', lastSlash + 1);
  if (tagColon >= 0) {
    tag = rest.slice(tagColon + 1);
    rest = rest.slice(0, tagColon);
    if (tag === '') fail(text, 'the tag after ":" is empty');
    if (tag.length > 128) fail(text, `the tag is ${tag.length} characters long; Docker allows 128`);
    if (!TAG.test(tag)) {
      fail(text, `tag "${tag}" may only use letters, digits, '_', '.' and '-', and must not start with '.' or '-'`);
    }
  }
  if (rest === '') fail(text, 'the repository name is empty');

  let registry = DOCKER_HUB;
  let repository = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash >= 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = checkRegistry(text, first);
      repository = rest.slice(firstSlash + 1);
    } else if (first !== first.toLowerCase()) {
      // Docker reads an upper-case first component as a registry host, which is never what was meant.
      fail(
        text,
        `"${first}" has upper-case letters; Docker would take it for a registry host. ` +
          `Write the repository in lower case, or name the registry in full (e.g. registry.example.com/${rest})`,
      );
    }
  }
  if (registry === LEGACY_DOCKER_HUB) registry = DOCKER_HUB;
  if (repository === '') fail(text, 'the repository name is empty');
  checkRepository(text, repository);
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;

  const name = `${registry}/${repository}`;
  if (name.length > MAX_NAME_LENGTH) {
    fail(text, `the name ${name} is ${name.length} characters long; Docker allows ${MAX_NAME_LENGTH}`);
  }
  if (tag === undefined && digest === undefined) tag = 'latest';

  const parts: ImageRefParts = { registry, repository };
  if (tag !== undefined) parts.tag = tag;
  if (digest !== undefined) parts.digest = digest;
  return { ref: formatImageRef(parts), ...parts };
}
