// The instruction reader (dockerfile-syntax.ts) must read every Dockerfile exactly as the
// dockerfile-ast library did when the analyser was built on it (a dev dependency kept as the
// reference): the directives, every instruction's word and position, FROM's words, the flags and
// mount options of FROM, COPY, ADD and RUN, and ARG/ENV argument text. Compared over the corpus,
// the fixtures, and seeded random texts made of the characters the library treats specially.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DockerfileParser, ModifiableInstruction } from 'dockerfile-ast';
import type { Instruction as AstInstruction } from 'dockerfile-ast';
import { argumentsText, flagOptions, flagsIn, LineIndex, readDockerfileSyntax } from '../generator/src/core/dockerfile-syntax';
import { pick, seeded } from './support/random';
import { sharedPath } from './support/shared';

interface Reading {
  escape: string;
  directives: unknown[];
  instructions: unknown[];
}

const at = (p: { line: number; character: number }) => `${p.line + 1}:${p.character + 1}`;
const FLAGGED = new Set(['FROM', 'COPY', 'ADD', 'RUN']);

/** What the analyser used to take from dockerfile-ast. */
function readWithLibrary(text: string): Reading {
  const dockerfile = DockerfileParser.parse(text);
  return {
    escape: dockerfile.getEscapeCharacter(),
    directives: dockerfile.getDirectives().map((d) => [d.getName(), d.getValue(), at(d.getValueRange().start)]),
    instructions: dockerfile.getInstructions().map((i: AstInstruction) => {
      const keyword = i.getKeyword();
      const entry: unknown[] = [i.getInstruction(), keyword, at(i.getInstructionRange().start)];
      if (FLAGGED.has(keyword) && i instanceof ModifiableInstruction) {
        entry.push(
          i.getFlags().map((f) => [f.getName(), f.getValue(), at(f.getRange().start), f.getOptions().map((o) => [o.getName(), o.getValue(), at(o.getRange().start)])]),
          i.getArguments().map((a) => [a.getValue(), at(a.getRange().start)]),
        );
      }
      if (keyword === 'ARG' || keyword === 'ENV') entry.push(i.getArgumentsContent());
      return entry;
    }),
  };
}

function readWithOurs(text: string): Reading {
  const lines = new LineIndex(text);
  const pos = (offset: number) => {
    const p = lines.positionAt(offset);
    return `${p.line}:${p.col}`;
  };
  const syntax = readDockerfileSyntax(text, lines);
  return {
    escape: syntax.escape,
    directives: syntax.directives.map((d) => [d.name, d.value, pos(d.valueStart)]),
    instructions: syntax.instructions.map((i) => {
      const entry: unknown[] = [i.written, i.keyword, pos(i.start)];
      if (FLAGGED.has(i.keyword)) {
        const { flags, args } = flagsIn(text, syntax.escape, i.wordEnd, i.end);
        entry.push(
          flags.map((f) => [f.name, f.value, pos(f.start), flagOptions(f).map((o) => [o.name, o.value, pos(o.start)])]),
          args.map((a) => [a.value, pos(a.start)]),
        );
      }
      if (i.keyword === 'ARG' || i.keyword === 'ENV') entry.push(argumentsText(syntax, lines, i));
      return entry;
    }),
  };
}

function sameReading(text: string, label: string): void {
  assert.equal(readWithOurs(text), readWithLibrary(text), `${label}: ${JSON.stringify(text.slice(0, 300))}`);
}

test('fixtures are read as dockerfile-ast reads them', () => {
  const fixtures = path.join(__dirname, 'fixtures');
  let n = 0;
  for (const name of fs.readdirSync(fixtures).sort()) {
    const file = path.join(fixtures, name, 'Dockerfile');
    if (!fs.existsSync(file)) continue;
    sameReading(fs.readFileSync(file, 'utf8'), name);
    n++;
  }
  assert.ok(n >= 25, `${n} fixtures`);
});

test('the corpus is read as dockerfile-ast reads it', () => {
  const corpus = sharedPath('corpus/dockerfiles', 'dockerfile-syntax');
  if (!corpus) return;
  const names = fs.readdirSync(corpus).sort();
  assert.ok(names.length >= 150, `${names.length} corpus files`);
  for (const name of names) sameReading(fs.readFileSync(path.join(corpus, name), 'utf8'), name);
});

// Pieces that exercise the reader's quirks: escapes before blanks and line ends, comments inside
// continuations, here-documents (tabbed, quoted, in ONBUILD), flags and "--" inside words, CR
// line ends, directives, quotes and substitutions.
const PIECES = [
  'FROM', 'from', 'ARG', 'ENV', 'COPY', 'ADD', 'RUN', 'ONBUILD', 'LABEL', 'HEALTHCHECK', ' ', '  ', '\t', '\n', '\n', '\r\n', '\r',
  '\\', '\\\n', '\\ \n', '\\\t\r\n', '`', '`\n', '#', '# c\n', '# escape=`\n', '# escape=\\\n', '#x=y\n', ' # syntax = a b\n',
  '--from=', '--from', '--mount=type=cache,from=', '--mount=,from=x,', '--platform=', '--a=', '-', '--', 'a--b', '=', ',',
  'a', 'b', 'x:1', 'alpine', 'node:20', 'AS', 'as', 'st', '"', "'", '$', '${', '}', '${A}', '$A', 'A=1', 'B=$A', 'A="x y"',
  '<<EOF', '<<-EOF', 'EOF', '\tEOF', '<<"E"', "<<'E'", '<<<', 'E', '0', '1', 'scratch', '@sha256:', '\ufeff', 'é', '\\$',
];

test('seeded random texts are read as dockerfile-ast reads them', () => {
  const random = seeded(11);
  for (let round = 0; round < 3000; round++) {
    let text = random() < 0.6 ? pick(random, ['FROM a\n', 'ARG A=x\nFROM a AS st\n', '# escape=`\nFROM a\n', ' RUN \\\n']) : '';
    const pieces = 1 + Math.floor(random() * 40);
    for (let i = 0; i < pieces; i++) text += pick(random, PIECES) + (random() < 0.5 ? ' ' : '');
    sameReading(text, `round ${round}`);
  }
});

test('line and column: CR, LF and CRLF each end a line; an offset inside CRLF counts as the CR', () => {
  const lines = new LineIndex('a\r\nb\rc\nd');
  assert.equal([0, 1, 2, 3, 5, 7, 8].map((o) => lines.positionAt(o)), [
    { line: 1, col: 1 },
    { line: 1, col: 2 },
    { line: 1, col: 2 },
    { line: 2, col: 1 },
    { line: 3, col: 1 },
    { line: 4, col: 1 },
    { line: 4, col: 2 },
  ]);
});

test.run();
