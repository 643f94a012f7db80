// Compare two AsyncAPI documents with @asyncapi/diff (after @asyncapi/parser dereferences them)
// and print its breaking, non-breaking and unclassified changes as JSON.
// Usage: node tests/diff/asyncapi_diff.mjs OLD NEW [OLD NEW ...]  (one result per pair)
// Exit 0 on success, 1 when a document does not parse, 2 on a usage problem.
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";
import { diff } from "@asyncapi/diff";

const files = process.argv.slice(2);
if (files.length === 0 || files.length % 2 !== 0) {
  console.error("usage: node asyncapi_diff.mjs OLD NEW [OLD NEW ...]");
  process.exit(2);
}
const parser = new Parser();

async function load(file) {
  const { document, diagnostics } = await parser.parse(await readFile(file, "utf8"),
                                                       { source: file });
  if (document === undefined) {
    console.error(`${file}: does not parse: ${JSON.stringify(diagnostics.slice(0, 3))}`);
    process.exit(1);
  }
  return document.json();
}

const shape = (changes) => changes.map((c) => ({ action: c.action, path: c.path }));
const results = [];
for (let i = 0; i < files.length; i += 2) {
  const output = diff(await load(files[i]), await load(files[i + 1]));
  results.push({
    old: files[i], new: files[i + 1],
    breaking: shape(output.breaking()),
    nonBreaking: shape(output.nonBreaking()),
    unclassified: shape(output.unclassified()),
  });
}
process.stdout.write(JSON.stringify(results, null, 2) + "\n");
