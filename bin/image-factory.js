#!/usr/bin/env node
'use strict';
// The executable: the CLI (generator/src/cli) with the analysis service's `serve` composed in, so
// that neither front end imports the other (docs/design.md, "Layers").
const { main } = require('../dist/generator/src/cli/cli.js');
const { serveCommandModule } = require('../dist/analysis-step/src/command.js');
main(process.argv, [serveCommandModule]).then(
  (code) => {
    process.exitCode = code;
  },
);
