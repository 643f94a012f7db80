// Validate Kubernetes custom resources against their published CRD schemas
// (@kubernetes-models/istio, @kubernetes-models/prometheus-operator).
// Usage: node crd_validate.mjs objects.json   (a JSON array of objects)
// Prints a JSON array: [{kind, name, error}] with error null when valid.
import { readFileSync } from "node:fs";

const PACKAGES = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

function packageOf(group) {
  if (group.endsWith(".istio.io")) return "@kubernetes-models/istio";
  return PACKAGES[group];
}

const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
const report = [];
for (const obj of objects) {
  const [group, version] = obj.apiVersion.split("/");
  const pkg = packageOf(group);
  const name = obj.metadata && obj.metadata.name;
  if (!pkg) {
    report.push({ kind: obj.kind, name, error: `no CRD package for ${obj.apiVersion}` });
    continue;
  }
  try {
    const mod = await import(`${pkg}/${group}/${version}/${obj.kind}`);
    new mod[obj.kind](obj).validate();
    report.push({ kind: obj.kind, name, error: null });
  } catch (err) {
    report.push({ kind: obj.kind, name, error: String(err && err.message || err) });
  }
}
process.stdout.write(JSON.stringify(report));
