/**
 * The YAML written under `cdk.out/manifests/<site>/` is what operators `kubectl apply` or commit
 * to GitOps: it must hold no CDK token text (a string, list or number token is meaningless
 * outside the synth that made it, and its text changes on every synth).
 */
import * as fs from 'fs';
import { AssemblyModel, writtenManifestFiles } from './assembly-model';
import { Invariant } from './invariant';

/** Text of aws-cdk-lib's string, list and number tokens. */
const TOKEN_TEXT = [/\$\{Token\[[^\]]*\]\}/, /#\{Token\[[^\]]*\]\}/, /-1\.888154589708\d*e\+289/];

export function tokenTextIn(text: string): string | undefined {
  for (const pattern of TOKEN_TEXT) {
    const match = text.match(pattern);
    if (match) return match[0];
  }
  return undefined;
}

export const manifestFilesResolved: Invariant = {
  id: 'manifest-files-resolved',
  description: 'manifests written for kubectl apply hold no unresolved tokens',
  check(model: AssemblyModel): string[] {
    return writtenManifestFiles(model.assembly.directory).flatMap(({ site, file }) => {
      const token = tokenTextIn(fs.readFileSync(file, 'utf8'));
      return token ? [`manifest ${file} of site ${site} holds the unresolved token ${token}: it cannot be applied and changes on every synth.`] : [];
    });
  },
};
