import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, formatProblem, toProblems } from '../generator/src/core/errors';
import { GitFetchError } from '../generator/src/core/git';
import { GitHubError } from '../generator/src/core/providers/github';
import { AnalysisRefusal } from '../generator/src/core/analysis-refusal';
import { main } from '../generator/src/cli/cli';
import { ExitError } from '../generator/src/cli/exit-error';
import { captureOutput } from './support/tree';

test('a problem with a position prints as file:line:col: message', () => {
  assert.is(formatProblem({ subject: 'images.yaml', line: 14, col: 7, message: 'bad' }), 'images.yaml:14:7: bad');
});

test('a problem without a line names the file only', () => {
  assert.is(formatProblem({ subject: 'images.yaml', message: 'not UTF-8' }), 'images.yaml: not UTF-8');
});

test('a UserError lists every problem, one a line', () => {
  const e = new UserError([
    { subject: 'a', line: 1, col: 2, message: 'x' },
    { subject: 'b', line: 3, col: 4, message: 'y' },
  ]);
  assert.is(e.message, 'a:1:2: x\nb:3:4: y');
  assert.is(e.problems.length, 2);
});

test('every error a user can act on becomes subject: message problems; anything else is a bug', () => {
  assert.equal(toProblems(new UserError({ subject: 'images.yaml', line: 2, col: 3, message: 'bad' })), [{ subject: 'images.yaml', line: 2, col: 3, message: 'bad' }]);
  assert.equal(toProblems(new GitHubError('HTTP 401: Bad credentials', 401)), [{ subject: 'GitHub', message: 'HTTP 401: Bad credentials' }]);
  assert.equal(toProblems(new GitFetchError('timeout', 'the fetch took over 60 s')), [{ subject: 'git', message: 'the fetch took over 60 s' }]);
  assert.equal(toProblems(new GitFetchError('invalid-input', 'is not https', 'repoURL')), [{ subject: 'repoURL', message: 'is not https' }]);
  assert.equal(toProblems(new AnalysisRefusal('local-image', 'is local', 'image')), [{ subject: 'image', message: 'is local' }]);
  assert.is(toProblems(new TypeError('x is undefined')), undefined);
  assert.is(toProblems('a string'), undefined);
});

test('main() alone decides the exit code: a user error is 1 with its problems, a bug is 70, and process.exitCode is never touched', async () => {
  const before = process.exitCode;
  const bad = await captureOutput(() => main(['node', 'image-factory', 'bases', path.join(__dirname, 'no-such-Dockerfile')]));
  assert.is(bad.result, 1);
  assert.match(bad.stderr, /no-such-Dockerfile/);
  assert.not.match(bad.stderr, /\n\s+at /, 'no stack trace');
  assert.is(process.exitCode, before);
  assert.ok(new ExitError(3).code === 3);
});

test('no source file but the executable sets process.exitCode', () => {
  const root = path.resolve(__dirname, '..');
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts') && /process\.exitCode\s*=(?!=)/.test(fs.readFileSync(path.join(root, rel), 'utf8'))) offenders.push(rel);
    }
  };
  walk('generator/src');
  walk('analysis-step/src');
  assert.equal(offenders, []);
});

test.run();
