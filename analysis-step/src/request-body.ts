// The body of a POST: read whole up to a limit (more is a 413), and parsed as JSON (else a 400
// naming the body). A connection cut mid-body is a 400, never a hang.
import type * as http from 'node:http';
import { ServiceError } from './errors';

export const MAX_BODY_BYTES = 64 * 1024;

/** Reads the body up to max bytes; more is a 413. */
export function readBody(req: http.IncomingMessage, max = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        reject(new ServiceError(413, 'too-large', `the body is over ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    let ended = false;
    req.on('end', () => {
      ended = true;
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    const cutOff = () => reject(new ServiceError(400, 'bad-request', 'body: the request was cut off', 'body'));
    req.on('error', cutOff);
    // A connection closed mid-body (by the client, or by the request timeout) ends no 'end'.
    req.on('close', () => {
      if (!ended) cutOff();
    });
  });
}

/** The body parsed as JSON; a 400 naming `body` when it is not. */
export async function readJSONBody(req: http.IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ServiceError(400, 'bad-request', `body: not valid JSON (${(e as Error).message})`, 'body');
  }
}
