// Text a server sent back (an error body, a reason phrase, a header), made fit to print: the
// secrets the request carried are hidden (rules.ts redact) in every form a server could echo them in, control
// characters are made visible, and the text is shortened. GitHub's client and the registry client
// both print what their servers say through this.
import { printable, shortened } from './errors';
import { redact } from './rules';

/** How much of what a server says a message quotes. */
export const MAX_SERVER_TEXT_CHARS = 500;
/** The escapes a server could write a secret in (JSON \u and \x, percent, HTML numeric) decoded, so it is found in any of them. */
function decodeEscapes(text: string): string {
  const char = (code: number) => (code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '');
  return text
    .replace(/\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(["\\/]))/g, (_m, braced?: string, u?: string, x?: string, plain?: string) =>
      plain ?? char(parseInt(braced ?? u ?? x ?? '', 16)),
    )
    .replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => char(parseInt(h, 16)))
    .replace(/&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g, (_m, h?: string, d?: string) => char(h !== undefined ? parseInt(h, 16) : Number(d)));
}

/** Text a server sent, fit to print: escapes decoded, every secret hidden, control characters visible, shortened. */
export function textFromServer(text: string, secrets: readonly string[], max = MAX_SERVER_TEXT_CHARS): string {
  return shortened(printable(redact(decodeEscapes(text), secrets)), max);
}
