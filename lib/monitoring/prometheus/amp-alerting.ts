/**
 * Alerting in an Amazon Managed Prometheus workspace: rule groups namespaces (one per model
 * server) and the workspace's alert manager definition, which routes every alert to the
 * platform's SNS topic (SigV4, the topic's region). AMP may publish to the topic (topic policy
 * scoped to the workspace and account) and use its KMS key.
 */
import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PrometheusAlertRule, ruleFileYaml, ruleGroup, toYaml } from './alert-rules';
import { PropValidationError } from '../../private/errors';
import { warn } from '../../private/validation';
import { checkPropTypes } from '../../private/prop-types';

/** Name of the alert manager receiver that publishes to the alarm topic. */
export const AMP_SNS_RECEIVER = 'platform-alarm-topic';
/** SNS subject of AMP notifications (AMP's default subject lists every label and can exceed SNS's 100 characters). */
export const AMP_ALERT_SUBJECT = 'Amazon Managed Prometheus alert';
/** Labels alerts are grouped by in one notification. */
export const AMP_ALERT_GROUP_BY = ['alertname', 'namespace', 'app'];
/** Longest rule groups namespace name AMP accepts. */
const MAX_RULE_GROUPS_NAMESPACE_LENGTH = 64;

export interface AmpAlertingProps {
  /** The workspace whose rules and alert manager this configures. */
  readonly workspace: aps.CfnWorkspace;
  /** Topic the alert manager publishes to. */
  readonly topic: sns.ITopic;
  /**
   * KMS key of the topic, to let AMP use it.
   * @default - the topic's masterKey; none for an unencrypted topic
   */
  readonly topicKey?: kms.IKey;
}

/** Rule groups and SNS routing of one Amazon Managed Prometheus workspace. */
export class AmpAlerting extends Construct {
  public readonly workspace: aps.CfnWorkspace;
  /** The alert manager definition set on the workspace. */
  public readonly alertManagerDefinition: string;
  private readonly ruleGroups: aps.CfnRuleGroupsNamespace[] = [];

  constructor(scope: Construct, id: string, props: AmpAlertingProps) {
    super(scope, id);
    checkPropTypes(this, 'AmpAlertingProps', props);
    const { workspace, topic } = props;
    this.workspace = workspace;
    if (workspace.alertManagerDefinition !== undefined) {
      throw new PropValidationError(this, 'workspace.alertManagerDefinition', 'set', `is already set on ${workspace.node.path}`,
        'Let PlatformMonitoring own the alert manager definition of the inference workspace, or route alerts yourself and do not monitor services of this cluster.');
    }
    if (Token.isUnresolved(topic.topicArn) && Stack.of(topic) !== Stack.of(workspace)) {
      throw new PropValidationError(this, 'alarmTopic', topic.node.path, `is in stack ${Stack.of(topic).stackName}, not in the stack of the Prometheus workspace (${Stack.of(workspace).stackName})`,
        'The workspace\'s alert manager names the topic and the topic policy names the workspace: create PlatformMonitoring (or its alarmTopic) in the GpuCluster\'s stack.');
    }

    const region = Stack.of(workspace).region;
    const routing = toYaml({
      route: { receiver: AMP_SNS_RECEIVER, group_by: AMP_ALERT_GROUP_BY },
      receivers: [{ name: AMP_SNS_RECEIVER, sns_configs: [{ topic_arn: topic.topicArn, sigv4: { region }, subject: AMP_ALERT_SUBJECT }] }],
    });
    this.alertManagerDefinition = `alertmanager_config: |\n${routing.trimEnd().split('\n').map((l) => `  ${l}`).join('\n')}\n`;
    workspace.alertManagerDefinition = this.alertManagerDefinition;

    const account = Stack.of(workspace).account;
    const fromWorkspace = { ArnEquals: { 'aws:SourceArn': workspace.attrArn }, StringEquals: { 'aws:SourceAccount': account } };
    const published = topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowAmazonManagedPrometheusAlerts',
      principals: [new iam.ServicePrincipal('aps.amazonaws.com')],
      actions: ['sns:Publish', 'sns:GetTopicAttributes'],
      resources: [topic.topicArn],
      conditions: fromWorkspace,
    }));
    if (!published.statementAdded) {
      warn(this, 'ampTopicPolicy', `The policy of the imported topic ${topic.topicArn} cannot be changed here: allow aps.amazonaws.com sns:Publish and sns:GetTopicAttributes on it (aws:SourceArn = the workspace), or Prometheus alerts are not delivered.`);
    }
    const key = props.topicKey ?? topic.masterKey;
    if (key) {
      const granted = key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowAmazonManagedPrometheusAlerts',
        principals: [new iam.ServicePrincipal('aps.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }), true);
      if (!granted.statementAdded) {
        warn(this, 'ampTopicKeyPolicy', `The key policy of the imported key ${key.keyArn} cannot be changed here: allow aps.amazonaws.com kms:GenerateDataKey* and kms:Decrypt, or Prometheus alerts to the encrypted topic fail.`);
      }
    }
  }

  /** Rule groups namespaces added so far. */
  public get ruleGroupsNamespaces(): aps.CfnRuleGroupsNamespace[] {
    return this.ruleGroups;
  }

  /** Adds a rule groups namespace holding one group with the rules. */
  public addRuleGroup(id: string, name: string, rules: PrometheusAlertRule[]): aps.CfnRuleGroupsNamespace {
    const namespaceName = name.length <= MAX_RULE_GROUPS_NAMESPACE_LENGTH ? name
      : `${name.slice(0, MAX_RULE_GROUPS_NAMESPACE_LENGTH - 9)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
    const group = new aps.CfnRuleGroupsNamespace(this, id, {
      workspace: this.workspace.attrArn,
      name: namespaceName,
      data: ruleFileYaml([ruleGroup(name, rules)]),
    });
    this.ruleGroups.push(group);
    return group;
  }
}
