/**
 * The README's deploy command selects every stack of the reference platform. The arguments
 * come from README.md, so the documented command and this test cannot drift apart; the
 * selection is the pinned CDK CLI's own `cdk deploy` selection (see deploy-selection.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildReferencePlatform } from '../../bin/reference-platform';
import { testApp } from '../harness/synth';
import { deploySelection, readmeDeployArgs, shellWords } from './deploy-selection';

const README = path.join(__dirname, '..', '..', 'README.md');

let outdir: string;
let stacks: string[];

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'reference-assembly-'));
  const app = testApp({ outdir });
  buildReferencePlatform(app);
  stacks = app.synth().stacksRecursively.map((s) => s.hierarchicalId).sort();
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe('the README deploy command', () => {
  test('selects every stack of the reference platform', () => {
    const args = readmeDeployArgs(fs.readFileSync(README, 'utf8'));
    const { selected, output } = deploySelection(args, outdir);
    expect(stacks).toEqual(['ScalableAi/Compute', 'ScalableAi/Data', 'ScalableAi/Inference']);
    if (selected.length === 0) throw new Error(`cdk deploy ${args.join(' ')} selected no stack:\n${output}`);
    expect([...selected].sort()).toEqual(stacks);
  });

  test('the probe tells selections that miss stacks: --all finds no stack inside a Stage', () => {
    const all = deploySelection(['--all'], outdir);
    expect(all.selected).toEqual([]);
    expect(all.output).toMatch(/No stack found in the main cloud assembly/);
    expect(deploySelection(['--exclusively', 'ScalableAi/Data'], outdir).selected).toEqual(['ScalableAi/Data']);
  });

  test('reads the documented command as a shell would', () => {
    const readme = "## Two commands\n\ndeploy with `npm run build && npx cdk deploy 'ScalableAi/*' -c \"a=b c\"` from ...\n## Next\n`npx cdk deploy --all`";
    expect(readmeDeployArgs(readme)).toEqual(['ScalableAi/*', '-c', 'a=b c']);
    expect(shellWords(`npx cdk deploy "Scalable Ai/*" x`)).toEqual(['npx', 'cdk', 'deploy', 'Scalable Ai/*', 'x']);
    expect(() => readmeDeployArgs('## Two commands\nnone here\n')).toThrow(/expected one/);
  });
});
