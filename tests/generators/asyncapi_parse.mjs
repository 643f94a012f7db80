// Parse AsyncAPI documents with @asyncapi/parser (offline) and print its diagnostics as JSON.
// Usage: node tests/generators/asyncapi_parse.mjs FILE...
// Exit 0 when no document has an error-level diagnostic, 1 otherwise, 2 on a usage problem.
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node asyncapi_parse.mjs FILE...");
  process.exit(2);
}
const parser = new Parser();
const report = [];
let failed = false;
for (const file of files) {
  const text = await readFile(file, "utf8");
  const { document, diagnostics } = await parser.parse(text, { source: file });
  // Spectral severities: 0 error, 1 warning, 2 info, 3 hint.
  const errors = diagnostics.filter((d) => d.severity === 0);
  failed ||= errors.length > 0 || document === undefined;
  report.push({
    file,
    parsed: document !== undefined,
    diagnostics: diagnostics.map((d) => ({
      severity: d.severity, code: d.code, message: d.message, path: d.path,
    })),
  });
}
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
process.exit(failed ? 1 : 0);
