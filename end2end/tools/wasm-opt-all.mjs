// `wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int` over every module of a
// split client, in one process: the npm `wasm-opt` command starts Node and loads binaryen
// (itself WebAssembly) for every file, about a second each, and a split client has hundreds of
// small chunks. Usage: node tools/wasm-opt-all.mjs FILE.wasm…  (each file is rewritten)
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';

// The command's two flags (bulk memory comes with its "opt" half, as the command enables it).
const F = binaryen.Features;
const extra = F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt;
binaryen.setOptimizeLevel(2); // -Oz: optimise like -O2 …
binaryen.setShrinkLevel(2); // … and shrink as hard as it can
let before = 0;
let after = 0;
for (const file of process.argv.slice(2)) {
  const input = readFileSync(file);
  const module = binaryen.readBinary(input);
  module.setFeatures(module.getFeatures() | extra);
  module.optimize();
  const output = module.emitBinary();
  module.dispose();
  writeFileSync(file, output);
  before += input.length;
  after += output.length;
}
console.log(`wasm-opt -Oz: ${process.argv.length - 2} modules, ${before} → ${after} bytes`);
