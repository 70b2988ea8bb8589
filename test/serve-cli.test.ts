// `image-factory serve` as a user starts it, in a child process: a port another process holds is a
// user error (exit 1, the address and the fix, no stack trace), not an internal error (70); a fetch
// timeout is whole seconds, as everywhere else.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CLI_MAIN, runChild } from './support/cli-child';
import { removeTempDirs, tempDir } from './support/tree';

function serviceFiles(): { config: string; token: string } {
  const dir = tempDir('serve-cli');
  const config = path.join(dir, 'config.json');
  const token = path.join(dir, 'token');
  fs.writeFileSync(config, JSON.stringify({ allowedRepositories: ['https://github.com/acme/api.git'] }));
  fs.writeFileSync(token, 'a-token-of-enough-characters\n');
  return { config, token };
}

/** A port on loopback held by this process until `close`. */
async function occupiedPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test.after(removeTempDirs);

test('a port already in use: exit 1 naming the address and the fix', async () => {
  const { config, token } = serviceFiles();
  const held = await occupiedPort();
  try {
    const run = await runChild(CLI_MAIN, ['serve', '--config', config, '--token-file', token, '--host', '127.0.0.1', '--port', String(held.port)]);
    assert.is(run.code, 1, run.stderr);
    assert.is(run.stderr.trim().split('\n').pop(), `--port: 127.0.0.1:${held.port} is already in use by another process; stop it or choose another port (--port or PORT)`);
    assert.not.match(run.stderr, /internal error|\n\s+at /);

    const fromEnv = await runChild(CLI_MAIN, ['serve', '--config', config, '--token-file', token, '--host', '127.0.0.1'], { env: { PORT: String(held.port) } });
    assert.is(fromEnv.code, 1);
    assert.match(fromEnv.stderr, `PORT: 127.0.0.1:${held.port} is already in use`);
  } finally {
    await held.close();
  }
});

test('--fetch-timeout takes whole seconds; a unit is refused before anything listens', async () => {
  const { config, token } = serviceFiles();
  const run = await runChild(CLI_MAIN, ['serve', '--config', config, '--token-file', token, '--host', '127.0.0.1', '--port', '0', '--fetch-timeout', '30s']);
  assert.is(run.code, 1);
  assert.is(run.stderr, '--fetch-timeout: "30s" is not a whole number of seconds; write e.g. 60 (no unit)\n');
});

test.run();
