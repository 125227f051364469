import { CfnResource, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { nagFindings } from './nag';
import { expectValidManifests, KubernetesObject, schemaErrors } from './kubernetes-schemas';
import { expectRestrictedPods } from './pod-security';
import { maskVolatile } from './mask-volatile';
import { cleanTemplate, synthesizeClean, testApp } from './synth';

const restrictedContainer = {
  name: 'app',
  image: 'public.ecr.aws/nginx/nginx:1.27',
  securityContext: {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

function deployment(namespace: string, container: object, podExtras: object = {}): KubernetesObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container], ...podExtras } },
    },
  };
}

describe('synthesizeClean', () => {
  test('passes a template without findings', () => {
    const app = testApp();
    const stack = new Stack(app, 'Ok');
    new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
    expect(() => cleanTemplate(stack).resourceCountIs('AWS::S3::Bucket', 1)).not.toThrow();
  });

  test('fails on a CloudFormation schema error', () => {
    const app = testApp();
    const stack = new Stack(app, 'Bad');
    new CfnResource(stack, 'Broken', { type: 'AWS::S3::Bucket', properties: { NotAProperty: true } });
    expect(() => synthesizeClean(app)).toThrow(/F3002.*NotAProperty/s);
  });

  test('fails on a schema warning', () => {
    const app = testApp();
    const stack = new Stack(app, 'Warn');
    new CfnResource(stack, 'Odd', { type: 'AWS::S3::Bucket', properties: { VersioningConfiguration: { Status: 'Maybe' } } });
    expect(() => synthesizeClean(app)).toThrow(/W3030/);
  });

  test('fails on a warning annotation', () => {
    const app = testApp();
    const stack = new Stack(app, 'Annotated');
    new s3.Bucket(stack, 'Bucket');
    stack.node.addMetadata('aws:cdk:warning', 'something is off');
    expect(() => synthesizeClean(app)).toThrow(/something is off/);
  });
});

describe('kubernetes schema validation', () => {
  test('accepts a valid Deployment, KEDA ScaledObject and Karpenter NodePool', () => {
    expect(() => expectValidManifests([
      deployment('apps', restrictedContainer),
      {
        apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'web', namespace: 'apps' },
        spec: { scaleTargetRef: { name: 'web' }, triggers: [{ type: 'prometheus', metadata: { serverAddress: 'http://p:9090', query: 'sum(x)', threshold: '5' } }] },
      },
      {
        apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'gpu' },
        spec: { template: { spec: { nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'default' }, requirements: [] } } },
      },
    ])).not.toThrow();
  });

  test('rejects a Deployment with a wrong field type', () => {
    const bad = deployment('apps', { ...restrictedContainer, ports: [{ containerPort: 'eighty' }] });
    expect(schemaErrors([bad]).join()).toMatch(/Deployment apps\/web: .*containerPort/);
  });

  test('rejects an object without a known schema', () => {
    expect(schemaErrors([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]).join())
      .toMatch(/no schema known/);
  });

  test('checks a LeaderWorkerSet against its CRD and each of its pod templates against the Pod schema', () => {
    const template = (container: unknown) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [container] } });
    const group = (leader: unknown, extra: Record<string, unknown> = {}) => ({
      apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name: 'web', namespace: 'apps' },
      spec: { leaderWorkerTemplate: { size: 2, leaderTemplate: template(leader), workerTemplate: template(restrictedContainer) }, ...extra },
    });
    expect(schemaErrors([group(restrictedContainer)])).toEqual([]);
    expect(schemaErrors([group({ ...restrictedContainer, ports: [{ containerPort: 'eighty' }] })]).join())
      .toMatch(/LeaderWorkerSet apps\/web: spec\.leaderWorkerTemplate\.leaderTemplate: .*containerPort/);
    expect(schemaErrors([group(restrictedContainer, { startupPolicy: 'WhenReady' })]).join()).toMatch(/startupPolicy/);
  });

  test('rejects a LeaderWorkerSet pod outside the restricted profile', () => {
    const group = {
      apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name: 'web', namespace: 'apps' },
      spec: { leaderWorkerTemplate: { size: 2, workerTemplate: { spec: { containers: [{ ...restrictedContainer, securityContext: { privileged: true } }] } } } },
    };
    expect(() => expectRestrictedPods([group as KubernetesObject])).toThrow(/LeaderWorkerSet apps\/web: container .*privileged/);
  });

  test('rejects a ScaledObject without triggers', () => {
    const bad = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'w' }, spec: { scaleTargetRef: { name: 'web' } } };
    expect(schemaErrors([bad])).toHaveLength(1);
  });
});

describe('pod security restricted check', () => {
  test('accepts a restricted pod', () => {
    expect(() => expectRestrictedPods([deployment('apps', restrictedContainer)])).not.toThrow();
  });

  test('rejects a privileged pod', () => {
    const privileged = deployment('apps', { ...restrictedContainer, securityContext: { privileged: true } });
    expect(() => expectRestrictedPods([privileged])).toThrow(/privileged/);
  });

  test('rejects hostPath volumes and host networking', () => {
    const host = deployment('apps', restrictedContainer, { hostNetwork: true, volumes: [{ name: 'h', hostPath: { path: '/' } }] });
    expect(() => expectRestrictedPods([host])).toThrow(/hostNetwork[\s\S]*hostPath/);
  });

  test('allows privileged pods only in namespaces labelled privileged', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gpu-system', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } };
    const daemon = deployment('gpu-system', { name: 'd', image: 'x', securityContext: { privileged: true } });
    expect(() => expectRestrictedPods([ns, daemon])).not.toThrow();
  });
});

describe('cdk-nag gate', () => {
  test('reports a public, unencrypted bucket without access logs', () => {
    const app = testApp();
    const stack = new Stack(app, 'Public');
    new s3.Bucket(stack, 'Bucket', {
      publicReadAccess: true,
      blockPublicAccess: new s3.BlockPublicAccess({ blockPublicPolicy: false, restrictPublicBuckets: false, blockPublicAcls: false, ignorePublicAcls: false }),
    });
    const rules = nagFindings(app).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});

describe('snapshot serializer', () => {
  test('masks asset hashes', () => {
    const hash = 'a'.repeat(64);
    expect(maskVolatile(`s3://bucket/${hash}.zip`)).toBe('s3://bucket/<asset-hash>.zip');
  });
});

describe('snapshot serializer in snapshots', () => {
  test('masks hashes inside snapshotted templates', () => {
    expect({ key: `${'b'.repeat(64)}.zip` }).toMatchInlineSnapshot(`
{
  "key": "<asset-hash>.zip",
}
`);
  });
});
