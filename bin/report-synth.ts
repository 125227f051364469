/** Prints where `npm run synth` wrote its output: templates per stack and manifests per site. */
import * as fs from 'fs';
import * as path from 'path';

const outdir = path.resolve(process.argv[2] ?? 'cdk.out');

function listFiles(dir: string, suffix: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('asset.') ? [] : listFiles(full, suffix);
    return entry.name.endsWith(suffix) ? [full] : [];
  });
}

const templates = listFiles(outdir, '.template.json');
const manifests = listFiles(path.join(outdir, 'manifests'), '.k8s.yaml');
console.log(`CloudFormation templates (${templates.length}):`);
for (const file of templates) console.log(`  ${path.relative(process.cwd(), file)}`);
console.log(`Kubernetes manifests (${manifests.length}):`);
for (const file of manifests) console.log(`  ${path.relative(process.cwd(), file)}`);
