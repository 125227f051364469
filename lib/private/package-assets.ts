import * as fs from 'fs';
import * as path from 'path';

/**
 * Absolute path of a file or folder under the package's `assets/`, found from this module's
 * folder upwards: `lib/private` when run from source, `dist/lib/private` when installed.
 */
export function packageAssetPath(relative: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'assets', relative);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cdk-scalable-ai: assets/${relative} is missing from the package installation`);
  }
}
