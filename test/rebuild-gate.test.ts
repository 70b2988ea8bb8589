// POST /v1/rebuild-gate over a real socket: the token, each field checked with a 400 naming it,
// and the decision at the service's clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadService, settingsOf } from '../analysis-step/src/config';
import { createAnalysisService, type AnalysisService } from '../analysis-step/src/server';
import { removeTempDirs, tempDir } from './support/tree';

const TOKEN = 'gate-token-0123456789abcdef';
const d = (c: string) => `sha256:${c.repeat(64)}`;
let service: AnalysisService;
let base: string;
let now = new Date('2026-11-30T12:00:00Z');

test.before(async () => {
  const dir = tempDir('gate');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ allowedRepositories: [] }));
  fs.writeFileSync(path.join(dir, 'token'), TOKEN);
  service = createAnalysisService(loadService(settingsOf({ IMAGE_FACTORY_CONFIG: path.join(dir, 'config.json'), IMAGE_FACTORY_TOKEN_FILE: path.join(dir, 'token') })), {
    logger: { log: () => undefined },
    now: () => now,
  });
  base = `http://127.0.0.1:${await service.listen(0, '127.0.0.1')}`;
});
test.after(async () => {
  await service.close();
  removeTempDirs();
});

const body = (o: Record<string, unknown> = {}) => ({
  image: 'web',
  base: 'docker.io/library/node:22-bookworm-slim',
  digest: d('2'),
  seenAt: '2026-11-25T12:00:00Z',
  builtOn: d('1'),
  seen: [{ digest: d('2'), seenAt: '2026-11-25T12:00:00Z' }, { digest: d('1'), seenAt: '2026-11-01T00:00:00Z' }],
  delay: '7d',
  ...o,
});
async function ask(b: unknown, token = TOKEN) {
  const res = await fetch(`${base}/v1/rebuild-gate`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
  return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

test('wait until seenAt + delay, then dispatch; the answer says when it is due', async () => {
  now = new Date('2026-11-30T12:00:00Z');
  const waiting = await ask(body());
  assert.is(waiting.status, 200);
  assert.equal(waiting.json, { action: 'wait', reason: `${d('2')} has been out since 2026-11-25T12:00:00Z; due at 2026-12-02T12:00:00Z`, dueAt: '2026-12-02T12:00:00Z' });
  now = new Date('2026-12-02T12:00:00Z');
  assert.is((await ask(body())).json.action, 'dispatch');
  assert.is((await ask(body({ delay: '0', seenAt: '2026-12-02T11:59:59Z' }))).json.action, 'dispatch');
  assert.is((await ask(body({ builtOn: d('2') }))).json.action, 'skip');
});

test('a refused token is 401; every bad field is a 400 naming it', async () => {
  assert.is((await ask(body(), 'wrong-token-0123456789')).status, 401);
  const cases: [Record<string, unknown>, string][] = [
    [{ digest: 'sha256:nothex' }, 'digest'],
    [{ seenAt: '2026-11-25 12:00' }, 'seenAt'],
    [{ builtOn: 'latest' }, 'builtOn'],
    [{ delay: '7 days' }, 'delay'],
    [{ delay: '7x' }, 'delay'],
    [{ seen: 'none' }, 'seen'],
    [{ seen: [{ digest: d('3') }] }, 'seen[0].seenAt'],
    [{ seen: [{ digest: d('3'), seenAt: '2026-11-25T12:00:00Z', extra: 1 }] }, 'seen[0].extra'],
    [{ seen: Array.from({ length: 201 }, () => ({ digest: d('3'), seenAt: '2026-11-25T12:00:00Z' })) }, 'seen'],
    [{ image: 'Web' }, 'image'],
    [{ unknown: 1 }, 'unknown'],
  ];
  for (const [o, field] of cases) {
    const r = await ask(body(o));
    assert.is(r.status, 400, `${JSON.stringify(o)}: ${JSON.stringify(r.json)}`);
    assert.is(r.json.error.field, field);
  }
});

test.run();
