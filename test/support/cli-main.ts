// `image-factory` from its TypeScript source, for tests that run the CLI as a child process
// (test/support/cli-child.ts): always the code under test, never a stale build in dist/. Composed
// as bin/image-factory.js composes it.
import { main } from '../../generator/src/cli/cli';
import { serveCommandModule } from '../../analysis-step/src/command';

main(process.argv, [serveCommandModule]).then((code) => {
  process.exitCode = code;
});
