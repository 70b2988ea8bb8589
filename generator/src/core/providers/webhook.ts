// A rebuild as a signed webhook, for sources on any git host (provider `git`) or any CI that can
// receive one. The body is exactly JSON.stringify({image, baseImage, baseDigest, ref}) in that order;
// the signature is HMAC-SHA256 of those bytes with the shared secret, sent as
// `X-Image-Factory-Signature-256: sha256=<hex>` (the form GitHub's own webhooks use, so receivers
// that verify those verify this). 2xx is success, 408/429/5xx are retried, any other answer fails.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { sendTrigger, TriggerError, type SendOptions, type TriggerProtocol, type TriggerResult } from './http-trigger';

export const SIGNATURE_HEADER = 'X-Image-Factory-Signature-256';
/** A secret shorter than this is guessable; the receiver should refuse it too. */
export const MIN_SECRET_CHARS = 16;

export interface WebhookCause {
  image: string;
  baseImage: string;
  baseDigest: string;
  ref: string;
}

const IMAGE = /^[a-z0-9]([-a-z0-9]{0,46}[a-z0-9])?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Why a webhook cause is malformed (the field and the rule), or undefined. */
export function webhookCauseProblem(cause: Record<string, unknown>): { field: string; message: string } | undefined {
  for (const field of ['image', 'baseImage', 'baseDigest', 'ref'] as const) {
    const v = cause[field];
    if (typeof v !== 'string' || v === '' || v.length > 512) return { field, message: 'must be a non-empty string of at most 512 characters' };
  }
  if (!IMAGE.test(cause.image as string)) return { field: 'image', message: 'is not an image name (lower-case letters, digits and "-")' };
  if (!DIGEST.test(cause.baseDigest as string)) return { field: 'baseDigest', message: 'is not sha256: and 64 lower-case hex digits' };
  for (const field of ['baseImage', 'ref'] as const) {
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x20\x7f]/.test(cause[field] as string)) return { field, message: 'cannot hold spaces or control characters' };
  }
  return undefined;
}

/** The exact bytes that are signed and sent. */
export function webhookBody(cause: WebhookCause): string {
  return JSON.stringify({ image: cause.image, baseImage: cause.baseImage, baseDigest: cause.baseDigest, ref: cause.ref });
}

/** `sha256=<hex>` of HMAC-SHA256(secret, body). */
export function webhookSignature(secret: string, body: string): string {
  if (secret.length < MIN_SECRET_CHARS) throw new TriggerError(`the webhook secret is too short (${secret.length} characters); use at least ${MIN_SECRET_CHARS} random characters`);
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** What a receiver does: true when `header` is the signature of `body` (constant-time compare). */
export function signatureMatches(secret: string, body: string, header: string | undefined): boolean {
  const expected = Buffer.from(webhookSignature(secret, body));
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Why `url` cannot receive rebuild webhooks: https only, no credentials (the signature authenticates). */
export function webhookURLProblem(url: string): string | undefined {
  const fix = 'write the https URL the receiver listens on, e.g. https://ci.example.com/hooks/image-factory';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a URL; ${fix}`;
  }
  if (parsed.protocol !== 'https:') return `is not https; ${fix}`;
  if (parsed.username || parsed.password) return 'holds credentials; remove them: the receiver checks the signature, made with the secret from the chart\'s webhook.secret';
  if (parsed.hash) return `has a fragment; ${fix}`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f'"\\]/.test(url)) return `holds white space, a quote or a control character; ${fix}`;
  return undefined;
}

export function describeWebhook(url: string, cause: WebhookCause, userAgent: string): string {
  const headers = { ...headersOf(userAgent), [SIGNATURE_HEADER]: 'sha256=***' };
  return [`POST ${url}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', webhookBody(cause)].join('\n') + '\n';
}

function headersOf(userAgent: string): Record<string, string> {
  return { 'Content-Type': 'application/json', 'User-Agent': userAgent };
}

const HINTS: Readonly<Record<number, string>> = {
  401: 'the receiver did not accept the signature: check that it holds the same secret as IMAGE_FACTORY_WEBHOOK_SECRET (the chart: webhook.secret)',
  403: 'the receiver did not accept the signature: check that it holds the same secret as IMAGE_FACTORY_WEBHOOK_SECRET (the chart: webhook.secret)',
  404: 'check trigger.webhook.url in images.yaml',
};

/** Sends the signed webhook; resolves on 2xx, throws TriggerError with the receiver's message otherwise. */
export async function deliverWebhook(url: string, cause: WebhookCause, secret: string, userAgent: string, opts: SendOptions): Promise<TriggerResult> {
  const problem = webhookURLProblem(url);
  const loopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(url);
  if (problem && !loopback) throw new TriggerError(`webhook URL ${problem}`);
  const bad = webhookCauseProblem(cause as unknown as Record<string, unknown>);
  if (bad) throw new TriggerError(`webhook ${bad.field} ${bad.message}`);
  const body = webhookBody(cause);
  const headers = { ...headersOf(userAgent), [SIGNATURE_HEADER]: webhookSignature(secret, body) };
  const protocol: TriggerProtocol = { service: 'the webhook', where: `${cause.image} at ${new URL(url).host}`, hints: HINTS, refused: 'the receiver refused the request', retryable: [408, 429] };
  return sendTrigger({ url, headers, body, secrets: [secret, headers[SIGNATURE_HEADER]] }, protocol, opts);
}
