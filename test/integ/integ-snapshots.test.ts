/**
 * Every integration test app synthesizes to its committed snapshot (no credentials, nothing
 * deployed). `INTEG_SNAPSHOT_UPDATE=true` rewrites the snapshots instead.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { integApp, TEST_CA_BUNDLE } from './integ-app';
import { compareSnapshot, maskSnapshot, snapshotFiles, UPDATE_ENV, writeSnapshot } from './integ-snapshot';
import { buildHybridBurstInteg, HYBRID_INTEG_CONTEXT } from './integ.hybrid-burst';
import { buildLlmServingInteg } from './integ.llm-serving-scale-to-zero';
import { buildReferencePlatformInteg } from './integ.reference-platform';
import { buildSageMakerEndpointInteg } from './integ.sagemaker-endpoint';
import { buildStreamingFeaturesInteg } from './integ.streaming-features';

const CASES: Array<[string, (app: App) => IntegTest, Record<string, unknown>]> = [
  ['reference-platform', buildReferencePlatformInteg, {}],
  ['llm-serving-scale-to-zero', buildLlmServingInteg, {}],
  ['streaming-features', buildStreamingFeaturesInteg, { onPremisesCaBundle: TEST_CA_BUNDLE }],
  ['sagemaker-endpoint', buildSageMakerEndpointInteg, {}],
  ['hybrid-burst', buildHybridBurstInteg, HYBRID_INTEG_CONTEXT],
];

describe('integration test snapshots', () => {
  test.each(CASES)('integ.%s.ts matches its committed snapshot', (name, build, context) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `integ-${name}-`));
    try {
      const app = integApp({ outdir }, context);
      build(app);
      app.synth();
      const snapshot = path.join(__dirname, `integ.${name}.ts.snapshot`);
      if (process.env[UPDATE_ENV] === 'true') writeSnapshot(outdir, snapshot);
      expect(compareSnapshot(outdir, snapshot)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('the comparison masks asset hashes and salts but sees real changes', () => {
    const hash = 'a'.repeat(64);
    expect(maskSnapshot(`{"S3Key":"${hash}.zip","salt":"1733000000000"}`)).toBe(maskSnapshot(`{"S3Key":"${'b'.repeat(64)}.zip","salt":"1"}`));
    expect(maskSnapshot('{"BucketName":"a"}')).not.toBe(maskSnapshot('{"BucketName":"b"}'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-compare-'));
    const snap = path.join(dir, 'snap');
    try {
      fs.mkdirSync(path.join(dir, 'assembly-X'));
      fs.writeFileSync(path.join(dir, 'manifest.json'), '{"a":1}');
      fs.writeFileSync(path.join(dir, 'assembly-X', 'S.template.json'), '{"Resources":{}}');
      fs.writeFileSync(path.join(dir, 'tree.json'), '{}');
      writeSnapshot(dir, snap);
      expect(snapshotFiles(snap)).toEqual(['assembly-X/S.template.json', 'manifest.json']);
      expect(compareSnapshot(dir, snap)).toEqual([]);
      fs.writeFileSync(path.join(dir, 'assembly-X', 'S.template.json'), '{"Resources":{"B":{}}}');
      expect(compareSnapshot(dir, snap)).toEqual(['changed assembly-X/S.template.json']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
