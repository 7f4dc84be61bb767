// A fresh Node that only imports one build of the package: prints how long `await import()` of
// the given module URL took in this process, in ms (startup.mjs runs it and reads the figure).
// Imports nothing itself, so that nothing else is loaded before or during the measurement.
//   node scripts/bench/startup-import.mjs file:///…/dist/index.js
const start = performance.now();
await import(process.argv[2]);
process.stdout.write(`${performance.now() - start}\n`);
