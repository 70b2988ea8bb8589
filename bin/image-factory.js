#!/usr/bin/env node
'use strict';
require('../dist/generator/src/cli.js').main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
);
