/**
 * Each cross-resource invariant on a known-bad input (it must report) and on the same input
 * repaired (it must not): the gates that run on every synthesized app are themselves tested.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, attachCustomSynthesis, CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { checkInvariants, Invariant } from './invariants';
import { crdsBeforeObjects } from './invariants/crd-order';
import { alarmsNotify, logGroupsRetainedAndEncrypted } from './invariants/hygiene';
import { keysAdmitTheirUsers } from './invariants/key-usage';
import { gatewayRoutesResolve } from './invariants/gateway-routes';
import { gpuResourcesAdvertised } from './invariants/gpu-resources';
import { nodeUserDataMerges } from './invariants/node-user-data';
import { kueueQueuesAdmit, selects } from './invariants/kueue';
import { KubernetesObject, schemaErrors } from './kubernetes-schemas';
import { manifestFilesResolved } from './invariants/manifest-files';
import { metricsHaveProducers } from './invariants/metrics-produced';
import { metricNamesIn } from './invariants/promql';
import { cidrContains, networkPoliciesEnforcedAndSufficient } from './invariants/network-policy';
import { podIdentityBeforePods } from './invariants/pod-identity-order';
import { volumesBind } from './invariants/volume-binding';


function violations(app: App, invariant: Invariant): string[] {
  return checkInvariants(app, app.synth(), [invariant]).map((v) => v.message);
}

function cluster(stack: Stack, props: Partial<eks.CfnClusterProps> = {}): eks.CfnCluster {
  return new eks.CfnCluster(stack, 'Cluster', {
    roleArn: 'arn:aws:iam::111111111111:role/cluster',
    resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
    ...props,
  });
}

function manifest(stack: Stack, id: string, clusterName: string, objects: unknown[]): CfnResource {
  return new CfnResource(stack, id, {
    type: 'Custom::AWSCDK-EKS-KubernetesResource',
    properties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:kubectl', ClusterName: clusterName, Manifest: JSON.stringify(objects) },
  });
}

function helmChart(stack: Stack, id: string, clusterName: string, chart: string, namespace: string): CfnResource {
  return new CfnResource(stack, id, {
    type: 'Custom::AWSCDK-EKS-HelmChart',
    properties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:kubectl', ClusterName: clusterName, Chart: chart, Release: chart, Namespace: namespace },
  });
}

function deployment(namespace: string, serviceAccountName: string, extra: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'server', namespace },
    spec: { selector: { matchLabels: { app: 'server' } }, template: { metadata: { labels: { app: 'server' } }, spec: { serviceAccountName, containers: [{ name: 'c', image: 'i' }], ...extra } } },
  };
}

/** Violations of an invariant on one manifest of objects applied to a cluster. */
function violationsOfObjects(objects: unknown[], invariant: Invariant): string[] {
  const app = new App();
  const stack = new Stack(app, 'S');
  manifest(stack, 'Objects', cluster(stack).ref, objects);
  return violations(app, invariant);
}

function association(stack: Stack, clusterName: string): eks.CfnPodIdentityAssociation {
  return new eks.CfnPodIdentityAssociation(stack, 'Association', { clusterName, namespace: 'inference', serviceAccount: 'server', roleArn: 'arn:aws:iam::111111111111:role/pod' });
}

describe('pod-identity-before-pods', () => {
  test('reports a manifest that may run pods before their association exists, in one stack', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    association(stack, c.ref);
    manifest(stack, 'Server', c.ref, [deployment('inference', 'server')]);
    expect(violations(app, podIdentityBeforePods)).toEqual([expect.stringMatching(/Deployment inference\/server .* may be created before its Pod Identity association/)]);
  });

  test('passes once the manifest depends on the association', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    const a = association(stack, c.ref);
    manifest(stack, 'Server', c.ref, [deployment('inference', 'server')]).addDependency(a);
    expect(violations(app, podIdentityBeforePods)).toEqual([]);
  });

  test('reports the association in a stack that deploys after the manifest\'s', () => {
    const app = new App();
    const compute = new Stack(app, 'Compute');
    const inference = new Stack(app, 'Inference');
    const c = cluster(compute);
    association(inference, c.ref);
    manifest(compute, 'Server', c.ref, [deployment('inference', 'server')]);
    expect(violations(app, podIdentityBeforePods)).toHaveLength(1);
  });

  test('reports a Helm release into the namespace that does not wait for the association', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    association(stack, c.ref);
    helmChart(stack, 'Keda', c.ref, 'keda', 'inference');
    expect(violations(app, podIdentityBeforePods)).toEqual([expect.stringMatching(/Helm release keda .* not ordered after it/)]);
  });

  test('a release known to run as another service account (the EFA device plugin: default) need not wait', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    association(stack, c.ref);
    helmChart(stack, 'Efa', c.ref, 'aws-efa-k8s-device-plugin', 'inference');
    expect(violations(app, podIdentityBeforePods)).toEqual([]);
  });
});

describe('keys-admit-their-users', () => {
  function alarmTo(stack: Stack, topic: sns.ITopic): void {
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: 'AWS/Kinesis', metricName: 'GetRecords.IteratorAgeMilliseconds', dimensionsMap: { StreamName: 's' } }),
      threshold: 1, evaluationPeriods: 1,
    });
    alarm.addAlarmAction({ bind: () => ({ alarmActionArn: topic.topicArn }) });
  }

  test('reports an alarm topic whose key CloudWatch may not use', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    alarmTo(stack, new sns.Topic(stack, 'Topic', { masterKey: new kms.Key(stack, 'Key') }));
    expect(violations(app, keysAdmitTheirUsers)).toEqual([expect.stringMatching(/does not let cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey/)]);
  });

  test('reports an alarm topic encrypted with the AWS managed SNS key', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    alarmTo(stack, new sns.Topic(stack, 'Topic', { masterKey: kms.Alias.fromAliasName(stack, 'Managed', 'alias/aws/sns') }));
    expect(violations(app, keysAdmitTheirUsers)).toEqual([expect.stringMatching(/AWS managed key alias\/aws\/sns/)]);
  });

  test('passes when the key policy lets CloudWatch use the key', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const key = new kms.Key(stack, 'Key');
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'],
    }));
    alarmTo(stack, new sns.Topic(stack, 'Topic', { masterKey: key }));
    expect(violations(app, keysAdmitTheirUsers)).toEqual([]);
  });

  test('reports a role that may read objects of a KMS bucket but not decrypt them', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('models/*')] }));
    expect(violations(app, keysAdmitTheirUsers)).toEqual([expect.stringMatching(/may s3:GetObject .* but may not kms:Decrypt/)]);
    const repaired = new App();
    const stack2 = new Stack(repaired, 'S');
    new s3.Bucket(stack2, 'Bucket', { encryption: s3.BucketEncryption.KMS }).grantRead(new iam.Role(stack2, 'Reader', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') }));
    expect(violations(repaired, keysAdmitTheirUsers)).toEqual([]);
  });

  test('reports a log group whose key CloudWatch Logs may not use', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    new logs.LogGroup(stack, 'Logs', { encryptionKey: new kms.Key(stack, 'Key') });
    expect(violations(app, keysAdmitTheirUsers)).toEqual([expect.stringMatching(/does not let CloudWatch Logs/)]);
  });
});

describe('network-policies-enforced-and-sufficient', () => {
  const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'inference' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
  const allowDns = {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-dns', namespace: 'inference' },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }] }] },
  };

  function clusterWithCni(enableNetworkPolicy: boolean): { app: App; stack: Stack; clusterName: string } {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    new eks.CfnAddon(stack, 'VpcCni', { clusterName: c.ref, addonName: 'vpc-cni', configurationValues: enableNetworkPolicy ? JSON.stringify({ enableNetworkPolicy: 'true' }) : undefined });
    return { app, stack, clusterName: c.ref };
  }

  test('reports NetworkPolicies on a cluster that does not enforce them', () => {
    const { app, stack, clusterName } = clusterWithCni(false);
    manifest(stack, 'Policies', clusterName, [denyAll, allowDns, deployment('inference', 'default')]);
    expect(violations(app, networkPoliciesEnforcedAndSufficient)).toEqual([expect.stringMatching(/does not enforce them/)]);
  });

  test('reports a default-deny namespace whose pods cannot resolve names', () => {
    const { app, stack, clusterName } = clusterWithCni(true);
    manifest(stack, 'Policies', clusterName, [denyAll, deployment('inference', 'default')]);
    expect(violations(app, networkPoliciesEnforcedAndSufficient)).toEqual([expect.stringMatching(/deny Deployment inference\/server egress to DNS/)]);
  });

  test('reports pods with a Pod Identity association that cannot reach the agent', () => {
    const { app, stack, clusterName } = clusterWithCni(true);
    association(stack, clusterName);
    manifest(stack, 'Policies', clusterName, [denyAll, allowDns, deployment('inference', 'server')]);
    const found = violations(app, networkPoliciesEnforcedAndSufficient);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/Pod Identity agent/), expect.stringMatching(/AWS APIs over HTTPS/)]));
  });

  test('passes when enforcement is on and the needed traffic is allowed', () => {
    const { app, stack, clusterName } = clusterWithCni(true);
    association(stack, clusterName);
    const allowAws = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-aws', namespace: 'inference' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] }, { ports: [{ protocol: 'TCP', port: 443 }] }] },
    };
    manifest(stack, 'Policies', clusterName, [denyAll, allowDns, allowAws, deployment('inference', 'server')]);
    expect(violations(app, networkPoliciesEnforcedAndSufficient)).toEqual([]);
  });

  test('CIDR arithmetic', () => {
    expect(cidrContains('169.254.170.23/32', '169.254.170.23')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '10.255.1.1')).toBe(true);
    expect(cidrContains('10.0.0.0/16', '10.1.0.1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '52.94.0.10')).toBe(true);
  });
});

describe('crds-before-objects', () => {
  const scaledObject = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'server', namespace: 'inference' }, spec: { scaleTargetRef: { name: 'server' } } };

  test('reports a custom resource with no installer of its CRD', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    manifest(stack, 'Scaling', cluster(stack).ref, [scaledObject]);
    expect(violations(app, crdsBeforeObjects())).toEqual([expect.stringMatching(/ScaledObject inference\/server .* has no installer of its CRD/)]);
  });

  test('reports a custom resource that may be applied before the Helm release installing its CRD', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    helmChart(stack, 'Keda', c.ref, 'keda', 'keda');
    manifest(stack, 'Scaling', c.ref, [scaledObject]);
    expect(violations(app, crdsBeforeObjects())).toEqual([expect.stringMatching(/may be applied before its CRD is installed/)]);
  });

  test('passes once the object waits for the release', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    const keda = helmChart(stack, 'Keda', c.ref, 'keda', 'keda');
    manifest(stack, 'Scaling', c.ref, [scaledObject]).addDependency(keda);
    expect(violations(app, crdsBeforeObjects())).toEqual([]);
  });

  test('Auto Mode clusters serve NodePool and NodeClass themselves', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack, { computeConfig: { enabled: true, nodePools: ['system'], nodeRoleArn: 'arn:aws:iam::111111111111:role/node' } });
    manifest(stack, 'Pool', c.ref, [{ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'gpu' }, spec: {} }]);
    expect(violations(app, crdsBeforeObjects())).toEqual([]);
  });
});

describe('manifest-files-resolved', () => {
  function appWritingManifest(text: string): App {
    const app = new App();
    const writer = new Construct(new Stack(app, 'S'), 'Writer');
    attachCustomSynthesis(writer, {
      onSynthesize: (session) => {
        fs.mkdirSync(path.join(session.outdir, 'manifests', 'onprem'), { recursive: true });
        fs.writeFileSync(path.join(session.outdir, 'manifests', 'onprem', 'chart.k8s.yaml'), text);
      },
    });
    return app;
  }

  test('reports token text in a written manifest', () => {
    expect(violations(appWritingManifest('data:\n  bucket: ${Token[TOKEN.86]}\n'), manifestFilesResolved)).toEqual([expect.stringMatching(/unresolved token \$\{Token\[TOKEN.86\]\}/)]);
    expect(violations(appWritingManifest('spec:\n  replicas: -1.8881545897087626e+289\n'), manifestFilesResolved)).toHaveLength(1);
  });

  test('passes resolved YAML', () => {
    expect(violations(appWritingManifest('data:\n  bucket: models-bucket\n'), manifestFilesResolved)).toEqual([]);
  });
});

describe('alarms-notify and log-groups-retained-and-encrypted', () => {
  test('report an alarm without an action and a log group without retention or key', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    new cloudwatch.Alarm(stack, 'Silent', { metric: new cloudwatch.Metric({ namespace: 'AWS/SNS', metricName: 'NumberOfNotificationsFailed' }), threshold: 1, evaluationPeriods: 1 });
    new CfnResource(stack, 'Logs', { type: 'AWS::Logs::LogGroup', properties: {} });
    expect(violations(app, alarmsNotify)).toEqual([expect.stringMatching(/has no action/)]);
    expect(violations(app, logGroupsRetainedAndEncrypted)).toEqual([expect.stringMatching(/has no retention and no KMS key/)]);
  });

  test('an alarm named by a notifying composite alarm notifies through it', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const topic = new sns.Topic(stack, 'Topic');
    const child = new cloudwatch.Alarm(stack, 'Child', { metric: new cloudwatch.Metric({ namespace: 'AWS/SNS', metricName: 'NumberOfNotificationsFailed' }), threshold: 1, evaluationPeriods: 1 });
    const composite = new cloudwatch.CompositeAlarm(stack, 'Composite', { alarmRule: cloudwatch.AlarmRule.fromAlarm(child, cloudwatch.AlarmState.ALARM) });
    composite.addAlarmAction({ bind: () => ({ alarmActionArn: topic.topicArn }) });
    expect(violations(app, alarmsNotify)).toEqual([]);
  });
});


describe('metrics-have-producers', () => {
  function alarmOn(stack: Stack, id: string, metric: cloudwatch.IMetric): void {
    new cloudwatch.Alarm(stack, id, { metric, threshold: 1, evaluationPeriods: 1 });
  }

  test('reports an alarm whose dimension set the service never publishes', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    alarmOn(stack, 'Lag', new cloudwatch.Metric({ namespace: 'AWS/Kinesis', metricName: 'GetRecords.IteratorAgeMilliseconds', dimensionsMap: { DeliveryStreamName: 'x' } }));
    alarmOn(stack, 'Fine', new cloudwatch.Metric({ namespace: 'AWS/Kinesis', metricName: 'GetRecords.IteratorAgeMilliseconds', dimensionsMap: { StreamName: 'x' } }));
    expect(violations(app, metricsHaveProducers)).toEqual([expect.stringMatching(/Lag.* publishes no such metric with this dimension set/)]);
  });

  test('reports a custom metric nothing in the app publishes, and passes once a pod publishes it', () => {
    const heartbeat = new cloudwatch.Metric({ namespace: 'cdk-scalable-ai/onprem', metricName: 'Heartbeat', dimensionsMap: { SiteName: 'onprem' } });
    const app = new App();
    alarmOn(new Stack(app, 'S'), 'Heartbeat', heartbeat);
    expect(violations(app, metricsHaveProducers)).toEqual([expect.stringMatching(/nothing in the app publishes this metric/)]);

    const published = new App();
    const stack = new Stack(published, 'S');
    alarmOn(stack, 'Heartbeat', heartbeat);
    manifest(stack, 'Publisher', cluster(stack).ref, [{
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'heartbeat', namespace: 'ops' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'aws-cli', command: ['aws', 'cloudwatch', 'put-metric-data', '--namespace', 'cdk-scalable-ai/onprem', '--metric-name', 'Heartbeat'] }] } } } } },
    }]);
    expect(violations(published, metricsHaveProducers)).toEqual([]);
  });

  test('reports a Container Insights alarm on a cluster without the CloudWatch observability add-on', () => {
    const nodeCountAlarm = (withAddon: boolean): App => {
      const app = new App();
      const stack = new Stack(app, 'S');
      const c = cluster(stack);
      alarmOn(stack, 'Nodes', new cloudwatch.Metric({ namespace: 'ContainerInsights', metricName: 'cluster_node_count', dimensionsMap: { ClusterName: c.ref } }));
      if (withAddon) new eks.CfnAddon(stack, 'Observability', { clusterName: c.ref, addonName: 'amazon-cloudwatch-observability' });
      return app;
    };
    expect(violations(nodeCountAlarm(false), metricsHaveProducers)).toEqual([expect.stringMatching(/has no amazon-cloudwatch-observability add-on/)]);
    expect(violations(nodeCountAlarm(true), metricsHaveProducers)).toEqual([]);
  });

  test('reports an S3 request-metric alarm on a bucket without that metrics configuration', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const bucket = new s3.Bucket(stack, 'Bucket');
    alarmOn(stack, 'Errors', new cloudwatch.Metric({ namespace: 'AWS/S3', metricName: '5xxErrors', dimensionsMap: { BucketName: bucket.bucketName, FilterId: 'EntireBucket' } }));
    expect(violations(app, metricsHaveProducers)).toEqual([expect.stringMatching(/has no metrics configuration "EntireBucket"/)]);
  });

  function scaledServer(stack: Stack, clusterName: string, query: string, annotated: boolean): void {
    manifest(stack, 'Server', clusterName, [
      deployment('inference', 'server', { containers: [{ name: 'c', image: 'vllm/vllm-openai:v0.11.0' }] }),
      { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'server', namespace: 'inference' }, spec: { scaleTargetRef: { name: 'server' }, triggers: [{ type: 'prometheus', metadata: { query, threshold: '8' } }] } },
    ].map((o: any) => (annotated && o.kind === 'Deployment' ? { ...o, spec: { ...o.spec, template: { ...o.spec.template, metadata: { ...o.spec.template.metadata, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8000' } } } } } : o))); // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  function scraper(stack: Stack, clusterArn: string): void {
    new CfnResource(stack, 'Scraper', {
      type: 'AWS::APS::Scraper',
      properties: {
        Source: { EksConfiguration: { ClusterArn: clusterArn, SubnetIds: ['subnet-1'] } },
        Destination: { AmpConfiguration: { WorkspaceArn: 'arn:aws:aps:us-east-1:111111111111:workspace/ws-1' } },
        ScrapeConfiguration: { ConfigurationBlob: 'scrape_configs:\n  - job_name: pods\n    relabel_configs:\n      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]\n' },
      },
    });
  }

  test('reports an autoscaler query on a series no scraped exporter exposes', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    scraper(stack, c.attrArn);
    scaledServer(stack, c.ref, 'sum(vllm:num_requests_queued{namespace="inference"})', true);
    expect(violations(app, metricsHaveProducers)).toEqual([expect.stringMatching(/queries vllm:num_requests_queued, which no scraped exporter of the cluster exposes/)]);
  });

  test('reports an autoscaler query on pods nothing scrapes, and passes when they are scraped', () => {
    const unscraped = new App();
    const stack = new Stack(unscraped, 'S');
    const c = cluster(stack);
    scaledServer(stack, c.ref, 'sum(vllm:num_requests_waiting{namespace="inference"})', true);
    expect(violations(unscraped, metricsHaveProducers)).toEqual([expect.stringMatching(/no scraper of the app collects/)]);

    const scraped = new App();
    const stack2 = new Stack(scraped, 'S');
    const c2 = cluster(stack2);
    scraper(stack2, c2.attrArn);
    scaledServer(stack2, c2.ref, 'sum(vllm:num_requests_waiting{namespace="inference"})', true);
    expect(violations(scraped, metricsHaveProducers)).toEqual([]);
  });

  test('PromQL metric names: functions, keywords, label matchers, ranges and grouping are not metrics', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{namespace="a",app=~"b|c"}[5m]))) > 2'))
      .toEqual(['vllm:e2e_request_latency_seconds_bucket']);
    expect(metricNamesIn('sum(DCGM_FI_DEV_GPU_UTIL{pod=~"x-[a-z0-9]+"}) / 2 and on (pod) up == 1').sort()).toEqual(['DCGM_FI_DEV_GPU_UTIL', 'up']);
    expect(metricNamesIn('100 * sum(rate(nv_inference_request_failure[5m])) / sum(rate(nv_inference_request_success[5m])) > 1e2'))
      .toEqual(['nv_inference_request_failure', 'nv_inference_request_success']);
  });
});

describe('kueue-queues-admit', () => {
  const flavor = { apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ResourceFlavor', metadata: { name: 'l40s' }, spec: {} };
  const namespace = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels } });
  const clusterQueue = (flavorName: string, resources: string[], extra: Record<string, unknown> = { cohortName: 'teams' }) => ({
    apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'ClusterQueue', metadata: { name: 'team' },
    spec: {
      ...extra,
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team' } as Record<string, string> },
      resourceGroups: [{ coveredResources: ['nvidia.com/gpu'], flavors: [{ name: flavorName, resources: resources.map((name) => ({ name, nominalQuota: 1, borrowingLimit: 1 })) }] }],
    },
  });
  const localQueue = (clusterQueueName: string) => ({ apiVersion: 'kueue.x-k8s.io/v1beta2', kind: 'LocalQueue', metadata: { name: 'gpu', namespace: 'team' }, spec: { clusterQueue: clusterQueueName } });
  function kueueRelease(stack: Stack, clusterName: string, managedLabel: string): CfnResource {
    const release = helmChart(stack, 'Kueue', clusterName, 'kueue', 'kueue-system');
    const config = { managedJobsNamespaceSelector: { matchLabels: { [managedLabel]: 'true' } } };
    release.addPropertyOverride('Values', JSON.stringify({ managerConfig: { controllerManagerConfigYaml: JSON.stringify(config) } }));
    return release;
  }

  test('reports a missing flavor, resources that are not the covered ones, borrowing without a cohort, an unknown ClusterQueue', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    manifest(stack, 'Queues', c.ref, [namespace({}), clusterQueue('h100', ['cpu'], {}), localQueue('other')]);
    expect(violations(app, kueueQueuesAdmit)).toEqual([
      expect.stringMatching(/ClusterQueue team: flavor h100 of resourceGroups\[0\] lists \["cpu"\], not the covered resources \["nvidia.com\/gpu"\]/),
      expect.stringMatching(/flavor h100 sets a borrowing or lending limit without a cohortName/),
      expect.stringMatching(/uses flavor h100, which no ResourceFlavor of the cluster defines/),
      expect.stringMatching(/LocalQueue team\/gpu points at ClusterQueue other, which the cluster does not define/),
    ]);
  });

  test('reports a namespace Kueue does not manage, a queue that does not select its namespace, and a flavor applied later', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    kueueRelease(stack, c.ref, 'managed');
    const queue = clusterQueue('l40s', ['nvidia.com/gpu']);
    queue.spec.namespaceSelector = { matchLabels: { team: 'x' } as Record<string, string> };
    manifest(stack, 'Queues', c.ref, [namespace({}), queue, localQueue('team')]);
    manifest(stack, 'Flavors', c.ref, [flavor]);
    expect(violations(app, kueueQueuesAdmit)).toEqual([
      expect.stringMatching(/may be applied before its ResourceFlavor l40s/),
      expect.stringMatching(/ClusterQueue team does not select namespace team/),
      expect.stringMatching(/managedJobsNamespaceSelector .* does not select namespace team: its Jobs bypass the queue/),
    ]);
  });

  test('passes when flavors come first, the queue selects the namespace and Kueue manages it', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const c = cluster(stack);
    kueueRelease(stack, c.ref, 'managed');
    const flavors = manifest(stack, 'Flavors', c.ref, [flavor]);
    manifest(stack, 'Queues', c.ref, [namespace({ managed: 'true' }), clusterQueue('l40s', ['nvidia.com/gpu']), localQueue('team')]).addDependency(flavors);
    expect(violations(app, kueueQueuesAdmit)).toEqual([]);
  });

  test('reports a workload sent to a LocalQueue its namespace lacks, or in a namespace Kueue does not manage; passes when both hold', () => {
    const queued = (queueName: string) => {
      const workload = deployment('team', 'server') as { metadata: { labels?: Record<string, string> } };
      workload.metadata.labels = { 'kueue.x-k8s.io/queue-name': queueName };
      return workload;
    };
    const build = (namespaceLabels: Record<string, string>, queueName: string) => {
      const app = new App();
      const stack = new Stack(app, 'S');
      const c = cluster(stack);
      kueueRelease(stack, c.ref, 'managed');
      const flavors = manifest(stack, 'Flavors', c.ref, [flavor]);
      manifest(stack, 'Queues', c.ref, [namespace(namespaceLabels), clusterQueue('l40s', ['nvidia.com/gpu']), localQueue('team'), queued(queueName)]).addDependency(flavors);
      return app;
    };
    expect(violations(build({ managed: 'true' }, 'batch'), kueueQueuesAdmit)).toEqual([
      expect.stringMatching(/Deployment team\/server is sent to LocalQueue batch, which namespace team does not hold: it is never admitted/),
    ]);
    expect(violations(build({}, 'gpu'), kueueQueuesAdmit)).toEqual([
      expect.stringMatching(/LocalQueue team\/gpu: Kueue's managedJobsNamespaceSelector/),
      expect.stringMatching(/Deployment team\/server is sent to a queue in namespace team, which Kueue does not manage/),
    ]);
    expect(violations(build({ managed: 'true' }, 'gpu'), kueueQueuesAdmit)).toEqual([]);
  });

  test('label selectors: expressions, and a null selector matches nothing', () => {
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['x'] }, { key: 'b', operator: 'Exists' }] }, { a: 'y', b: '' })).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] }, { a: 'y' })).toBe(false);
    expect(selects({}, { a: 'y' })).toBe(true);
    expect(selects(null, { a: 'y' })).toBe(false);
  });
});

describe('gateway-routes-resolve', () => {
  const gatewayClass = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'alb' }, spec: { controllerName: 'gateway.k8s.aws/alb' } };
  const gateway = (className: string) => ({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'llm', namespace: 'inference' },
    spec: { gatewayClassName: className, listeners: [{ name: 'https', protocol: 'HTTPS', port: 443 }] },
  });
  const route = (service: string, port: number, sectionName = 'https', weight?: number) => ({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'llm', namespace: 'inference' },
    spec: { parentRefs: [{ name: 'llm', sectionName }], rules: [{ backendRefs: [{ name: service, port, ...(weight !== undefined ? { weight } : {}) }] }] },
  });
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'llm', namespace: 'inference' }, spec: { selector: { app: 'llm' }, ports: [{ port: 8000 }] } };
  const server = deployment('inference', 'server', {});
  (server as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels = { app: 'llm' };
  const ipTargets = { apiVersion: 'gateway.k8s.aws/v1', kind: 'TargetGroupConfiguration', metadata: { name: 'llm', namespace: 'inference' }, spec: { targetReference: { name: 'llm' }, defaultConfiguration: { targetType: 'ip' } } };

  const check = (objects: unknown[]) => violationsOfObjects(objects, gatewayRoutesResolve);

  test('reports an unknown class, listener and Service, a missing port, a zero weight, and instance targets behind an ALB', () => {
    expect(check([gateway('nobody'), route('llm', 8000, 'http')])).toEqual([
      expect.stringMatching(/Gateway inference\/llm uses GatewayClass nobody, which the cluster does not define/),
      expect.stringMatching(/attaches to listener http of Gateway inference\/llm, which has no such listener/),
      expect.stringMatching(/sends to Service inference\/llm, which does not exist/),
    ]);
    expect(check([gatewayClass, gateway('alb'), route('llm', 9000, 'https', 0), service, server])).toEqual([
      expect.stringMatching(/every backend of rules\[0\] has weight 0/),
      expect.stringMatching(/sends to port 9000 of Service inference\/llm, which does not expose it/),
      expect.stringMatching(/without a TargetGroupConfiguration for ip targets/),
    ]);
  });

  test('reports a Service that selects no pods, and passes once everything resolves', () => {
    expect(check([gatewayClass, gateway('alb'), route('llm', 8000), service, ipTargets])).toEqual([expect.stringMatching(/whose selector matches no pods of the app/)]);
    expect(check([gatewayClass, gateway('alb'), route('llm', 8000), service, ipTargets, server])).toEqual([]);
  });

  test('reports an InferencePool backend that is missing, selects no pods, targets a port they do not listen on, or names no picker Service; passes once it resolves', () => {
    const istio = { ...gatewayClass, metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } };
    const poolRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'llm', namespace: 'inference' },
      spec: { parentRefs: [{ name: 'llm', sectionName: 'https' }], rules: [{ backendRefs: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llm' }] }] },
    };
    const pool = (app: string, port: number) => ({
      apiVersion: 'inference.networking.k8s.io/v1', kind: 'InferencePool', metadata: { name: 'llm', namespace: 'inference' },
      spec: { selector: { matchLabels: { app } }, targetPorts: [{ number: port }], endpointPickerRef: { name: 'llm-epp', port: { number: 9002 }, failureMode: 'FailOpen' } },
    });
    const picker = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'llm-epp', namespace: 'inference' }, spec: { selector: { app: 'epp' }, ports: [{ port: 9002 }] } };
    const listening = deployment('inference', 'server', { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 8000 }] }] });
    (listening as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels = { app: 'llm' };
    expect(check([istio, gateway('istio'), poolRoute])).toEqual([expect.stringMatching(/sends to InferencePool llm, which does not exist/)]);
    expect(check([istio, gateway('istio'), poolRoute, pool('other', 8000)])).toEqual([
      expect.stringMatching(/InferencePool inference\/llm selects no pods of the app/),
      expect.stringMatching(/asks endpoint picker Service llm-epp on port 9002, which does not exist: routing falls back to no picker/),
    ]);
    expect(check([istio, gateway('istio'), poolRoute, pool('llm', 9000), picker, listening])).toEqual([expect.stringMatching(/targets port 9000, on which its pods do not listen/)]);
    expect(check([istio, gateway('istio'), poolRoute, pool('llm', 8000), picker, listening])).toEqual([]);
  });

  test('the Gateway API schemas are enforced (weights above 1,000,000 are rejected)', () => {
    expect(schemaErrors([route('llm', 8000, 'https', 2_000_000) as KubernetesObject]).join('\n')).toMatch(/1000000/);
  });
});

describe('volumes-bind', () => {
  const volume = (name: string, claim: string, handle = name, storageClassName = '') => ({
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
    spec: { capacity: { storage: '1Ti' }, accessModes: ['ReadOnlyMany'], storageClassName, claimRef: { namespace: 'inference', name: claim }, csi: { driver: 's3.csi.aws.com', volumeHandle: handle } },
  });
  const claim = (name: string, volumeName: string, accessModes = ['ReadOnlyMany']) => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'inference' },
    spec: { accessModes, storageClassName: '', volumeName, resources: { requests: { storage: '1Ti' } } },
  });
  const mountingPod = (claimName: string) => deployment('inference', 'server', { volumes: [{ name: 'models', persistentVolumeClaim: { claimName, readOnly: true } }] });

  const check = (objects: unknown[]) => violationsOfObjects(objects, volumesBind);

  test('reports a claim reserved for another, another class, other access modes, a shared handle, a missing volume and a missing claim', () => {
    expect(check([volume('a', 'other'), claim('a', 'a'), volume('b', 'b', 'a', 'gp3'), claim('b', 'b', ['ReadWriteOnce']), claim('c', 'missing'), mountingPod('nowhere')])).toEqual([
      expect.stringMatching(/PersistentVolumeClaim inference\/a: PersistentVolume a is reserved for inference\/other/),
      expect.stringMatching(/PersistentVolumeClaim inference\/b has storage class "", PersistentVolume b "gp3": they never bind/),
      expect.stringMatching(/PersistentVolumeClaim inference\/b asks for access modes \["ReadWriteOnce"\]/),
      expect.stringMatching(/PersistentVolumeClaim inference\/c names PersistentVolume missing, which the app does not define/),
      expect.stringMatching(/PersistentVolumes a and b share the s3.csi.aws.com volume handle a/),
      expect.stringMatching(/Deployment inference\/server mounts claim nowhere, which its namespace does not hold/),
    ]);
  });

  test('passes a volume and claim that bind, mounted by a pod', () => {
    expect(check([volume('a', 'a'), claim('a', 'a'), mountingPod('a')])).toEqual([]);
  });

  test('reports a model path the server is given but does not mount, in a Deployment and in each template of a LeaderWorkerSet', () => {
    const server = (modelPath: string) => ({
      name: 'model-server', image: 'i', args: ['--model', modelPath], volumeMounts: [{ name: 'models', mountPath: '/models/chat', readOnly: true }],
    });
    const pod = (modelPath: string) => ({ metadata: { labels: { app: 'chat' } }, spec: { containers: [server(modelPath)], volumes: [{ name: 'models', emptyDir: {} }] } });
    const group = (modelPath: string) => ({
      apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name: 'chat', namespace: 'inference' },
      spec: { leaderWorkerTemplate: { size: 2, leaderTemplate: pod('/models/chat'), workerTemplate: pod(modelPath) } },
    });
    expect(check([deployment('inference', 'server', { containers: [server('/models/llama')] }), group('--model=/models/llama')])).toEqual([
      expect.stringMatching(/Deployment inference\/server: container model-server is given \/models\/llama, which none of its volumes mounts \(\/models\/chat\)/),
      expect.stringMatching(/LeaderWorkerSet inference\/chat: container model-server is given \/models\/llama/),
    ]);
    expect(check([deployment('inference', 'server', { containers: [server('/models/chat/config.json')] }), group('/models/chat')])).toEqual([]);
  });
});

/** A managed node group of the cluster with labels, and a launch template with user data if given. */
function nodeGroup(stack: Stack, id: string, clusterName: string, amiType: string, labels: Record<string, string>, userData?: string): void {
  const template = new CfnResource(stack, `${id}Template`, {
    type: 'AWS::EC2::LaunchTemplate',
    properties: { LaunchTemplateData: userData === undefined ? {} : { UserData: { 'Fn::Base64': userData } } },
  });
  new eks.CfnNodegroup(stack, id, {
    clusterName, nodeRole: 'arn:aws:iam::111111111111:role/node', subnets: ['subnet-1'], amiType, labels,
    launchTemplate: { id: template.ref },
  });
}

describe('gpu-resources-advertised', () => {
  const CAPACITY = 'cdk-scalable-ai.io/gpu-capacity';
  const pinnedPod = (capacity: string, resource: string, count = 1) => deployment('inference', 'server', {
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: CAPACITY, operator: 'In', values: [capacity] }] }] } } },
    containers: [{ name: 'model-server', image: 'i', resources: { limits: { [resource]: count } } }],
  });
  const plugin = (label: string, replicas?: number) => [
    {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: `plugin-${label}`, namespace: 'gpu-system' },
      spec: {
        selector: { matchLabels: { app: label } },
        template: {
          metadata: { labels: { app: label } },
          spec: {
            affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cdk-scalable-ai.io/nvidia-device-plugin', operator: 'In', values: [label] }] }] } } },
            containers: [{ name: 'plugin', image: 'i' }],
            volumes: replicas === undefined ? [] : [{ name: 'config', configMap: { name: `plugin-${label}` } }],
          },
        },
      },
    },
    ...replicas === undefined ? [] : [{
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `plugin-${label}`, namespace: 'gpu-system' },
      data: { 'config.yaml': JSON.stringify({ version: 'v1', sharing: { timeSlicing: { renameByDefault: true, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas }] } } }) },
    }],
  ];
  const TIME_SLICED = '[settings.kubelet-device-plugins.nvidia]\ndevice-sharing-strategy = "time-slicing"\n\n[settings.kubelet-device-plugins.nvidia.time-slicing]\nreplicas = 4\n';
  const MIG = '[settings.kubelet-device-plugins.nvidia]\ndevice-partitioning-strategy = "mig"\n\n[settings.kubelet-device-plugins.nvidia.mig.profile]\n"h100.80gb" = "7"\n';

  function check(build: (stack: Stack, clusterName: string) => unknown[]): string[] {
    const app = new App();
    const stack = new Stack(app, 'S');
    const clusterName = cluster(stack).ref;
    manifest(stack, 'Objects', clusterName, build(stack, clusterName));
    return violations(app, gpuResourcesAdvertised);
  }

  test('reports pods asking for what their nodes do not advertise, or more of it than a container gets', () => {
    expect(check((stack, name) => {
      nodeGroup(stack, 'Sliced', name, 'AL2023_x86_64_NVIDIA', { [CAPACITY]: 'sliced', 'cdk-scalable-ai.io/nvidia-device-plugin': 'time-slicing-4' });
      nodeGroup(stack, 'Orphan', name, 'AL2023_x86_64_NVIDIA', { [CAPACITY]: 'orphan', 'cdk-scalable-ai.io/nvidia-device-plugin': 'time-slicing-8' });
      nodeGroup(stack, 'Rocket', name, 'BOTTLEROCKET_x86_64_NVIDIA', { [CAPACITY]: 'rocket' }, TIME_SLICED);
      nodeGroup(stack, 'Mig', name, 'BOTTLEROCKET_x86_64_NVIDIA', { [CAPACITY]: 'mig' }, MIG);
      return [...plugin('time-slicing-4', 4), pinnedPod('sliced', 'nvidia.com/gpu'), pinnedPod('orphan', 'nvidia.com/gpu.shared'), pinnedPod('rocket', 'nvidia.com/gpu'), pinnedPod('mig', 'nvidia.com/gpu', 2)];
    })).toEqual([
      expect.stringMatching(/requests nvidia.com\/gpu, but .*Sliced.* \(AL2023, time-slicing plugin plugin-time-slicing-4\) advertises nvidia.com\/gpu.shared/),
      expect.stringMatching(/requests nvidia.com\/gpu.shared, but .*Orphan.* \(AL2023 labelled cdk-scalable-ai.io\/nvidia-device-plugin=time-slicing-8, which no device plugin DaemonSet selects\) advertises no GPU resource/),
      expect.stringMatching(/requests nvidia.com\/gpu, but .*Rocket.* \(Bottlerocket, time-sliced into 4 shares\) advertises nvidia.com\/gpu.shared/),
      expect.stringMatching(/requests 2 nvidia.com\/gpu, but .*Mig.* \(Bottlerocket, MIG instances\) gives a container 1/),
    ]);
  });

  test('NodePools: shares are never advertised there, and a Karpenter pool labelled for a plugin no DaemonSet selects advertises nothing', () => {
    const nodePool = (name: string, group: string, labels: Record<string, string>) => ({
      apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name },
      spec: {
        template: {
          metadata: { labels: { [CAPACITY]: name, ...labels } },
          spec: { nodeClassRef: { group, kind: group === 'eks.amazonaws.com' ? 'NodeClass' : 'EC2NodeClass', name: 'default' }, requirements: [] },
        },
      },
    });
    const pools = (pluginLabel: string) => [
      nodePool('auto', 'eks.amazonaws.com', {}),
      nodePool('karpenter', 'karpenter.k8s.aws', { 'cdk-scalable-ai.io/nvidia-device-plugin': pluginLabel }),
    ];
    expect(check(() => [...plugin('daemonset'), ...pools('elsewhere'), pinnedPod('auto', 'nvidia.com/gpu.shared'), pinnedPod('karpenter', 'nvidia.com/gpu')])).toEqual([
      expect.stringMatching(/requests nvidia.com\/gpu.shared, but NodePool auto \(EKS Auto Mode, whole GPUs\) advertises nvidia.com\/gpu/),
      expect.stringMatching(/requests nvidia.com\/gpu, but NodePool karpenter \(Karpenter nodes labelled cdk-scalable-ai.io\/nvidia-device-plugin=elsewhere, which no device plugin DaemonSet selects\)/),
    ]);
    expect(check(() => [...plugin('daemonset'), ...pools('daemonset'), pinnedPod('auto', 'nvidia.com/gpu', 8), pinnedPod('karpenter', 'nvidia.com/gpu')])).toEqual([]);
  });

  test('AL2023 groups of an app that delivers no device plugin (gpuEnablement: false) are the operator\'s to serve', () => {
    expect(check((stack, name) => {
      nodeGroup(stack, 'Whole', name, 'AL2023_x86_64_NVIDIA', { [CAPACITY]: 'whole', 'cdk-scalable-ai.io/nvidia-device-plugin': 'daemonset' });
      return [pinnedPod('whole', 'nvidia.com/gpu')];
    })).toEqual([]);
  });

  describe('GPUs claimed through DRA', () => {
    const DRA = 'cdk-scalable-ai.io/nvidia-dra-driver';
    const driverChart = (stack: Stack, clusterName: string, selects = true) => new CfnResource(stack, 'DraDriver', {
      type: 'Custom::AWSCDK-EKS-HelmChart',
      properties: {
        ClusterName: clusterName, Chart: 'dra-driver-nvidia-gpu',
        Values: JSON.stringify({ resources: { gpus: { enabled: true } }, kubeletPlugin: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: selects ? DRA : 'feature.node.kubernetes.io/pci-10de.present', operator: 'In', values: ['true'] }] }] } } } } }),
      },
    });
    const claimTemplate = (name: string, deviceClassName = 'gpu.nvidia.com') => ({
      apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaimTemplate', metadata: { name, namespace: 'inference' },
      spec: { spec: { devices: { requests: [{ name: 'gpus', exactly: { deviceClassName, allocationMode: 'ExactCount', count: 1 } }] } } },
    });
    const claimingPod = (capacity: string, template: string, claimName = 'gpus') => deployment('inference', 'server', {
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: CAPACITY, operator: 'In', values: [capacity] }] }] } } },
      resourceClaims: [{ name: 'gpus', resourceClaimTemplateName: template }],
      containers: [{ name: 'model-server', image: 'i', resources: { claims: [{ name: claimName }] } }],
    });

    test('reports claims where no driver publishes devices, of another class, from missing templates or undeclared claims, and device plugin requests on claimed GPUs', () => {
      expect(check((stack, name) => {
        driverChart(stack, name);
        nodeGroup(stack, 'Claimed', name, 'AL2023_x86_64_NVIDIA', { [CAPACITY]: 'claimed', [DRA]: 'true' });
        nodeGroup(stack, 'Whole', name, 'AL2023_x86_64_NVIDIA', { [CAPACITY]: 'whole', 'cdk-scalable-ai.io/nvidia-device-plugin': 'daemonset' });
        return [...plugin('daemonset'), claimTemplate('gpus'), claimTemplate('mig', 'mig.nvidia.com'),
          claimingPod('whole', 'gpus'), claimingPod('claimed', 'mig'), claimingPod('claimed', 'absent'), claimingPod('claimed', 'gpus', 'other'), pinnedPod('claimed', 'nvidia.com/gpu')];
      })).toEqual([
        expect.stringMatching(/claims devices of class gpu.nvidia.com, but .*Whole.* \(AL2023, device plugin plugin-daemonset\) publishes no devices for claims/),
        expect.stringMatching(/claims devices of class mig.nvidia.com, but .*Claimed.* \(AL2023, NVIDIA DRA driver .*DraDriver\) publishes gpu.nvidia.com devices/),
        expect.stringMatching(/claim gpus names ResourceClaimTemplate inference\/absent, which the app does not deliver/),
        expect.stringMatching(/container model-server uses claim other, which the pod does not declare/),
        expect.stringMatching(/requests nvidia.com\/gpu, but .*Claimed.* advertises no GPU resource \(its GPUs are claimed from gpu.nvidia.com\)/),
      ]);
      expect(check((stack, name) => {
        driverChart(stack, name, false);
        nodeGroup(stack, 'Claimed', name, 'AL2023_x86_64_NVIDIA', { [CAPACITY]: 'claimed', [DRA]: 'true' });
        return [claimTemplate('gpus'), claimingPod('claimed', 'gpus')];
      })).toEqual([expect.stringMatching(/which no DRA driver chart's kubelet plugin selects\) publishes no devices for claims/)]);
    });

    test('passes claims of the class the nodes\' driver publishes', () => {
      expect(check((stack, name) => {
        driverChart(stack, name);
        nodeGroup(stack, 'Claimed', name, 'AL2023_x86_64_NVIDIA', { [CAPACITY]: 'claimed', [DRA]: 'true' });
        return [claimTemplate('gpus'), claimingPod('claimed', 'gpus')];
      })).toEqual([]);
    });
  });

  test('passes pods that ask for what their nodes advertise', () => {
    expect(check((stack, name) => {
      nodeGroup(stack, 'Sliced', name, 'AL2023_x86_64_NVIDIA', { [CAPACITY]: 'sliced', 'cdk-scalable-ai.io/nvidia-device-plugin': 'time-slicing-4' });
      nodeGroup(stack, 'Whole', name, 'AL2023_x86_64_NVIDIA', { [CAPACITY]: 'whole', 'cdk-scalable-ai.io/nvidia-device-plugin': 'daemonset' });
      nodeGroup(stack, 'Rocket', name, 'BOTTLEROCKET_x86_64_NVIDIA', { [CAPACITY]: 'rocket' }, TIME_SLICED);
      nodeGroup(stack, 'Mig', name, 'BOTTLEROCKET_x86_64_NVIDIA', { [CAPACITY]: 'mig' }, MIG);
      return [...plugin('time-slicing-4', 4), ...plugin('daemonset'), pinnedPod('sliced', 'nvidia.com/gpu.shared'), pinnedPod('whole', 'nvidia.com/gpu', 4),
        pinnedPod('rocket', 'nvidia.com/gpu.shared'), pinnedPod('mig', 'nvidia.com/gpu')];
    })).toEqual([]);
  });
});

describe('node-user-data-merges', () => {
  function groupWithUserData(amiType: string, userData: string): string[] {
    const app = new App();
    const stack = new Stack(app, 'S');
    nodeGroup(stack, 'Group', cluster(stack).ref, amiType, {}, userData);
    return violations(app, nodeUserDataMerges);
  }
  const NODE_CONFIG = 'apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  featureGates:\n    FastImagePull: true\n';

  test('reports Bottlerocket settings with quoted-key headers or invalid TOML, and AL2023 user data that is not MIME or has parts nodeadm does not read', () => {
    expect(groupWithUserData('BOTTLEROCKET_x86_64_NVIDIA', '[settings.kubelet-device-plugins.nvidia.mig.profile."h100.80gb"]\n')).toEqual([expect.stringMatching(/bracketed header with quoted keys/)]);
    expect(groupWithUserData('BOTTLEROCKET_x86_64_NVIDIA', '[settings.kubelet-device-plugins.nvidia\nreplicas = \n')).toEqual([expect.stringMatching(/not valid TOML/)]);
    expect(groupWithUserData('AL2023_x86_64_NVIDIA', NODE_CONFIG)).toEqual([expect.stringMatching(/not a MIME multi-part document/)]);
    expect(groupWithUserData('AL2023_x86_64_NVIDIA', 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: application/node.eks.aws\n\n' + NODE_CONFIG))
      .toEqual([expect.stringMatching(/does not close its MIME boundary "B"/)]);
    expect(groupWithUserData('AL2023_x86_64_NVIDIA', 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/cloud-config\n\nruncmd: []\n--B--\n'))
      .toEqual([expect.stringMatching(/part of type text\/cloud-config, which nodeadm does not read/)]);
  });

  test('passes the forms EKS merges', () => {
    expect(groupWithUserData('BOTTLEROCKET_x86_64_NVIDIA', '[settings.kubelet-device-plugins.nvidia.mig.profile]\n"h100.80gb" = "7"\n')).toEqual([]);
    expect(groupWithUserData('AL2023_x86_64_NVIDIA', 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: application/node.eks.aws\n\n' + NODE_CONFIG + '\n--B--\n')).toEqual([]);
  });
});
