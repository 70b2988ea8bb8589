// The CLI loads a command's modules only when that command runs: `--version` and `--help` must not
// compile the images.yaml schema or load ajv, yaml, dockerfile-ast or simple-git. Each case runs in
// a fresh node process (this one has every module loaded by other suites) and reports the modules
// it loaded; no timing is asserted (bench/cli-startup.ts measures that).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Command } from 'commander';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../generator/src/cli/cli';
import { COMMAND_MODULES, requestedCommand } from '../generator/src/cli/commands';
import { serveCommandModule } from '../analysis-step/src/command';
import { packageVersion } from '../generator/src/core/package-root';
import { captureOutput } from './support/tree';

const root = path.resolve(__dirname, '..');

/** The modules (paths relative to the repository) a fresh process loads to run the CLI with args. */
function modulesLoadedBy(args: string[]): string[] {
  return runCli(args).loaded;
}

/**
 * What a fresh process does to run the CLI with args: the modules it loads, and how many schemas
 * it hands ajv (every schema the project compiles is added first, so this counts compilations).
 */
function runCli(args: string[]): { loaded: string[]; schemasAdded: number } {
  // ajv is counted when someone else loads it, so that counting loads nothing.
  const script = `const Module = require('module'); const load = Module._load; let added = 0; let patched = false;
  Module._load = function (request, ...rest) {
    const exported = load.call(this, request, ...rest);
    if (request === 'ajv' && !patched) {
      patched = true;
      const add = exported.default.prototype.addSchema;
      exported.default.prototype.addSchema = function (...a) { added++; return add.apply(this, a); };
    }
    return exported;
  };
  require('./generator/src/cli/cli').main(['node', 'image-factory', ...${JSON.stringify(args)}], [require('./analysis-step/src/command').serveCommandModule]).then(() => {
    process.stderr.write('\\nLOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\nADDED ' + added + '\\n');
  });`;
  const run = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf8' });
  const line = /^LOADED (.*)$/m.exec(run.stderr);
  const added = /^ADDED (\d+)$/m.exec(run.stderr);
  if (!line || !added) throw new Error(`no module list from image-factory ${args.join(' ')}: ${run.stderr}`);
  return { loaded: (JSON.parse(line[1]) as string[]).map((m) => path.relative(root, m)), schemasAdded: Number(added[1]) };
}

const HEAVY = /^node_modules\/(ajv|ajv-formats|yaml|dockerfile-ast|simple-git|handlebars)\/|^generator\/src\/(core|cli)\/(config|generate|dockerfile|git|graph|values-file|state-file)\.ts$|^analysis-step\/src\/(?!command\.ts$)/;

test('--version and --help load no command module and none of the heavy libraries', () => {
  for (const args of [['--version'], ['--help'], ['help'], []]) {
    const heavy = modulesLoadedBy(args).filter((m) => HEAVY.test(m));
    const named = [...new Set(heavy.map((m) => m.split('/').slice(0, m.startsWith('node_modules/') ? 2 : 4).join('/')))];
    assert.ok(heavy.length === 0, `image-factory ${args.join(' ')} loaded ${named.join(', ')}`);
  }
});

test('--version alone is answered before commander loads, as commander would answer it', async () => {
  for (const flag of ['--version', '-V']) {
    const loaded = modulesLoadedBy([flag]);
    assert.not.ok(loaded.some((m) => m.startsWith('node_modules/commander/')), `${flag} loaded commander`);
    const out = await captureOutput(() => main(['node', 'image-factory', flag]));
    assert.equal([out.result, out.stdout, out.stderr], [0, `${packageVersion()}\n`, '']);
  }
  assert.ok(modulesLoadedBy(['--help']).some((m) => m.startsWith('node_modules/commander/')), '--help needs commander (the check above would see it)');
});

test("a command's own help loads its module (the check above would see it)", () => {
  const bases = modulesLoadedBy(['bases', '--help']);
  assert.ok(bases.includes('generator/src/core/dockerfile.ts'), 'bases loads the Dockerfile analyser');
  assert.ok(!bases.some((m) => m.startsWith('node_modules/simple-git/')), 'bases does not load simple-git');
  const validate = modulesLoadedBy(['help', 'validate']);
  assert.ok(validate.includes('generator/src/core/config.ts'), 'help validate loads the generate module');
});

test("a command's help compiles no schema; running the command does", () => {
  for (const command of ['generate', 'validate', 'status', 'report', 'rebuild', 'analyze', 'serve']) {
    assert.is(runCli([command, '--help']).schemasAdded, 0, `${command} --help compiled a schema`);
  }
  assert.ok(runCli(['validate', '--root', path.join(root, 'examples/exemplar')]).schemasAdded > 0, 'validate compiles images.yaml\'s schema (the check above would see it)');
});

const argTerm = (a: { name(): string; required: boolean; variadic: boolean }): string => {
  const name = `${a.name()}${a.variadic ? '...' : ''}`;
  return a.required ? `<${name}>` : `[${name}]`;
};

test('each listing matches the commands its module registers: names and arguments', () => {
  const listed: string[] = [];
  for (const entry of [...COMMAND_MODULES, serveCommandModule]) {
    const program = new Command();
    entry.load()(program);
    const real = program.commands.map((c) => ({ name: c.name(), args: c.registeredArguments.map(argTerm) }));
    assert.equal(
      entry.commands.map((c) => ({ name: c.name, args: c.args })),
      real,
    );
    for (const c of entry.commands) assert.ok(c.summary.length > 0 && !c.summary.includes('\n'), `${c.name}: a one-line summary`);
    listed.push(...real.map((c) => c.name));
  }
  assert.is(new Set(listed).size, listed.length, 'no command is listed twice');
});

test('the command is found as commander finds it: first operand, or the one after help', () => {
  assert.is(requestedCommand(['generate', '--root', 'x']), 'generate');
  assert.is(requestedCommand(['--help']), undefined);
  assert.is(requestedCommand(['help', 'bases']), 'bases');
  assert.is(requestedCommand(['-V']), undefined);
});

test('--help lists every command with its summary; help <command> and an unknown command still work', async () => {
  const help = await captureOutput(() => main(['node', 'image-factory', '--help']));
  assert.is(help.result, 0);
  for (const entry of COMMAND_MODULES) {
    for (const c of entry.commands) assert.match(help.stdout, new RegExp(`^  ${[c.name, ...c.args].join(' ').replace(/[<>[\]]/g, '\\$&')}\\s`, 'm'));
  }
  const bases = await captureOutput(() => main(['node', 'image-factory', 'help', 'bases']));
  assert.match(bases.stdout, /--build-arg <NAME=VALUE>/);
  const typo = await captureOutput(() => main(['node', 'image-factory', 'genrate']));
  assert.is(typo.result, 1);
  assert.match(typo.stderr, /unknown command 'genrate'[\s\S]*Did you mean generate\?/);
});

test.run();
