// POST /v1/webhook-signature: the body of a rebuild webhook and its HMAC-SHA256 signature, for the
// rebuild-webhook PromotionTask, which sends both itself. Kargo's expression language has no HMAC,
// so the secret stays here (mounted from the chart's webhook.secret) and Kargo never sees it. The
// service signs only bodies it builds itself from four checked fields, so the bearer token cannot
// make it sign anything else.
import * as fs from 'node:fs';
import { webhookBody, webhookCauseProblem, webhookSignature, MIN_SECRET_CHARS, type WebhookCause } from '../../generator/src/core/providers/webhook';
import { ServiceError } from './errors';

export interface SignatureAnswer {
  /** The exact bytes to send. */
  body: string;
  /** `sha256=<hex>`, for X-Image-Factory-Signature-256. */
  signature: string;
}

/**
 * Reads the secret each time (a rotated Secret is picked up without a restart); undefined when no
 * file is configured or mounted.
 */
export function readWebhookSecret(file: string | undefined): string | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const secret = text.replace(/\r?\n$/, '');
  return secret === '' ? undefined : secret;
}

export function signatureAnswer(request: unknown, secret: string | undefined): SignatureAnswer {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new ServiceError(400, 'bad-request', 'body: must be a JSON object {image, baseImage, baseDigest, ref}', 'body');
  const fields = request as Record<string, unknown>;
  for (const k of Object.keys(fields).sort()) {
    if (!['image', 'baseImage', 'baseDigest', 'ref'].includes(k)) throw new ServiceError(400, 'bad-request', `${k}: is not a known field (known: baseDigest, baseImage, image, ref)`, k);
  }
  const problem = webhookCauseProblem(fields);
  if (problem) throw new ServiceError(400, 'bad-request', `${problem.field}: ${problem.message}`, problem.field);
  if (secret === undefined) {
    throw new ServiceError(500, 'webhook-secret-missing', 'no webhook secret is mounted: create the Secret named by the chart value webhook.secret (key webhook.secret.key) in the project namespace');
  }
  if (secret.length < MIN_SECRET_CHARS) {
    throw new ServiceError(500, 'webhook-secret-weak', `the mounted webhook secret is shorter than ${MIN_SECRET_CHARS} characters; store at least ${MIN_SECRET_CHARS} random characters`);
  }
  const body = webhookBody(fields as unknown as WebhookCause);
  return { body, signature: webhookSignature(secret, body) };
}
