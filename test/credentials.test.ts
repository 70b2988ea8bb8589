// Git credentials per host: a host's own pair wins, other hosts get the default pair or nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { credentialsFor, credentialsFromEnv, envSuffixOfHost, secretsOf } from '../generator/src/core/providers/credentials';

test('from the environment: GIT_*_<HOST> for that host only, GIT_USERNAME/GIT_PASSWORD for the rest', () => {
  const env = {
    GIT_USERNAME: 'any',
    GIT_PASSWORD: 'any-password-123',
    GIT_USERNAME_GITLAB_EXAMPLE_COM: 'gl',
    GIT_PASSWORD_GITLAB_EXAMPLE_COM: 'gl-token-456',
    GIT_USERNAME_GIT_EXAMPLE_COM_8443: 'port',
    GIT_PASSWORD_GIT_EXAMPLE_COM_8443: 'port-token-789',
  };
  const set = credentialsFromEnv(env, ['gitlab.example.com', 'git.example.com:8443', 'github.com']);
  assert.equal(credentialsFor(set, 'https://gitlab.example.com/a/b/c.git'), { username: 'gl', password: 'gl-token-456' });
  assert.equal(credentialsFor(set, 'https://GitLab.Example.com/a/b.git'), { username: 'gl', password: 'gl-token-456' }, 'hosts compare without case');
  assert.equal(credentialsFor(set, 'https://git.example.com:8443/x.git'), { username: 'port', password: 'port-token-789' });
  assert.equal(credentialsFor(set, 'https://git.example.com/x.git'), { username: 'any', password: 'any-password-123' }, 'another port is another host');
  assert.equal(credentialsFor(set, 'https://github.com/acme/x.git'), { username: 'any', password: 'any-password-123' });
  assert.is(envSuffixOfHost('git.example.com:8443'), 'GIT_EXAMPLE_COM_8443');
});

test('without a default pair, a host without its own gets nothing; every password is listed for redaction', () => {
  const set = credentialsFromEnv({ GIT_USERNAME_GITLAB_COM: 'u', GIT_PASSWORD_GITLAB_COM: 'only-gitlab-secret' }, ['gitlab.com', 'github.com']);
  assert.is(credentialsFor(set, 'https://github.com/acme/x.git'), undefined);
  assert.equal(credentialsFor(set, 'https://gitlab.com/g/p.git'), { username: 'u', password: 'only-gitlab-secret' });
  assert.ok(secretsOf(set).includes('only-gitlab-secret'));
  assert.ok(secretsOf(set).includes(Buffer.from('u:only-gitlab-secret').toString('base64')));
  assert.is(credentialsFor(undefined, 'https://github.com/a/b.git'), undefined);
});

test.run();
