// Compare two AsyncAPI documents with @asyncapi/diff (after @asyncapi/parser dereferences them)
// and print its breaking, non-breaking and unclassified changes as JSON.
// Usage: node tests/diff/asyncapi_diff.mjs OLD NEW
// Exit 0 on success, 1 when a document does not parse, 2 on a usage problem.
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";
import { diff } from "@asyncapi/diff";

const files = process.argv.slice(2);
if (files.length !== 2) {
  console.error("usage: node asyncapi_diff.mjs OLD NEW");
  process.exit(2);
}
const parser = new Parser();
const documents = [];
for (const file of files) {
  const { document, diagnostics } = await parser.parse(await readFile(file, "utf8"),
                                                       { source: file });
  if (document === undefined) {
    console.error(`${file}: does not parse: ${JSON.stringify(diagnostics.slice(0, 3))}`);
    process.exit(1);
  }
  documents.push(document.json());
}
const output = diff(documents[0], documents[1]);
const shape = (changes) => changes.map((c) => ({ action: c.action, path: c.path }));
process.stdout.write(JSON.stringify({
  breaking: shape(output.breaking()),
  nonBreaking: shape(output.nonBreaking()),
  unclassified: shape(output.unclassified()),
}, null, 2) + "\n");
