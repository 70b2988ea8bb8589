import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_IMAGES_YAML_BYTES, nearestKey, parseImagesConfig, stateRepoURLProblem } from '../generator/src/core/config';
import { githubSlugOfURL, redactURL } from '../generator/src/core/rules';
import { formatProblem, UserError } from '../generator/src/core/errors';
import { assertYamlSize, firstInvalidUtf8, readYamlSource } from '../generator/src/core/yaml-source';

const FIXTURES = path.join(__dirname, 'fixtures');

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.problems.map(formatProblem);
    throw e;
  }
  assert.unreachable('expected a UserError');
  return [];
}

const ENTRY = (name: string) => `- name: ${name}\n  registry: ghcr.io\n  repository: acme/${name}\n  source: {dockerfile: Dockerfile, workflow: build.yml}\n`;

// ---------------------------------------------------------------------------------------------
// Fixtures: one folder per case; bad input lists its exact messages, good input its resolved config.

const cases = fs.readdirSync(FIXTURES).filter((d) => d.startsWith('config-')).sort();

test('there is a fixture for each kind of bad input, and for both forms', () => {
  const bad = cases.filter((d) => fs.existsSync(path.join(FIXTURES, d, 'expected-errors.txt')));
  assert.ok(bad.length >= 20, `only ${bad.length} bad-input fixtures`);
  assert.ok(cases.includes('config-list-form') && cases.includes('config-mapping-form'));
});

for (const name of cases) {
  const dir = path.join(FIXTURES, name);
  const input = fs.readFileSync(path.join(dir, 'images.yaml'));
  const errorsFile = path.join(dir, 'expected-errors.txt');
  if (fs.existsSync(errorsFile)) {
    test(`${name}: every problem at file:line:col`, () => {
      const expected = fs.readFileSync(errorsFile, 'utf8').trimEnd().split('\n');
      assert.equal(problemsOf(() => parseImagesConfig(input, 'images.yaml')), expected);
    });
  } else {
    test(`${name}: resolves with every default applied`, () => {
      const expected: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
      assert.equal(JSON.parse(JSON.stringify(parseImagesConfig(input, 'images.yaml'))), expected);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Behaviour beyond single fixtures.

test('the exemplar images.yaml is valid, local and external entries told apart', () => {
  const text = fs.readFileSync(path.join(__dirname, '..', 'examples', 'exemplar', 'images.yaml'));
  const config = parseImagesConfig(text, 'examples/exemplar/images.yaml');
  assert.equal(
    config.images.map((i) => [i.name, i.local]),
    [
      ['api', true],
      ['image-factory-analysis', false],
      ['nginx', true],
      ['python-base', true],
    ],
  );
  assert.is(config.stateRepo?.url, 'https://github.com/acme/images-state.git');
});

test('the same input gives the same output, with entries sorted by name', () => {
  const text = ENTRY('zeta') + ENTRY('alpha') + ENTRY('mid');
  const a = parseImagesConfig(text, 'images.yaml');
  const b = parseImagesConfig(Buffer.from(text), 'images.yaml');
  assert.equal(a, b);
  assert.equal(a.images.map((i) => i.name), ['alpha', 'mid', 'zeta']);
  assert.equal(a.images.map((i) => i.position.line), [5, 9, 1]);
});

test('the file name given is the one every message names', () => {
  const problems = problemsOf(() => parseImagesConfig('- name: X\n', 'repos/acme/images.yaml'));
  assert.ok(problems.every((p) => p.startsWith('repos/acme/images.yaml:1:')), problems.join('\n'));
});

test('a 50 MB images.yaml fails with the size message, before it is parsed', () => {
  const big = Buffer.alloc(50 * 1024 * 1024, 'a: b\n');
  const problems = problemsOf(() => parseImagesConfig(big, 'images.yaml'));
  assert.equal(problems, [`images.yaml: is 50 MiB (52428800 bytes), over the 10 MiB limit for images.yaml; check that this is the right file`]);
  // As a string too: the UTF-8 size counts, not the number of characters.
  const wide = 'é'.repeat(MAX_IMAGES_YAML_BYTES / 2 + 1);
  assert.match(problemsOf(() => parseImagesConfig(wide, 'images.yaml'))[0], /over the 10 MiB limit/);
});

test('a file just under the size cap is read', () => {
  const padding = `# ${'x'.repeat(1000)}\n`;
  const text = ENTRY('nginx') + padding.repeat(Math.floor((MAX_IMAGES_YAML_BYTES - 200) / padding.length));
  assert.ok(Buffer.byteLength(text) <= MAX_IMAGES_YAML_BYTES);
  assert.is(parseImagesConfig(text, 'images.yaml').images.length, 1);
});

test('billion laughs: nested aliases are refused, never expanded', () => {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`);
  }
  levels.push('images: *l');
  const problems = problemsOf(() => parseImagesConfig(levels.join('\n') + '\n', 'images.yaml'));
  assert.equal(problems, ['images.yaml:2:8: uses the YAML alias *a; aliases are not allowed in images.yaml: write the value out in full']);
});

test('every problem in the file is reported, in file order, not just the first', () => {
  const text = ['- name: Bad_Name', '  registry: ghcr.io', '  repository: acme/x', '  rebuildDelay: soon', '  source: {dockerfile: /abs, workflow: w.yml}', ''].join('\n');
  const problems = problemsOf(() => parseImagesConfig(text, 'images.yaml'));
  assert.equal(
    problems.map((p) => p.split(': ')[0]),
    ['images.yaml:1:9', 'images.yaml:4:17', 'images.yaml:5:24'],
  );
});

test('duplicate names name both places', () => {
  const problems = problemsOf(() => parseImagesConfig(ENTRY('web') + ENTRY('api').replace('acme/api', 'acme/api2') + ENTRY('web').replace('acme/web', 'acme/web2'), 'images.yaml'));
  assert.equal(problems, ['images.yaml:9:9: image name "web" is used twice (first at line 1, column 9); give each image its own name']);
});

test('a message never carries the password of a state repo URL', () => {
  const text = 'stateRepo:\n  url: https://bot:hunter2@github.com/acme/state.git\nimages: []\n';
  const problems = problemsOf(() => parseImagesConfig(text, 'images.yaml'));
  assert.is(problems.length, 1);
  assert.not.match(problems[0], /hunter2|bot:/);
  assert.is(redactURL('https://u:p@example.com/x.git'), 'https://***@example.com/x.git');
});

test('local: no repo, or the state repo spelled in any case, with or without .git', () => {
  const text = (url: string, repo: string) =>
    `stateRepo: {url: "${url}"}\nimages:\n  - name: a\n    registry: ghcr.io\n    repository: acme/a\n    source: {repo: "${repo}", dockerfile: D, workflow: b.yml}\n`;
  assert.ok(parseImagesConfig(text('https://github.com/Acme/State.git', 'acme/state'), 'f').images[0].local);
  assert.ok(parseImagesConfig(text('https://github.com/acme/state', 'ACME/STATE'), 'f').images[0].local);
  assert.not.ok(parseImagesConfig(text('https://github.com/acme/state', 'acme/state2'), 'f').images[0].local);
  // Another host's path is not a GitHub repository, even when it reads the same.
  assert.not.ok(parseImagesConfig(text('https://git.example.com/acme/state.git', 'acme/state').replace('"}', '", provider: git}'), 'f').images[0].local);
});

test('the list form has no stateRepo, so an entry with a repo is external and one without is local', () => {
  const config = parseImagesConfig(ENTRY('a') + ENTRY('b').replace('source: {', 'source: {repo: acme/b, '), 'images.yaml');
  assert.equal(config.images.map((i) => [i.local, i.source.repo]), [[true, undefined], [false, 'acme/b']]);
  assert.is(config.stateRepo, undefined);
});

test('defaults apply only where an entry is silent; dispatchInputs {} means no inputs', () => {
  const text = [
    'defaults:',
    '  rebuildDelay: 12h',
    '  dispatchInputs: {}',
    'images:',
    '  - name: a',
    '    registry: ghcr.io',
    '    repository: acme/a',
    '    source: {repo: acme/a, dockerfile: D, workflow: b.yml}',
    '  - name: b',
    '    registry: ghcr.io',
    '    repository: acme/b',
    '    rebuildDelay: 0',
    '    dispatchInputs: {baseImage: image}',
    '    source: {repo: acme/b, dockerfile: D, workflow: b.yml}',
    '',
  ].join('\n');
  const [a, b] = parseImagesConfig(text, 'images.yaml').images;
  assert.equal([a.rebuildDelay, a.dispatchInputs], ['12h', {}]);
  assert.equal([b.rebuildDelay, b.dispatchInputs], ['0', { baseImage: 'image' }]);
});

test('unknown keys: a near key is suggested, a far one lists what is allowed', () => {
  assert.is(nearestKey('rebuildDelays', ['name', 'rebuildDelay', 'registry']), 'rebuildDelay');
  assert.is(nearestKey('Registry', ['name', 'registry']), 'registry');
  assert.is(nearestKey('credentials', ['url', 'branch']), undefined);
});

test('state repo URLs: https, no credentials, no white space, no leading dash', () => {
  for (const ok of ['https://github.com/acme/state.git', 'https://github.com/acme/state', 'https://gitlab.example.com/group/sub/state.git']) {
    assert.is(stateRepoURLProblem(ok), undefined, ok);
  }
  for (const bad of ['http://github.com/a/b', 'git@github.com:a/b.git', 'ssh://git@github.com/a/b', 'https://tok@github.com/a/b', 'https://github.com/a/b c', '-https://x', 'https://github.com/', 'https://github.com/a', 'https://github.com/a/b?x=1', 'file:///etc']) {
    assert.type(stateRepoURLProblem(bad), 'string', bad);
  }
  assert.is(githubSlugOfURL('https://github.com/acme/state.git'), 'acme/state');
  assert.is(githubSlugOfURL('https://github.com/acme/state/'), 'acme/state');
  assert.is(githubSlugOfURL('https://example.com/acme/state'), undefined);
});

// ---------------------------------------------------------------------------------------------
// yaml-source on its own, as other readers use it.

test('yaml-source: positions of values, keys, and of the parent for a missing key', () => {
  const src = readYamlSource('top:\n  list:\n    - a: 1\n      b: two\n  empty:\n', 'f.yaml');
  assert.equal(src.positionOf(['top', 'list', 0, 'b']), { line: 4, col: 10 });
  assert.equal(src.positionOf(['top', 'list', 0, 'b'], 'key'), { line: 4, col: 7 });
  assert.equal(src.positionOf(['top', 'list', '0']), { line: 3, col: 7 });
  assert.equal(src.positionOf(['top', 'missing']), { line: 2, col: 3 });
  assert.equal(src.positionOf(['top', 'empty']), { line: 5, col: 3 });
  assert.is(src.nodeAt(['top', 'nope']), undefined);
});

test('yaml-source: a small alias cap allows that many aliases and no more', () => {
  const two = 'a: &x 1\nb: *x\nc: *x\n';
  assert.equal(readYamlSource(two, 'f', { maxAliases: 2 }).value, { a: 1, b: 1, c: 1 });
  assert.equal(problemsOf(() => readYamlSource(two, 'f', { maxAliases: 1 })), ['f:3:4: uses more than 1 YAML aliases; write the values out in full']);
});

test('yaml-source: size cap is checked on the byte count alone', () => {
  assertYamlSize(100, 'f', { maxBytes: 100 });
  assert.equal(problemsOf(() => assertYamlSize(101, 'f', { maxBytes: 100, what: 'a state file' })), ['f: is 101 bytes (101 bytes), over the 100 bytes limit for a state file; check that this is the right file']);
});

test('yaml-source: UTF-8 is checked byte by byte; a BOM is dropped; UTF-16 is named', () => {
  assert.is(firstInvalidUtf8(Buffer.from('plain ascii é € 𝄞', 'utf8')), -1);
  assert.is(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80])), 1); // overlong
  assert.is(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80])), 2); // surrogate
  assert.is(firstInvalidUtf8(Buffer.from([0xe2, 0x82])), 0); // truncated
  assert.equal(readYamlSource(Buffer.from('\ufeffa: 1\n', 'utf8'), 'f').value, { a: 1 });
  assert.equal(problemsOf(() => readYamlSource(Buffer.from('\ufeffa: 1\n', 'utf16le'), 'f')), ['f:1:1: is UTF-16 text, not UTF-8; save it as UTF-8 (without a byte-order mark or with the UTF-8 one)']);
});

test('yaml-source: pathological nesting is one clear message, not a crash or a thousand errors', () => {
  const deep = '['.repeat(100000) + ']'.repeat(100000);
  assert.equal(problemsOf(() => readYamlSource(deep, 'f')), ['f:1:65: is nested too deeply to be a YAML file anyone edits (more than 64 levels here); check that this is the right file']);
});

test('yaml-source: several problems of one kind are all listed', () => {
  assert.equal(problemsOf(() => readYamlSource('a: 1\nb: 2\na: 3\nb: 4\n', 'f')), [
    'f:3:1: duplicate key "a" (first at line 1, column 1); keep one of the two',
    'f:4:1: duplicate key "b" (first at line 2, column 1); keep one of the two',
  ]);
});

test.run();

test('providers: a gitlab.com state repo makes local images GitLab ones; a nested-group project defaults to providers.gitlab.url; git needs a trigger', () => {
  const config = parseImagesConfig(
    [
      'stateRepo: {url: "https://gitlab.com/platform/images-state.git"}',
      'providers: {gitlab: {url: "https://gitlab.example.com"}}',
      'images:',
      '  - {name: local, registry: ghcr.io, repository: acme/local, source: {dockerfile: D}}',
      '  - {name: nested, registry: ghcr.io, repository: acme/nested, source: {provider: gitlab, repo: a/b/c/d, dockerfile: D, tokenKey: shared}}',
      '  - {name: same, registry: ghcr.io, repository: acme/same, source: {provider: gitlab, host: gitlab.com, repo: Platform/Images-State, dockerfile: D}}',
      '  - {name: plain, registry: ghcr.io, repository: acme/plain, source: {provider: git, url: "https://git.example.com/x.git", dockerfile: D}, trigger: {webhook: {url: "https://ci.example.com/h"}}}',
      '  - {name: watched, registry: ghcr.io, repository: acme/watched, source: {repo: acme/w, dockerfile: D}, trigger: none}',
      '',
    ].join('\n'),
    'images.yaml',
  );
  const by = Object.fromEntries(config.images.map((i) => [i.name, i]));
  assert.equal(config.stateRepo, { url: 'https://gitlab.com/platform/images-state.git', branch: 'main' });
  assert.equal([by.local.local, by.local.source.provider, by.local.source.repo, by.local.source.host, by.local.source.tokenKey], [true, 'gitlab', 'platform/images-state', 'gitlab.com', 'local']);
  assert.equal([by.nested.local, by.nested.source.host, by.nested.source.repo, by.nested.source.tokenKey, by.nested.source.workflow], [false, 'gitlab.example.com', 'a/b/c/d', 'shared', '']);
  assert.ok(by.same.local, 'the state repo named with its host, in any case, is local');
  assert.equal([by.plain.source.provider, by.plain.source.url, by.plain.trigger], ['git', 'https://git.example.com/x.git', { kind: 'webhook', url: 'https://ci.example.com/h' }]);
  assert.equal([by.watched.trigger, by.watched.source.workflow], [{ kind: 'none' }, '']);
  // A state repo on github.com stays GitHub's; on another host it must say which provider it is.
  assert.is(parseImagesConfig('stateRepo: {url: "https://ghe.example.com/a/b.git", provider: github}\nimages: []\n', 'f').stateRepo?.provider, 'github');
});

test('providers: a GitLab state repo whose path GitLab would not accept is refused at stateRepo.url', () => {
  const problems = problemsOf(() => parseImagesConfig('stateRepo: {url: "https://gitlab.com/-bad/x.git"}\nimages: []\n', 'images.yaml'));
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^images\.yaml:1:18: stateRepo\.url's path has a part "-bad" GitLab does not allow/);
});
