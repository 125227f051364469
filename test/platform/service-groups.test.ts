/**
 * Service groups: a platform grows by groups. Each group's model servers deploy in a stack of
 * their own, and their monitoring is a nested stack of the compute stack whose health alarm
 * rolls up into platform health.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';
import { AiPlatform, InferenceScaling, MonitoringGroup, PlatformInferenceService } from '../../lib';
import { AssemblyModel } from '../harness/invariants/assembly-model';
import { nagFindings } from '../harness/nag';
import { synthesizeClean, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped */

function llm(id: string, group?: string, namespace?: string): PlatformInferenceService {
  return {
    id, group, modelPrefix: `${id.toLowerCase()}/v1`,
    service: { name: id.toLowerCase(), namespace, image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', scaling: InferenceScaling.onQueueDepth(8) },
  };
}

function platform(services: PlatformInferenceService[]) {
  const app = testApp();
  const p = new AiPlatform(app, 'P', {
    gpuNodeGroups: [{ id: 'L40s', options: { instanceTypes: [new ec2.InstanceType('g6e.xlarge')], maxSize: 40 } }],
    inferenceServices: services,
  });
  return { app, p };
}

describe('service groups', () => {
  const { app, p } = platform([llm('A'), llm('B', 'team-a'), llm('C', 'team-a'), llm('D', undefined, 'research')]);
  const assembly = synthesizeClean(app).getNestedAssembly(p.artifactId);
  const compute = Template.fromJSON(assembly.getStackByName('P-Compute').template);

  test('each group deploys in its own stack: the default namespace in Inference, others in Inference-<group>', () => {
    expect(p.serviceGroups).toEqual(['inference', 'team-a', 'research']);
    expect(p.inferenceServices.map((s) => `${s.node.path}`)).toEqual(['P/Inference/A', 'P/Inference-team-a/B', 'P/Inference-team-a/C', 'P/Inference-research/D']);
    const stackOf = (name: string) => Object.values(assembly.getStackByName(name).template.Resources).filter((r: any) => r.Type === 'AWS::EKS::PodIdentityAssociation').map((r: any) => r.Properties.ServiceAccount).sort();
    expect(stackOf('P-Inference')).toEqual(['a']);
    expect(stackOf('P-Inference-team-a')).toEqual(['b', 'c']);
    expect(stackOf('P-Inference-research')).toEqual(['d']);
  });

  test('a group stack deploys after the compute stack and nothing depends on it', () => {
    const groupStack = assembly.getStackByName('P-Inference-team-a');
    expect(groupStack.dependencies.map((d) => d.id)).toContain(assembly.getStackByName('P-Compute').id);
    for (const other of assembly.stacks) expect(other.dependencies.map((d) => d.id)).not.toContain(groupStack.id);
  });

  /** The nested template of a monitoring group, as written. */
  function groupTemplate(group: MonitoringGroup): any {
    const directory = assembly.getStackByName('P-Compute').assembly.directory;
    return JSON.parse(fs.readFileSync(path.join(directory, group.templateFile), 'utf8'));
  }

  test('each group is a monitoring group: a nested stack of the compute stack, whose health platform health names', () => {
    const groups = p.monitoring!.groups;
    expect(groups.map((g) => [g.groupName, g.node.path])).toEqual([
      ['inference', 'P/Compute/Monitoring/Group-inference'],
      ['team-a', 'P/Compute/Monitoring/Group-team-a'],
      ['research', 'P/Compute/Monitoring/Group-research'],
    ]);
    compute.resourceCountIs('AWS::CloudFormation::Stack', 3);
    const health = compute.toJSON().Resources[p.computeStack.getLogicalId(p.monitoring!.healthAlarm!.node.defaultChild as any)];
    const rule = JSON.stringify(health.Properties.AlarmRule);
    for (const group of groups) {
      // ALARM("<arn of the group's health alarm>"), read from the nested stack's outputs.
      expect(rule).toContain(`"${p.computeStack.getLogicalId(group.nestedStackResource as any)}","Outputs.`);
    }
  });

  test('a group holds its services\' alarms, health, dashboard and one Prometheus rule groups namespace', () => {
    const group = p.monitoring!.groups[1];
    const template = groupTemplate(group);
    const types = Object.values<any>(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::CloudWatch::Alarm')).toHaveLength(group.alarms.length);
    expect(group.sections.map((s) => s.title)).toEqual(['Inference service inference/b', 'Inference service inference/c']);
    expect(types.filter((t) => t === 'AWS::CloudWatch::CompositeAlarm')).toEqual(['AWS::CloudWatch::CompositeAlarm']);
    expect(types.filter((t) => t === 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
    const rules = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::APS::RuleGroupsNamespace');
    expect(rules.map((r) => r.Properties.Name)).toEqual(['group-team-a']);
    expect(rules[0].Properties.Data).toMatch(/^groups:\n {2}- name: "inference-b"\n[\s\S]*\n {2}- name: "inference-c"\n/);
    const dashboard = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dashboard.Properties.DashboardName).toBe('P-ai-platform-team-a');
    compute.resourceCountIs('AWS::APS::RuleGroupsNamespace', 0);
  });

  test('the platform dashboard lists the groups; the compute stack does not grow with services', () => {
    expect(JSON.stringify(compute.toJSON())).toContain('Monitoring groups (each with its own dashboard and health alarm, rolled up here): inference, team-a, research.');
    compute.resourceCountIs('AWS::CloudWatch::Alarm', p.monitoring!.alarms.length);
  });

  test('the invariant gates see the nested monitoring stacks and follow their parameters to the parent', () => {
    const model = new AssemblyModel(assembly);
    expect(model.resources('AWS::APS::RuleGroupsNamespace').map((r) => r.resource.Properties!.Name).sort()).toEqual(['group-inference', 'group-research', 'group-team-a']);
    const alarm = model.resources('AWS::CloudWatch::Alarm').find((a) => a.stack.endsWith('.nested.template.json'))!;
    const targets = model.references(alarm.stack, alarm.resource.Properties!.AlarmActions).map((r) => model.resource(r)!.Type);
    expect(targets).toEqual(['AWS::SNS::Topic']);
  });

  test('is cdk-nag AwsSolutions clean', () => {
    expect(nagFindings(platform([llm('A'), llm('B', 'team-a')]).app)).toEqual([]);
  });

  test('a group name that is not a DNS label fails with the prop and the fix', () => {
    expect(() => platform([llm('A', 'Team_A')])).toThrow(/inferenceServices\[\]\.group = "Team_A" is not a DNS-1123 label/);
  });
});

describe('stack outputs', () => {
  test('each stack outputs what it owns: lake buckets and streams, cluster and kubeconfig, workspace, alarm topic, service URLs', () => {
    const { app, p } = platform([llm('A'), llm('B', 'team-a')]);
    const assembly = synthesizeClean(app).getNestedAssembly(p.artifactId);
    const outputs = (stack: string) => Object.keys(assembly.getStackByName(stack).template.Outputs ?? {}).map((k) => k.replace(/[0-9A-F]{8}$/, '')).sort();
    expect(outputs('P-Data')).toEqual(expect.arrayContaining(['OutputsLakeZoneModelsBucket', 'OutputsLakeZoneRawBucket', 'OutputsStreamEventsName']));
    expect(outputs('P-Compute')).toEqual(expect.arrayContaining(['OutputsAlarmTopicArn', 'OutputsClusterName', 'OutputsDashboardName', 'OutputsPrometheusQueryUrl', 'OutputsPrometheusWorkspaceId', 'OutputsUpdateKubeconfigCommand']));
    expect(outputs('P-Inference')).toEqual(['OutputsServiceAUrl']);
    expect(outputs('P-Inference-team-a')).toEqual(['OutputsServiceBUrl']);
    const url = Object.entries<any>(assembly.getStackByName('P-Inference-team-a').template.Outputs).find(([k]) => k.startsWith('OutputsServiceBUrl'))![1];
    expect(url.Value).toBe('http://b.inference.svc.cluster.local:8000');
  });
});
