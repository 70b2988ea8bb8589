// `image-factory` from its TypeScript source, for tests that run the CLI as a child process
// (test/support/cli-child.ts): always the code under test, never a stale build in dist/.
import { main } from '../../generator/src/cli';

main(process.argv).then((code) => {
  process.exitCode = code;
});
