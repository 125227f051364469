import { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PlatformFixture, platformFixture } from './fixtures';
import { dashboardBody, flattenCfn, widgetMetrics } from './dashboard-body';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { nagFindings } from '../harness/nag';
import { SynthFinding } from '../harness/synth';
import { cleanTemplate } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */

const TOPIC = { Ref: 'MonitoringAlarmTopicAF62D4F1' };
const CLUSTER = '${Ref:Gpu05B72DCE}';
const STREAM = '${Ref:ClicksStream351DBF42}';
const DELIVERY = '${Ref:ClicksDelivery8C2BD838}';
const SERVICE_DIMS = { ClusterName: CLUSTER, Namespace: 'inference', Service: 'llama' };
const DEPLOYMENT_DIMS = { ClusterName: CLUSTER, Namespace: 'inference', PodName: 'llama' };
const ENDPOINT_DIMS = { EndpointName: 'llm-endpoint', VariantName: 'AllTraffic' };

/** [namespace, metric name, dimensions] of every metric of every graph, by widget title. */
const EXPECTED_GRAPHS: Record<string, Array<[string, string, Record<string, string>]>> = {
  'GPU utilization and memory (node average)': [
    ['ContainerInsights', 'node_gpu_utilization', { ClusterName: CLUSTER }],
    ['ContainerInsights', 'node_gpu_memory_utilization', { ClusterName: CLUSTER }],
  ],
  'Nodes': [
    ['ContainerInsights', 'cluster_node_count', { ClusterName: CLUSTER }],
    ['ContainerInsights', 'cluster_failed_node_count', { ClusterName: CLUSTER }],
  ],
  'Pods pending on a node (image pull, model download)': [['ContainerInsights', 'pod_status_pending', { ClusterName: CLUSTER }]],
  'Replicas': [
    ['ContainerInsights', 'service_number_of_running_pods', SERVICE_DIMS],
    ['ContainerInsights', 'pod_status_pending', DEPLOYMENT_DIMS],
  ],
  'GPU utilization and memory': [
    ['ContainerInsights', 'pod_gpu_utilization', SERVICE_DIMS],
    ['ContainerInsights', 'pod_gpu_memory_utilization', SERVICE_DIMS],
  ],
  'Container restarts': [['ContainerInsights', 'pod_number_of_container_restarts', DEPLOYMENT_DIMS]],
  'Bytes in S3 Standard per zone': [
    ['AWS/S3', 'BucketSizeBytes', { BucketName: '${Ref:LakeZonerawBucketD7F34696}', StorageType: 'StandardStorage' }],
    ['AWS/S3', 'BucketSizeBytes', { BucketName: '${Ref:LakeZonemodelsBucketD74C59E0}', StorageType: 'StandardStorage' }],
  ],
  'Objects per zone': [
    ['AWS/S3', 'NumberOfObjects', { BucketName: '${Ref:LakeZonerawBucketD7F34696}', StorageType: 'AllStorageTypes' }],
    ['AWS/S3', 'NumberOfObjects', { BucketName: '${Ref:LakeZonemodelsBucketD74C59E0}', StorageType: 'AllStorageTypes' }],
  ],
  'Records and bytes in': [
    ['AWS/Kinesis', 'IncomingRecords', { StreamName: STREAM }],
    ['AWS/Kinesis', 'IncomingBytes', { StreamName: STREAM }],
  ],
  'Stream lag (iterator age, ms)': [['AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', { StreamName: STREAM }]],
  'Throttled writes': [['AWS/Kinesis', 'WriteProvisionedThroughputExceeded', { StreamName: STREAM }]],
  'Delivery freshness (s) and success': [
    ['AWS/Firehose', 'DeliveryToS3.DataFreshness', { DeliveryStreamName: DELIVERY }],
    ['AWS/Firehose', 'DeliveryToS3.Success', { DeliveryStreamName: DELIVERY }],
  ],
  'Invocations': [['AWS/SageMaker', 'Invocations', ENDPOINT_DIMS]],
  'Model latency (p90, µs)': [['AWS/SageMaker', 'ModelLatency', ENDPOINT_DIMS]],
  'Errors': [
    ['AWS/SageMaker', 'Invocation4XXErrors', ENDPOINT_DIMS],
    ['AWS/SageMaker', 'Invocation5XXErrors', ENDPOINT_DIMS],
  ],
  'Custom: stream bytes': [['AWS/Kinesis', 'IncomingBytes', { StreamName: STREAM }]],
};

/** One alarm as the tests compare it: every metric it reads with dimensions and statistic. */
interface AlarmShape {
  metrics: string[];
  threshold: number;
  comparison: string;
  missing: string;
  periods: number;
}

function metricKey(ns: string, name: string, dims: Array<{ Name: string; Value: unknown }>, stat: string, period: number): string {
  const d = dims.map((x) => `${x.Name}=${flattenCfn(x.Value)}`).join(',');
  return `${ns}/${name}{${d}} ${stat}/${period}s`;
}

function alarmShape(p: any): AlarmShape {
  const metrics = p.Metrics
    ? p.Metrics.map((m: any) => m.Expression ?? metricKey(m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions, m.MetricStat.Stat, m.MetricStat.Period))
    : [metricKey(p.Namespace, p.MetricName, p.Dimensions, p.Statistic ?? p.ExtendedStatistic, p.Period)];
  return { metrics, threshold: p.Threshold, comparison: p.ComparisonOperator, missing: p.TreatMissingData, periods: p.EvaluationPeriods };
}

const C = `{ClusterName=${CLUSTER}}`;
const SVC = `{ClusterName=${CLUSTER},Namespace=inference,Service=llama}`;
const DEP = `{ClusterName=${CLUSTER},Namespace=inference,PodName=llama}`;
const EP = '{EndpointName=llm-endpoint,VariantName=AllTraffic}';
const EXPECTED_ALARMS: Record<string, AlarmShape> = {
  GpuUtilization: { metrics: [`ContainerInsights/node_gpu_utilization${C} Average/300s`], threshold: 95, comparison: 'GreaterThanThreshold', missing: 'notBreaching', periods: 3 },
  FailedNodes: { metrics: [`ContainerInsights/cluster_failed_node_count${C} Maximum/300s`], threshold: 0, comparison: 'GreaterThanThreshold', missing: 'notBreaching', periods: 3 },
  NodeCount: { metrics: [`ContainerInsights/cluster_node_count${C} Average/300s`], threshold: 1, comparison: 'LessThanThreshold', missing: 'breaching', periods: 3 },
  AtMaxReplicas: { metrics: [`ContainerInsights/service_number_of_running_pods${SVC} Minimum/300s`], threshold: 3, comparison: 'GreaterThanOrEqualToThreshold', missing: 'notBreaching', periods: 3 },
  NoReadyReplicas: { metrics: [`ContainerInsights/service_number_of_running_pods${SVC} Maximum/300s`], threshold: 1, comparison: 'LessThanThreshold', missing: 'breaching', periods: 3 },
  ContainerRestarts: { metrics: [`ContainerInsights/pod_number_of_container_restarts${DEP} Sum/900s`], threshold: 2, comparison: 'GreaterThanThreshold', missing: 'notBreaching', periods: 1 },
  ServiceGpuUtilization: { metrics: [`ContainerInsights/pod_gpu_utilization${SVC} Average/300s`], threshold: 95, comparison: 'GreaterThanThreshold', missing: 'notBreaching', periods: 3 },
  IteratorAge: { metrics: [`AWS/Kinesis/GetRecords.IteratorAgeMilliseconds{StreamName=${STREAM}} Maximum/300s`], threshold: 900000, comparison: 'GreaterThanThreshold', missing: 'notBreaching', periods: 3 },
  WriteThrottled: { metrics: [`AWS/Kinesis/WriteProvisionedThroughputExceeded{StreamName=${STREAM}} Sum/300s`], threshold: 0, comparison: 'GreaterThanThreshold', missing: 'notBreaching', periods: 3 },
  DeliveryFreshness: { metrics: [`AWS/Firehose/DeliveryToS3.DataFreshness{DeliveryStreamName=${DELIVERY}} Maximum/300s`], threshold: 1800, comparison: 'GreaterThanThreshold', missing: 'notBreaching', periods: 3 },
  ModelLatency: { metrics: [`AWS/SageMaker/ModelLatency${EP} p90/300s`], threshold: 10_000_000, comparison: 'GreaterThanThreshold', missing: 'notBreaching', periods: 3 },
  Invocation5xxErrors: {
    metrics: ['IF(invocations > 0, 100 * errors5xx / invocations, 0)', `AWS/SageMaker/Invocations${EP} Sum/300s`, `AWS/SageMaker/Invocation5XXErrors${EP} Sum/300s`],
    threshold: 5, comparison: 'GreaterThanThreshold', missing: 'notBreaching', periods: 3,
  },
  CustomAlarm: { metrics: [`AWS/Kinesis/IncomingRecords{StreamName=${STREAM}} Sum/300s`], threshold: 1, comparison: 'LessThanThreshold', missing: 'breaching', periods: 6 },
};

describe('PlatformMonitoring of the whole platform', () => {
  let fixture: PlatformFixture;
  let nag: SynthFinding[];
  let template: Template;
  let body: any;
  let alarms: Record<string, any>;

  beforeAll(() => {
    fixture = platformFixture();
    // One synthesis with the AwsSolutions pack; cleanTemplate then reads the same assembly and
    // fails on any built-in validation finding or warning.
    nag = nagFindings(fixture.app);
    template = cleanTemplate(fixture.stack);
    body = dashboardBody(template);
    alarms = template.findResources('AWS::CloudWatch::Alarm');
  });

  test('is cdk-nag AwsSolutions clean (and passed the built-in CloudFormation validation)', () => {
    expect(nag).toEqual([]);
  });

  test('the summary row comes first: health text, then the status of the composite and every alarm', () => {
    const [text, status] = body.widgets;
    expect(text.properties.markdown.split('\n')[0]).toBe('# Platform health');
    expect(text.properties.markdown).toContain('13 alarms notify the alarm topic');
    expect([text.y, status.y, status.type, status.width]).toEqual([0, 0, 'alarm', 16]);
    expect(status.properties.alarms).toHaveLength(14);
    expect(status.properties.alarms[0]).toBe('${MonitoringPlatformHealth2664F86A.Arn}');
    expect(body.start).toBe('-PT3H');
  });

  test('one section per component, in registration order', () => {
    const headings = body.widgets.filter((w: any) => w.type === 'text' && w.properties.markdown.startsWith('## '))
      .map((w: any) => w.properties.markdown.split('\n')[0]);
    expect(headings).toEqual([
      '## GPU cluster Gpu', '## Inference service inference/llama', '## Data lake Lake', '## Streaming ingestion Clicks',
      '## SageMaker endpoint Endpoint', '## Inference service inference/mistral',
    ]);
  });

  test('every graph shows metrics the services emit, with their dimensions', () => {
    const graphs = body.widgets.filter((w: any) => w.type === 'metric');
    const actual = Object.fromEntries(graphs.map((w: any) => [w.properties.title,
      widgetMetrics(w).map((m) => [m.namespace, m.metricName, m.dimensions])]));
    expect(graphs).toHaveLength(Object.keys(EXPECTED_GRAPHS).length);
    expect(actual).toEqual(EXPECTED_GRAPHS);
  });

  test('graph statistics and periods match the alarms that watch the same metric', () => {
    const byTitle = (t: string) => widgetMetrics(body.widgets.find((w: any) => w.properties.title === t));
    expect(byTitle('Pods pending on a node (image pull, model download)')[0].options).toMatchObject({ stat: 'Sum', period: 60 });
    expect(byTitle('Container restarts')[0].options).toMatchObject({ stat: 'Sum' });
    expect(byTitle('Model latency (p90, µs)')[0].options).toMatchObject({ stat: 'p90' });
    expect(byTitle('Nodes')[1].options).toMatchObject({ stat: 'Maximum' });
  });

  test('every alarm: metric, dimensions, statistic, threshold, comparison, missing data', () => {
    const actual = Object.fromEntries(Object.entries(alarms).map(([logicalId, r]) => {
      const id = logicalId.startsWith('ClicksAlarms') ? logicalId.replace(/^ClicksAlarms/, '').replace(/[0-9A-F]{8}$/, '')
        : logicalId.startsWith('MonitoringPlatformLlm') && logicalId.includes('GpuUtilization') ? 'ServiceGpuUtilization'
          : logicalId.replace(/^MonitoringPlatform(Gpu|Llm|Endpoint)[0-9A-F]{8}/, '').replace(/[0-9A-F]{8}$/, '');
      return [id, alarmShape(r.Properties)];
    }));
    expect(actual).toEqual(EXPECTED_ALARMS);
  });

  test('every alarm, the composite included, notifies the topic on ALARM and OK and explains itself', () => {
    const all = { ...alarms, ...template.findResources('AWS::CloudWatch::CompositeAlarm') };
    expect(Object.keys(all)).toHaveLength(14);
    for (const r of Object.values(all) as any[]) {
      expect(r.Properties.AlarmActions).toEqual([TOPIC]);
      expect(r.Properties.OKActions).toEqual([TOPIC]);
      expect(r.Properties.AlarmDescription.length).toBeGreaterThan(20);
    }
  });

  test('no GPU memory alarm by default (vLLM reserves GPU memory by design)', () => {
    expect(Object.keys(alarms).filter((id) => id.includes('GpuMemory'))).toEqual([]);
  });

  test('the platform health composite alarm is ALARM when any alarm is', () => {
    const composite = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'))[0] as any;
    const rule = flattenCfn(composite.Properties.AlarmRule);
    // Registration order: sections first, then addAlarm.
    const ids = fixture.monitoring.alarms.map((a) => fixture.stack.getLogicalId(a.node.defaultChild as CfnElement));
    expect([...ids].sort()).toEqual(Object.keys(alarms).sort());
    expect(rule).toBe(`(${ids.map((id) => `ALARM("\${${id}.Arn}")`).join(' OR ')})`);
  });

  test('the topic is KMS-encrypted (rotated key), TLS only; CloudWatch and AMP may use the key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': ['MonitoringAlarmTopicKeyFFA45DC9', 'Arn'] } });
    const key = template.toJSON().Resources.MonitoringAlarmTopicKeyFFA45DC9.Properties;
    expect(key.EnableKeyRotation).toBe(true);
    const services = key.KeyPolicy.Statement.filter((s: any) => s.Principal.Service)
      .map((s: any) => [s.Principal.Service, s.Action]);
    expect(services).toEqual([
      ['cloudwatch.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey*']],
      ['aps.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey*']],
    ]);
    const policy = template.toJSON().Resources.MonitoringAlarmTopicPolicyCB9CCFB0.Properties.PolicyDocument.Statement;
    expect(policy[0]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(policy[1]).toEqual({
      Sid: 'AllowAmazonManagedPrometheusAlerts', Effect: 'Allow', Principal: { Service: 'aps.amazonaws.com' },
      Action: ['sns:GetTopicAttributes', 'sns:Publish'], Resource: TOPIC,
      Condition: {
        ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['GpuInferenceAutoscalingWorkspaceDB28BD0D', 'Arn'] } },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
  });

  test('AMP alert manager routes every alert to the topic (SigV4, stack region)', () => {
    const ws = template.toJSON().Resources.GpuInferenceAutoscalingWorkspaceDB28BD0D.Properties;
    expect(flattenCfn(ws.AlertManagerDefinition)).toBe([
      'alertmanager_config: |',
      '  route:',
      '    receiver: "platform-alarm-topic"',
      '    group_by:',
      '      - "alertname"',
      '      - "namespace"',
      '      - "app"',
      '  receivers:',
      '    - name: "platform-alarm-topic"',
      '      sns_configs:',
      '        - topic_arn: "${Ref:MonitoringAlarmTopicAF62D4F1}"',
      '          sigv4:',
      '            region: "${Ref:AWS::Region}"',
      '          subject: "Amazon Managed Prometheus alert"',
      '',
    ].join('\n'));
  });

  test('AMP rule group: p95 latency, error ratio, queue depth and DCGM GPU saturation of the service', () => {
    template.resourceCountIs('AWS::APS::RuleGroupsNamespace', 1);
    const group = Object.values(template.findResources('AWS::APS::RuleGroupsNamespace'))[0] as any;
    expect(group.Properties.Name).toBe('inference-llama');
    expect(group.Properties.Workspace).toEqual({ 'Fn::GetAtt': ['GpuInferenceAutoscalingWorkspaceDB28BD0D', 'Arn'] });
    const sel = 'namespace=\\"inference\\",app=\\"llama\\"';
    const rule = (alert: string, expr: string, forTime: string, severity: string, summary: string, description: string) => [
      `      - alert: "${alert}"`, `        expr: "${expr}"`, `        for: "${forTime}"`, '        labels:', `          severity: "${severity}"`,
      '          namespace: "inference"', '          app: "llama"', '        annotations:', `          summary: "${summary}"`, `          description: "${description}"`,
    ];
    expect(group.Properties.Data).toBe([
      'groups:', '  - name: "inference-llama"', '    rules:',
      ...rule('InferenceLatencyHigh', `histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{${sel}}[5m]))) > 20`, '10m', 'warning',
        'inference/llama: p95 end-to-end request latency above 20 s',
        'The p95 end-to-end request latency of inference/llama stayed above 20 s for 10m. Check queue depth and GPU saturation; raise maxReplicas or add GPU capacity.'),
      ...rule('InferenceErrorRatioHigh', `100 * sum(rate(vllm:request_success_total{${sel},finished_reason=~\\"error|abort\\"}[5m])) / sum(rate(vllm:request_success_total{${sel}}[5m])) > 5`, '10m', 'critical',
        'inference/llama: more than 5% of requests fail',
        'More than 5% of the requests inference/llama finished failed or aborted for 10m. Check the model server logs.'),
      ...rule('InferenceQueueDepthHigh', `avg(vllm:num_requests_waiting{${sel}}) > 10`, '10m', 'warning',
        'inference/llama: more than 10 requests waiting per replica',
        'Requests queue at inference/llama (more than 10 waiting per replica for 10m): autoscaling is at maxReplicas or cannot get GPUs.'),
      ...rule('InferenceGpuSaturated', 'avg(DCGM_FI_DEV_GPU_UTIL{namespace=\\"inference\\",pod=~\\"llama-[a-z0-9]+-[a-z0-9]+\\"}) > 95', '15m', 'warning',
        'inference/llama: GPUs above 95% utilization',
        'The GPUs of inference/llama averaged more than 95% utilization (DCGM_FI_DEV_GPU_UTIL) for 15m: the service is GPU-bound.'),
      '',
    ].join('\n'));
  });

  describe('on a site with the Prometheus operator', () => {
    let objects: KubernetesObject[];
    beforeAll(() => {
      objects = siteObjects(fixture.onPrem);
    });

    test('manifests are schema-valid (Prometheus operator CRDs) and restricted', () => {
      expectSafeManifests(objects);
      expect(fixture.onPrem.charts.map((c) => c.node.id)).toEqual(['gpu-system', 'namespace-inference', 'inference-inference-mistral', 'monitoring-gpu-system', 'monitoring-inference-mistral']);
    });

    test('ServiceMonitor scrapes the DCGM exporter by its metrics port and keeps its pod labels', () => {
      const monitor = findObject(objects, 'ServiceMonitor', 'dcgm-exporter', 'gpu-system') as any;
      expect(monitor.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'cdk-scalable-ai', 'release': 'kube-prometheus-stack' });
      expect(monitor.spec).toEqual({
        selector: { matchLabels: { 'app.kubernetes.io/name': 'dcgm-exporter' } },
        namespaceSelector: { matchNames: ['gpu-system'] },
        endpoints: [{ port: 'metrics', interval: '30s', honorLabels: true }],
      });
    });

    test('PodMonitor scrapes the model server and labels series with app', () => {
      const monitor = findObject(objects, 'PodMonitor', 'mistral', 'inference') as any;
      expect(monitor.spec).toEqual({
        selector: { matchLabels: { 'app.kubernetes.io/name': 'mistral', 'app.kubernetes.io/part-of': 'cdk-scalable-ai' } },
        podMetricsEndpoints: [{
          port: 'http', path: '/metrics', interval: '30s',
          relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], targetLabel: 'app', action: 'replace' }],
        }],
      });
    });

    test('PrometheusRule carries the same alerts with the default thresholds', () => {
      const rule = findObject(objects, 'PrometheusRule', 'mistral', 'inference') as any;
      const rules = rule.spec.groups[0].rules;
      expect(rule.spec.groups[0].name).toBe('inference-mistral');
      expect(rules.map((r: any) => [r.alert, r.for, r.labels])).toEqual([
        ['InferenceLatencyHigh', '10m', { severity: 'warning', namespace: 'inference', app: 'mistral' }],
        ['InferenceErrorRatioHigh', '10m', { severity: 'critical', namespace: 'inference', app: 'mistral' }],
        ['InferenceQueueDepthHigh', '10m', { severity: 'warning', namespace: 'inference', app: 'mistral' }],
        ['InferenceGpuSaturated', '15m', { severity: 'warning', namespace: 'inference', app: 'mistral' }],
      ]);
      expect(rules.map((r: any) => r.expr.split(' > ')[1])).toEqual(['30', '5', '10', '95']);
    });

    test('its section explains where the alerts are and has no CloudWatch graphs or alarms', () => {
      const section = fixture.monitoring.sections[5];
      expect(section.widgets).toEqual([]);
      expect(section.alarms).toEqual([]);
      expect(section.description).toContain('PrometheusRule inference/mistral');
    });
  });

  test('snapshot of the monitored platform stack', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});
