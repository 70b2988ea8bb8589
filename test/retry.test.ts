// core/retry.ts: the one retry loop the providers' triggers, GitHub's dispatch and the registry
// client share: back-off when no wait is named, the server's wait when it is, the bounds, the words.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSeconds, withRetries, type Retry } from '../generator/src/core/retry';

class Failed extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

/** A loop over scripted outcomes, recording its sleeps and log lines. */
function scripted(outcomes: ({ result: string } | Retry)[], maxAttempts: number, maxWaitSeconds = 300) {
  const sleeps: number[] = [];
  const logs: string[] = [];
  let next = 0;
  const run = withRetries(async () => outcomes[next++], { maxAttempts, maxWaitSeconds, sleep: async (ms) => void sleeps.push(ms), log: (l) => void logs.push(l) }, { after: ' (acme/app)', who: 'GitHub', fail: (m, s) => new Failed(m, s) });
  return { run, sleeps, logs, tries: () => next };
}

async function failureOf(p: Promise<unknown>): Promise<Failed> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, Failed);
    return e as Failed;
  }
  throw new Error('expected the loop to fail');
}

test('a result ends the loop with the attempts it took; the waits back off 1, 2, 4 ... s, or are the server\u2019s', async () => {
  const busy: Retry = { problem: 'GitHub answered 503', status: 503 };
  const s = scripted([busy, busy, { ...busy, waitSeconds: 7 }, busy, { result: 'done' }], 10);
  assert.equal(await s.run, { result: 'done', attempts: 5 });
  assert.equal(s.sleeps, [1000, 2000, 7000, 8000]);
  assert.equal(s.logs[2], 'GitHub answered 503; retrying in 7s (attempt 4 of 10)');
});

test('the back-off stops growing at 30 s', async () => {
  const s = scripted([...Array.from({ length: 8 }, () => ({ problem: 'no answer from host (ECONNRESET)' })), { result: 'x' }], 9);
  await s.run;
  assert.equal(s.sleeps, [1, 2, 4, 8, 16, 30, 30, 30].map((n) => n * 1000));
});

test('the last attempt ends it with the last problem, where it was and the status', async () => {
  const s = scripted([{ problem: 'first', status: 500 }, { problem: 'GitHub answered 502', status: 502 }], 2);
  const e = await failureOf(s.run);
  assert.is(e.message, 'GitHub answered 502 (acme/app); gave up after 2 attempt(s)');
  assert.is(e.status, 502);
  assert.is(s.tries(), 2);
});

test('a wait longer than allowed ends it at once, naming both', async () => {
  const s = scripted([{ problem: 'GitHub answered 429', status: 429, waitSeconds: 3600 }, { result: 'never' }], 5, 300);
  const e = await failureOf(s.run);
  assert.is(e.message, 'GitHub answered 429 (acme/app); GitHub asks to wait 60m, longer than the 5m allowed (--max-wait); try again later');
  assert.is(e.status, 429);
  assert.equal(s.sleeps, []);
  assert.is(s.tries(), 1);
});

test('waits read as people say them', () => {
  assert.equal([0, 45, 119, 120, 330, 3600].map(formatSeconds), ['0s', '45s', '119s', '2m', '5m30s', '60m']);
});

test.run();
