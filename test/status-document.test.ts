// `report --status FILE` reads what `image-factory status --json` prints (the shape in issue 14):
// a good file as written, later fields ignored, every problem at its line and column.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../generator/src/core/errors';
import { parseStatusDocument } from '../generator/src/core/status-document';
import { exemplarStatusJson } from './support/report-cases';

const ENROLLED = new Set(['api', 'image-factory-analysis', 'nginx', 'python-base']);
const problemsOf = (text: string): string[] => {
  try {
    parseStatusDocument(text, 'status.json', ENROLLED);
  } catch (e) {
    if (e instanceof UserError) return e.message.split('\n');
    throw e;
  }
  return [];
};

test('a document as status writes it; fields this reader does not know are ignored, missing nullable ones are null', () => {
  const doc = parseStatusDocument(exemplarStatusJson(), 'status.json', ENROLLED);
  assert.equal(doc.images.map((i) => [i.name, i.state]), [['api', 'waiting'], ['image-factory-analysis', 'unresolved'], ['nginx', 'due'], ['python-base', 'up-to-date']]);
  assert.equal(doc.errors, ['image image-factory-analysis, registry ghcr.io: GET /v2/: 401 Unauthorized']);
  const later = parseStatusDocument('{"images":[{"name":"api","state":"pinned","bases":[{"ref":"x","extra":1}],"since":"x"}],"version":2}', 's', ENROLLED);
  assert.equal(later.images[0].bases[0], { ref: 'x', currentDigest: null, builtOn: null, changedAt: null, dueAt: null });
  assert.equal(later.errors, []);
});

test('each problem at its line and column, all of them at once', () => {
  const text = [
    '{"images": [',
    '  {"name": "api", "state": "up-to-date", "bases": [{"ref": "a", "currentDigest": "sha256:zz", "dueAt": "tomorrow"}]},',
    '  {"name": "api", "state": "due", "bases": []},',
    '  {"state": "due", "bases": []},',
    '  {"name": "nginx", "state": "due", "bases": {}}',
    '], "errors": [42]}',
  ].join('\n');
  assert.equal(problemsOf(text).map((l) => l.replace(/; write the file again.*$/, '')), [
    'status.json:2:82: "currentDigest" must be a digest (sha256:<hex>) or null, not "sha256:zz"',
    'status.json:2:104: "dueAt" must be an RFC 3339 time or null, not "tomorrow"',
    'status.json:3:12: image "api" is listed twice',
    'status.json:4:3: an image needs its "name" (a string)',
    'status.json:5:46: "bases" must be a list',
    'status.json:6:15: an error must be a message or an object with one',
  ]);
  assert.match(problemsOf('[]')[0], /^status\.json:1:1: is not the output of `image-factory status --json`/);
  assert.match(problemsOf('{}')[0], /^status\.json:1:1: "images" must be a list/);
});

test.run();
