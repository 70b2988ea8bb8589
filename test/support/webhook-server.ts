// A loopback webhook receiver that verifies what a rebuild webhook promises: a POST of JSON
// {image, baseImage, baseDigest, ref} (exactly those keys, strings) with
// X-Image-Factory-Signature-256: sha256=HMAC-SHA256(secret, the exact bytes received). It answers
// 202 {"accepted": true} when both hold, 401 {"message": "signature mismatch"} when the signature
// does not, 400 {"message": ...} for a malformed body; tests script other answers (5xx, 429).
// The verification is written here from the HMAC definition, not with the code under test.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { startScriptedServer, type RecordedRequest, type ScriptedAnswer, type ScriptedServer } from './scripted-server';

export interface WebhookServer extends Omit<ScriptedServer, 'origin'> {
  /** `http://127.0.0.1:<port>/hooks/image-factory`. */
  url: string;
  /** Bodies accepted (signature verified), parsed. */
  accepted: { image: string; baseImage: string; baseDigest: string; ref: string }[];
}

export async function startWebhookServer(secret: string): Promise<WebhookServer> {
  const accepted: WebhookServer['accepted'] = [];

  function verify(req: RecordedRequest): ScriptedAnswer {
    if (req.method !== 'POST' || req.path !== '/hooks/image-factory') return { status: 404, body: { message: 'no such hook' } };
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(Buffer.from(req.body, 'utf8')).digest('hex')}`);
    const given = Buffer.from(String(req.headers['x-image-factory-signature-256'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { status: 401, body: { message: 'signature mismatch' } };
    const doc = req.json as Record<string, unknown> | undefined;
    const keys = ['image', 'baseImage', 'baseDigest', 'ref'];
    if (typeof doc !== 'object' || doc === null || Object.keys(doc).join() !== keys.join() || keys.some((k) => typeof doc[k] !== 'string')) {
      return { status: 400, body: { message: `the body must be {${keys.join(', ')}}, all strings` } };
    }
    accepted.push(doc as WebhookServer['accepted'][number]);
    return { status: 202, body: { accepted: true } };
  }

  const server = await startScriptedServer({ contract: verify });
  return { ...server, url: `${server.origin}/hooks/image-factory`, accepted };
}
