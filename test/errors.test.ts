import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError, formatProblem } from '../generator/src/core/errors';

test('a problem with a position prints as file:line:col: message', () => {
  assert.is(formatProblem({ file: 'images.yaml', line: 14, col: 7, message: 'bad' }), 'images.yaml:14:7: bad');
});

test('a problem without a line names the file only', () => {
  assert.is(formatProblem({ file: 'images.yaml', message: 'not UTF-8' }), 'images.yaml: not UTF-8');
});

test('a UserError lists every problem, one a line', () => {
  const e = new UserError([
    { file: 'a', line: 1, col: 2, message: 'x' },
    { file: 'b', line: 3, col: 4, message: 'y' },
  ]);
  assert.is(e.message, 'a:1:2: x\nb:3:4: y');
  assert.is(e.problems.length, 2);
});

test.run();
