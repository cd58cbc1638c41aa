#!/usr/bin/env node
// Fails when the folders under src/ import each other in a cycle. Each folder is a layer of the decision pipeline
// (see README, "How it works"); imports between them must go one way. Files directly in src/ are leaves.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)|require\(\s*'(\.[^']+)'\s*\)/g;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

/** The top-level folder of a file under src/, or null for a file directly in src/. */
function layerOf(file) {
  const parts = relative(root, file).split(sep);
  return parts.length > 1 ? parts[0] : null;
}

const edges = new Map();
const examples = new Map();
for (const file of files(root)) {
  const from = layerOf(file);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3];
    const to = layerOf(resolve(dirname(file), spec));
    if (from === null || to === null || from === to) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from).add(to);
    const key = `${from}->${to}`;
    if (!examples.has(key)) examples.set(key, `${relative(root, file)} imports '${spec}'`);
  }
}

// Tarjan's strongly connected components: any component larger than one folder is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function visit(v) {
  state.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of edges.get(v) ?? []) {
    if (!state.has(w)) {
      visit(w);
      state.get(v).low = Math.min(state.get(v).low, state.get(w).low);
    } else if (state.get(w).onStack) {
      state.get(v).low = Math.min(state.get(v).low, state.get(w).index);
    }
  }
  if (state.get(v).low === state.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  }
}
for (const v of edges.keys()) if (!state.has(v)) visit(v);

if (cycles.length === 0) {
  console.log(`No import cycles between the ${edges.size} folders of src/.`);
} else {
  console.error('Import cycles between folders of src/ (imports must go one way):');
  for (const component of cycles) {
    console.error(`- ${component.join(', ')}`);
    for (const from of component) {
      for (const to of edges.get(from) ?? []) {
        if (component.includes(to)) console.error(`    ${examples.get(`${from}->${to}`)}`);
      }
    }
  }
  process.exit(1);
}
