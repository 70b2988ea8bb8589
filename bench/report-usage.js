// Loaded with `node -r` by the benches: prints the CPU time (user + system) the process used as the
// last line of stderr when it exits, so a bench can time a fresh process without other tools.
process.on('exit', () => {
  const used = process.cpuUsage();
  process.stderr.write(`\ncpu-ms ${Math.round((used.user + used.system) / 1000)}\n`);
});
