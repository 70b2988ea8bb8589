// A loopback webhook receiver that verifies what a rebuild webhook promises: a POST of JSON
// {image, baseImage, baseDigest, ref} (exactly those keys, strings) with
// X-Image-Factory-Signature-256: sha256=HMAC-SHA256(secret, the exact bytes received). It answers
// 202 {"accepted": true} when both hold, 401 {"message": "signature mismatch"} when the signature
// does not, 400 {"message": ...} for a malformed body; tests script other answers (5xx, 429).
// The verification is written here from the HMAC definition, not with the code under test.
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest, ScriptedAnswer } from './github-server';

export interface WebhookServer {
  /** `http://127.0.0.1:<port>/hooks/image-factory`. */
  url: string;
  requests: RecordedRequest[];
  /** Bodies accepted (signature verified), parsed. */
  accepted: { image: string; baseImage: string; baseDigest: string; ref: string }[];
  script(...answers: ScriptedAnswer[]): void;
  pending(): number;
  close(): Promise<void>;
}

export async function startWebhookServer(secret: string): Promise<WebhookServer> {
  const requests: RecordedRequest[] = [];
  const accepted: WebhookServer['accepted'] = [];
  const queue: ScriptedAnswer[] = [];

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

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: (req.url ?? '').split('?')[0], headers: req.headers, body, json };
      requests.push(recorded);
      const answer = queue.length > 0 ? queue.shift()! : verify(recorded);
      const headers: Record<string, string> = { ...answer.headers };
      let payload = '';
      if (answer.body !== undefined) {
        payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        headers['content-type'] = typeof answer.body === 'string' ? 'text/plain' : 'application/json';
      }
      res.writeHead(answer.status, headers);
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/image-factory`,
    requests,
    accepted,
    script: (...answers) => void queue.push(...answers),
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
