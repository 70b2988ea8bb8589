// The service's signing of rebuild webhooks: it signs only a body it builds from four checked fields,
// and the signature is HMAC-SHA256 of exactly those bytes (checked here with node:crypto directly).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHmac } from 'node:crypto';
import { signatureAnswer } from '../analysis-step/src/webhook-signature';
import { ServiceError } from '../analysis-step/src/errors';
import { signatureMatches } from '../generator/src/core/providers/webhook';

const SECRET = 'webhook-secret-0123456789abcdef';
const CAUSE = { ref: 'main', baseDigest: `sha256:${'a'.repeat(64)}`, image: 'worker', baseImage: 'docker.io/library/node:22' };

test('the body is {image, baseImage, baseDigest, ref} in that order, whatever order the request had; the signature is its HMAC', () => {
  const answer = signatureAnswer(CAUSE, SECRET);
  assert.is(answer.body, `{"image":"worker","baseImage":"docker.io/library/node:22","baseDigest":"sha256:${'a'.repeat(64)}","ref":"main"}`);
  assert.is(answer.signature, `sha256=${createHmac('sha256', SECRET).update(answer.body).digest('hex')}`);
  assert.ok(signatureMatches(SECRET, answer.body, answer.signature));
  assert.not.ok(signatureMatches(SECRET, `${answer.body} `, answer.signature), 'one byte more is another body');
  assert.not.ok(signatureMatches('another-secret-0123456789', answer.body, answer.signature));
});

const refused = (body: unknown, secret: string | null = SECRET): ServiceError => {
  try {
    signatureAnswer(body, secret ?? undefined);
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('not refused');
};

test('anything else is refused with the field at fault; no secret, or a short one, is a 500 saying what to create', () => {
  assert.equal([refused([]).status, refused([]).field], [400, 'body']);
  assert.equal([refused({ ...CAUSE, extra: 'x' }).status, refused({ ...CAUSE, extra: 'x' }).field], [400, 'extra']);
  assert.is(refused({ ...CAUSE, baseDigest: 'sha256:abc' }).field, 'baseDigest');
  assert.is(refused({ ...CAUSE, image: 'Worker' }).field, 'image');
  assert.equal([refused({ ...CAUSE, ref: 'main\nX-Evil: 1' }).status, refused({ ...CAUSE, ref: 'main\nX-Evil: 1' }).field], [400, 'ref']);
  assert.is(refused({ ...CAUSE, ref: undefined }).field, 'ref');
  const missing = refused(CAUSE, null);
  assert.equal([missing.status, missing.reason], [500, 'webhook-secret-missing']);
  assert.match(missing.message, 'webhook.secret');
  assert.is(refused(CAUSE, 'short').reason, 'webhook-secret-weak');
});

test.run();
