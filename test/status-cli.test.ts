// `image-factory status` refusing bad input before it asks any registry: a missing values file, a
// config.json or DOCKER_AUTH_CONFIG that is not Docker's, a proxy variable it cannot use, bad flags.
// Each names what to fix and quotes no secret. Every run here points https and http at a closed
// port on this machine through the proxy variables, so nothing could leave it even if a check broke.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runStatus, type StatusFlags } from '../generator/src/cli/commands/status';
import { removeTempDirs, tempDir } from './support/tree';

const EXEMPLAR_VALUES = path.join(__dirname, '..', 'examples', 'exemplar', 'dist', 'values.yaml');
const SECRET = 'Sup3r-secret-password-value';
let root: string;
let home: string;

test.before(() => {
  root = tempDir('status-cli');
  home = tempDir('status-cli-home');
  fs.mkdirSync(path.join(root, 'dist'));
  fs.copyFileSync(EXEMPLAR_VALUES, path.join(root, 'dist', 'values.yaml'));
});
test.after(removeTempDirs);

const flags = (over: Partial<StatusFlags> = {}): StatusFlags => ({ root, concurrency: '8', timeout: '5', maxAttempts: '1', maxWait: '0', ...over });
const closed = 'http://127.0.0.1:9';

async function refusal(env: NodeJS.ProcessEnv, over: Partial<StatusFlags> = {}): Promise<string> {
  let out = '';
  try {
    await runStatus(flags(over), { env: { HOME: home, HTTPS_PROXY: closed, HTTP_PROXY: closed, ...env }, stdout: (t) => void (out += t), stderr: (t) => void (out += t), stderrIsTTY: false });
  } catch (e) {
    const message = (e as Error).message;
    assert.not.ok(message.includes(SECRET) || out.includes(SECRET), 'a secret in the message');
    assert.is(out, '', 'nothing printed before the refusal');
    return message;
  }
  throw new Error(`no refusal; printed ${out}`);
}

test('no values file: says to run generate', async () => {
  const message = await refusal({}, { root: home });
  assert.match(message, /dist\/values\.yaml: no such file; run `image-factory generate/);
});

test('DOCKER_AUTH_CONFIG or config.json that is not Docker\u2019s: named, without quoting it', async () => {
  assert.match(await refusal({ DOCKER_AUTH_CONFIG: `{"auths": {"ghcr.io": {"auth": "${SECRET}` }), /^DOCKER_AUTH_CONFIG: is not valid JSON/);
  assert.match(await refusal({ DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'ghcr.io': { auth: `${SECRET}!` } } }) }), /auths\["ghcr.io"\].auth is not base64 of "user:password"/);
  const dir = path.join(home, 'docker');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), `not json ${SECRET}`);
  assert.match(await refusal({ DOCKER_CONFIG: dir }), new RegExp(`${dir.replace(/[/.]/g, '\\$&')}/config\\.json: is not valid JSON`));
});

test('a proxy variable it cannot use is named, its value (which may hold a password) is not', async () => {
  const message = await refusal({ HTTPS_PROXY: `https://user:${SECRET}@proxy.example:3128` });
  assert.match(message, /environment: HTTPS_PROXY uses https:\/\/; only a plain http:\/\/ proxy/);
});

test('flags out of range', async () => {
  assert.match(await refusal({}, { concurrency: '0' }), /--concurrency: must be a whole number from 1 to 64, not "0"/);
  assert.match(await refusal({}, { maxWait: 'soon' }), /--max-wait: must be a whole number/);
  assert.match(await refusal({}, { timeout: '99999' }), /--timeout: must be a whole number from 1 to 3600/);
});

test.run();
