import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DockerfileError, baseImagesOf } from '../generator/src/core/dockerfile';
import type { DockerfileAnalysis } from '../generator/src/core/types';

// Each test/fixtures/dockerfile-<case>/ holds a Dockerfile, optional build-args.json and expected.json:
// either the analysis ({bases, copies, warnings}, a warning given by line, col and a text it includes)
// or {error: {line, col, includes}}.
interface Located {
  line: number;
  col: number;
  includes: string;
}
type Expected =
  | { bases: unknown[]; copies: unknown[]; warnings: Located[] }
  | { error: Located };

const fixtures = path.join(__dirname, 'fixtures');
const cases = fs
  .readdirSync(fixtures)
  .filter((name) => name.startsWith('dockerfile-'))
  .sort();

test('there is a fixture for every rule', () => {
  assert.ok(cases.length >= 25, `only ${cases.length} fixtures`);
});

function analyzeFixture(dir: string): DockerfileAnalysis {
  const text = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  const argsFile = path.join(dir, 'build-args.json');
  const buildArgs = fs.existsSync(argsFile) ? (JSON.parse(fs.readFileSync(argsFile, 'utf8')) as Record<string, string>) : {};
  return baseImagesOf(text, buildArgs);
}

for (const name of cases) {
  test(`fixture ${name}`, () => {
    const dir = path.join(fixtures, name);
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
    if ('error' in expected) {
      try {
        analyzeFixture(dir);
      } catch (e) {
        assert.instance(e, DockerfileError);
        const error = e as DockerfileError;
        assert.ok(error.message.includes(expected.error.includes), `message: ${error.message}`);
        assert.equal({ line: error.line, col: error.col }, { line: expected.error.line, col: expected.error.col }, error.message);
        return;
      }
      assert.unreachable('no error was thrown');
      return;
    }
    const actual = analyzeFixture(dir);
    assert.equal(actual.bases, expected.bases);
    assert.equal(actual.copies, expected.copies);
    assert.is(actual.warnings.length, expected.warnings.length, JSON.stringify(actual.warnings));
    expected.warnings.forEach((want, i) => {
      const got = actual.warnings[i];
      assert.equal({ line: got.line, col: got.col }, { line: want.line, col: want.col });
      assert.ok(got.message.includes(want.includes), got.message);
    });
  });
}

test('a build arg overrides only an ARG that is declared', () => {
  const text = 'ARG TAG=1\nFROM node:${TAG}\nFROM python:${PY:-3}\n';
  const result = baseImagesOf(text, { TAG: '22', PY: '2' });
  assert.equal(result.bases.map((b) => b.ref), ['docker.io/library/node:22', 'docker.io/library/python:3']);
});

test('build args are read as own entries: an ARG named like an Object method gets no value from it', () => {
  const result = baseImagesOf('ARG toString\nARG constructor\nFROM alpine:${toString}${constructor}\n');
  assert.equal(result.bases, []);
  assert.match(result.warnings[0].message, /uses toString, constructor with no value/);
  assert.equal(baseImagesOf('ARG toString\nFROM alpine:$toString\n', { toString: '3.20' }).bases.map((b) => b.ref), ['docker.io/library/alpine:3.20']);
});

test('the analysis does not change its input arguments and is deterministic', () => {
  const args = { BASE: 'alpine' };
  const text = 'ARG BASE\nFROM $BASE\nCOPY --from=busybox / /\n';
  const one = baseImagesOf(text, args);
  const two = baseImagesOf(text, args);
  assert.equal(JSON.stringify(one), JSON.stringify(two));
  assert.equal(args, { BASE: 'alpine' });
  assert.equal(Object.keys(one.bases[0]), ['ref', 'registry', 'repository', 'tag', 'line']);
});

test('a bad reference names the reference and where the FROM argument is', () => {
  try {
    baseImagesOf('FROM alpine\n\nFROM   ghcr.io/acme/app:bad+tag AS x\n');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, DockerfileError);
    const error = e as DockerfileError;
    assert.is(error.line, 3);
    assert.is(error.col, 8);
    assert.match(error.message, /ghcr\.io\/acme\/app:bad\+tag/);
    assert.match(error.message, /tag "bad\+tag"/);
  }
});

test('a reference built from ARGs says what it was written as', () => {
  try {
    baseImagesOf('ARG R=Bad/Name\nFROM ${R}:1\n');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, DockerfileError);
    assert.match((e as Error).message, /from "\$\{R\}:1"/);
  }
});

test('duplicate and invalid stage names, unknown FROM flags, bad escape directive', () => {
  const cases: [string, RegExp, number, number][] = [
    ['FROM a AS x\nFROM b AS X\n', /duplicate stage name "x"/, 2, 11],
    ['FROM a AS 1x\n', /invalid stage name/, 1, 11],
    ['FROM --pull=always a\n', /no --pull flag/, 1, 6],
    ['# escape=x\nFROM a\n', /escape directive/, 1, 10],
    ['FROM ${A\n', /not closed/, 1, 6],
    ['FROM ${A:=x}\n', /operator/, 1, 6],
    ['FROM a\nENV\n', /at least one name/, 2, 1],
    ['FROM a\0b\n', /NUL/, 1, 7],
  ];
  for (const [text, message, line, col] of cases) {
    try {
      baseImagesOf(text);
      assert.unreachable(text);
    } catch (e) {
      assert.instance(e, DockerfileError, text);
      const error = e as DockerfileError;
      assert.match(error.message, message, text);
      assert.equal([error.line, error.col], [line, col], `${text}: ${error.message}`);
    }
  }
});

test('pattern forms of substitution work like the shell', () => {
  const text = 'ARG V=v1.2.3-alpine\nFROM node:${V#v}\nFROM node:${V%-*}\nFROM node:${V%%.*}\nFROM node:${V/alpine/slim}\n';
  assert.equal(baseImagesOf(text).bases.map((b) => b.tag), ['1.2.3-alpine', 'v1.2.3', 'v1', 'v1.2.3-slim']);
});

test('an ARG whose default needs an unknown name carries that name into the warning', () => {
  const result = baseImagesOf('ARG IMAGE=tools-${TARGETARCH}\nFROM ${IMAGE}\n');
  assert.is(result.bases.length, 0);
  assert.match(result.warnings[0].message, /TARGETARCH/);
  const resolved = baseImagesOf('ARG IMAGE=tools-${TARGETARCH}\nFROM ${IMAGE}\n', { TARGETARCH: 'arm64' });
  assert.equal(resolved.bases.map((b) => b.ref), ['docker.io/library/tools-arm64:latest']);
});

test('oversized input is refused without reading it', () => {
  const text = `FROM alpine\n${'# x\n'.repeat(300_000)}`;
  try {
    baseImagesOf(text);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, DockerfileError);
    assert.match((e as Error).message, /larger than/);
  }
});

test.run();
