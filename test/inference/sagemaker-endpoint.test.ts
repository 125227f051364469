import { Duration, Size, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { newLogsKey } from '../../lib/private/log-encryption';
import { DEFAULT_DEPLOYMENT_BAKE_TIME, DEFAULT_MAX_MODEL_LATENCY, TrafficRouting } from '../../lib/inference/sagemaker-deployment';
import { SageMakerEndpoint } from '../../lib/inference/sagemaker-endpoint';
import {
  DataCaptureContent, DEFAULT_DATA_CAPTURE_SAMPLING_PERCENTAGE, DEFAULT_INFERENCE_COMPONENT_MEMORY, DEFAULT_INITIAL_INSTANCE_COUNT, DEFAULT_VARIANT_NAME,
  SAGEMAKER_NAME_PATTERN,
} from '../../lib/inference/sagemaker-endpoint-props';
import {
  DEFAULT_ENDPOINT_MAX_CAPACITY, DEFAULT_ENDPOINT_MIN_CAPACITY, DEFAULT_INVOCATIONS_PER_INSTANCE, DEFAULT_SCALE_IN_COOLDOWN,
  DEFAULT_SCALE_OUT_COOLDOWN, EndpointScaling,
} from '../../lib/inference/sagemaker-scaling';
import { expectNagClean } from '../harness/nag';
import { acknowledgeInvariant } from '../harness/invariants';
import { cleanTemplate } from '../harness/synth';
import { ECR_IMAGE, endpointFixture, errorOf, minimalProps, REGION, ACCOUNT } from './sagemaker-fixtures';

/** Every statement of the endpoint role's policy. */
function roleStatements(template: Template): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^LlmRole') }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

function actionsOf(statement: Record<string, unknown>): string[] {
  const action = statement.Action as string | string[];
  return Array.isArray(action) ? action : [action];
}


/** VPC flow logs as a platform keeps them: KMS-encrypted, retained a year. */
function encryptedFlowLog(scope: Construct, vpc: ec2.Vpc): void {
  const logGroup = new logs.LogGroup(scope, 'FlowLogGroup', { encryptionKey: newLogsKey(scope, 'FlowLogsKey', 'VPC flow logs'), retention: logs.RetentionDays.ONE_YEAR });
  vpc.addFlowLog('FlowLogs', { destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup) });
}

describe('SageMakerEndpoint defaults', () => {
  const { app, stack, models } = endpointFixture();
  const endpoint = new SageMakerEndpoint(stack, 'Llm', minimalProps(models));
  const template = cleanTemplate(stack);

  test('passes cdk-nag AwsSolutions', () => {
    expectNagClean(app);
  });

  test('names the endpoint after its path, within SageMaker naming rules', () => {
    expect(endpoint.endpointName).toMatch(SAGEMAKER_NAME_PATTERN);
    expect(endpoint.endpointName).toMatch(/^S-Llm-/);
    expect(endpoint.variantName).toBe(DEFAULT_VARIANT_NAME);
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: endpoint.endpointName });
    expect(stack.resolve((endpoint.node.defaultChild as unknown as { logicalId: string }).logicalId)).toMatch(/^Llm/);
    expect(endpoint.node.findChild('Resource')).toBe(endpoint.endpoint);
  });

  test('model: uncompressed S3 prefix of the zone, network isolation on, the execution role', () => {
    template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: true,
      ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LlmRole'), 'Arn'] },
      PrimaryContainer: {
        Image: ECR_IMAGE,
        Environment: Match.absent(),
        ModelDataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            CompressionType: 'None',
            S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^ModelsBucket') }, '/llama-3-8b/v3/']] },
          },
        },
      },
      VpcConfig: Match.absent(),
    });
  });

  test('endpoint config: one variant, one instance, no volume key on a local-NVMe instance type, no data capture', () => {
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      KmsKeyId: Match.absent(),
      DataCaptureConfig: Match.absent(),
      ExecutionRoleArn: Match.absent(),
      ProductionVariants: [{
        VariantName: DEFAULT_VARIANT_NAME,
        InstanceType: 'ml.g6e.2xlarge',
        InitialInstanceCount: DEFAULT_INITIAL_INSTANCE_COUNT,
        InitialVariantWeight: 1,
        ModelName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LlmModel'), 'ModelName'] },
        ManagedInstanceScaling: Match.absent(),
      }],
    });
    template.resourceCountIs('AWS::KMS::Key', 2); // the two zone keys of the fixture only
    expect(endpoint.encryptionKey).toBeUndefined();
  });

  test('blue/green all at once with a 5 minute bake, rolled back by the default alarms', () => {
    template.hasResourceProperties('AWS::SageMaker::Endpoint', {
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'ALL_AT_ONCE',
            WaitIntervalInSeconds: DEFAULT_DEPLOYMENT_BAKE_TIME.toSeconds(),
            CanarySize: Match.absent(),
            LinearStepSize: Match.absent(),
          },
          TerminationWaitInSeconds: 0,
          MaximumExecutionTimeoutInSeconds: Match.absent(),
        },
        AutoRollbackConfiguration: {
          Alarms: [
            { AlarmName: { Ref: Match.stringLikeRegexp('^LlmInvocation5xxAlarm') } },
            { AlarmName: { Ref: Match.stringLikeRegexp('^LlmModelLatencyAlarm') } },
          ],
        },
      },
    });
    expect(endpoint.alarms).toHaveLength(2);
  });

  test('default alarms: any 5XX, p90 latency over 30 s, with endpoint and variant dimensions', () => {
    const dimensions = [{ Name: 'EndpointName', Value: endpoint.endpointName }, { Name: 'VariantName', Value: DEFAULT_VARIANT_NAME }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SageMaker', MetricName: 'Invocation5XXErrors', Statistic: 'Sum', Period: 60, Dimensions: dimensions,
      Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching',
      AlarmActions: Match.absent(),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SageMaker', MetricName: 'ModelLatency', ExtendedStatistic: 'p90', Period: 60, Dimensions: dimensions,
      Threshold: DEFAULT_MAX_MODEL_LATENCY.toMilliseconds() * 1000, ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('auto scaling: variant instance count, 1 to 2 instances, 70 invocations per instance, 60 s / 300 s cooldowns', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'sagemaker',
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      ResourceId: `endpoint/${endpoint.endpointName}/variant/${DEFAULT_VARIANT_NAME}`,
      MinCapacity: DEFAULT_ENDPOINT_MIN_CAPACITY,
      MaxCapacity: DEFAULT_ENDPOINT_MAX_CAPACITY,
      RoleARN: Match.absent(),
    });
    template.hasResource('AWS::ApplicationAutoScaling::ScalableTarget', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^Llm[0-9A-F]{8}$')]) });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
        TargetValue: DEFAULT_INVOCATIONS_PER_INSTANCE,
        ScaleOutCooldown: DEFAULT_SCALE_OUT_COOLDOWN.toSeconds(),
        ScaleInCooldown: DEFAULT_SCALE_IN_COOLDOWN.toSeconds(),
      },
    });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    expect([endpoint.minCapacity, endpoint.maxCapacity]).toEqual([1, 2]);
  });

  test('execution role: trusted by SageMaker only, no managed policies', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('execution role: reads exactly the model prefix and pulls exactly the model repository', () => {
    const statements = roleStatements(template);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ModelsBucket/), 'Arn'] }, '/llama-3-8b/v3/*']] },
      }),
      expect.objectContaining({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['llama-3-8b/v3/*'] } } }),
      expect.objectContaining({
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/llm-server`,
      }),
    ]));
  });

  test('execution role: logs only to the endpoint log group, metrics only in the endpoint namespace', () => {
    const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${endpoint.endpointName}`;
    expect(roleStatements(template)).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        Resource: [group, `${group}:*`],
      }),
      expect.objectContaining({
        Action: 'cloudwatch:PutMetricData', Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/Endpoints' } },
      }),
    ]));
  });

  test('execution role: "*" only for actions without resource-level permissions', () => {
    const star = roleStatements(template).filter((s) => s.Resource === '*').flatMap(actionsOf);
    expect(star.sort()).toEqual(['cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken']);
    expect(roleStatements(template).flatMap(actionsOf).filter((a) => a.includes('*'))).toEqual([]);
  });

  test('the endpoint waits for the role policy (SageMaker checks image and model access on create)', () => {
    template.hasResource('AWS::SageMaker::Endpoint', {
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^LlmRoleDefaultPolicy')]),
    });
  });
});

describe('SageMakerEndpoint encryption', () => {
  test('an EBS-backed instance type gets a new rotating, retained volume key', () => {
    const { app, stack, models } = endpointFixture();
    const endpoint = new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { instanceType: 'ml.c7i.xlarge' }));
    const template = cleanTemplate(stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, Description: Match.stringLikeRegexp('ML storage volume key') },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LlmKey'), 'Arn'] } });
    expect(roleStatements(template)).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'] }),
      expect.objectContaining({ Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } }),
    ]));
    expect(endpoint.encryptionKey).toBeDefined();
    expectNagClean(app);
  });

  test('a given key is used and no key is created', () => {
    const { stack, models } = endpointFixture();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const endpoint = new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { instanceType: 'ml.m7i.2xlarge', encryptionKey: key }));
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyKey'), 'Arn'] } });
    expect(template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('ML storage') } })).toEqual({});
    expect(endpoint.encryptionKey).toBe(key);
  });

  test('a key for an instance type with local NVMe storage is rejected (SageMaker would fail the deploy)', () => {
    const { stack, models } = endpointFixture();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const error = errorOf(() => new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { instanceType: 'ml.g5.2xlarge', encryptionKey: key })));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(/encryptionKey = "ml.g5.2xlarge".*local NVMe.*Remove encryptionKey/);
  });
});

describe('SageMakerEndpoint options', () => {
  test('data capture into a zone prefix with the zone key, 20 % by default, requests and responses', () => {
    const { app, stack, models, raw } = endpointFixture();
    new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { dataCapture: { zone: raw, prefix: 'capture/llama/' } }));
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      DataCaptureConfig: {
        EnableCapture: true,
        DestinationS3Uri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^RawBucket') }, '/capture/llama']] },
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RawKey'), 'Arn'] },
        InitialSamplingPercentage: DEFAULT_DATA_CAPTURE_SAMPLING_PERCENTAGE,
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      },
    });
    expect(roleStatements(template)).toEqual(expect.arrayContaining([expect.objectContaining({
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^RawBucket/), 'Arn'] }, '/capture/llama/*']] },
    })]));
    expectNagClean(app);
  });

  test('data capture of responses only at a given rate', () => {
    const { stack, models, raw } = endpointFixture();
    new SageMakerEndpoint(stack, 'Llm', minimalProps(models, {
      dataCapture: { zone: raw, prefix: 'capture', samplingPercentage: 5, captureContent: DataCaptureContent.OUTPUT },
    }));
    cleanTemplate(stack).hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      DataCaptureConfig: { InitialSamplingPercentage: 5, CaptureOptions: [{ CaptureMode: 'Output' }] },
    });
  });

  test('a given repository is granted pull; an image outside ECR fails (SageMaker pulls from ECR)', () => {
    const { stack, models } = endpointFixture();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'serving');
    new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { image: repository.repositoryUriForTag('2.0'), imageRepository: repository }));
    const template = cleanTemplate(stack);
    expect(roleStatements(template)).toEqual(expect.arrayContaining([expect.objectContaining({
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      Resource: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/serving`,
    })]));

    const other = endpointFixture();
    expect(() => new SageMakerEndpoint(other.stack, 'Llm', minimalProps(other.models, { image: 'registry.example.com/llm:1' })))
      .toThrow(/image = "registry.example.com\/llm:1" is not in Amazon ECR, where SageMaker hosting pulls images from/);
  });

  test('an AWS Deep Learning Container image is pulled from its own repository', () => {
    const { stack, models } = endpointFixture();
    const dlc = '763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04';
    new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { image: dlc }));
    expect(roleStatements(cleanTemplate(stack))).toEqual(expect.arrayContaining([expect.objectContaining({
      Resource: 'arn:aws:ecr:eu-west-1:763104351884:repository/huggingface-pytorch-tgi-inference',
    })]));
  });

  test('environment, custom names and network isolation off', () => {
    const { stack, models } = endpointFixture();
    const endpoint = new SageMakerEndpoint(stack, 'Llm', minimalProps(models, {
      environment: { HF_MODEL_ID: '/opt/ml/model', SM_NUM_GPUS: '1' }, endpointName: 'llama-prod', variantName: 'blue', networkIsolation: false,
    }));
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      EnableNetworkIsolation: false,
      PrimaryContainer: { Environment: { HF_MODEL_ID: '/opt/ml/model', SM_NUM_GPUS: '1' } },
    });
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'llama-prod' });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { ResourceId: 'endpoint/llama-prod/variant/blue' });
    expect([endpoint.endpointName, endpoint.variantName]).toEqual(['llama-prod', 'blue']);
  });

  test('VPC: private subnets, a security group without inbound rules and HTTPS out, ENI permissions', () => {
    const { app, stack, models } = endpointFixture();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    encryptedFlowLog(stack, vpc);
    const endpoint = new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { vpc }));
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('SageMaker endpoint'),
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
    });
    template.hasResourceProperties('AWS::SageMaker::Model', {
      VpcConfig: {
        Subnets: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }],
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^LlmSecurityGroup'), 'GroupId'] }],
      },
    });
    expect(roleStatements(template).find((s) => actionsOf(s).includes('ec2:CreateNetworkInterface'))).toBeDefined();
    expect(endpoint.securityGroups).toHaveLength(1);
    expectNagClean(app);
  });

  test('concurrency scaling with custom bounds and cooldowns', () => {
    const { stack, models } = endpointFixture();
    new SageMakerEndpoint(stack, 'Llm', minimalProps(models, {
      initialInstanceCount: 2,
      scaling: EndpointScaling.concurrency(4, { minCapacity: 2, maxCapacity: 8, scaleInCooldown: Duration.minutes(15), scaleOutCooldown: Duration.seconds(30) }),
    }));
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 8 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantConcurrentRequestsPerModelHighResolution' },
        TargetValue: 4, ScaleInCooldown: 900, ScaleOutCooldown: 30,
      },
    });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { ProductionVariants: [Match.objectLike({ InitialInstanceCount: 2 })] });
  });

  test('the initial instance count rises to the scaling minimum', () => {
    const { stack, models } = endpointFixture();
    new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { scaling: EndpointScaling.invocationsPerInstance(100, { minCapacity: 3 }) }));
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', { ProductionVariants: [Match.objectLike({ InitialInstanceCount: 3 })] });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 3 });
  });

  test('canary and linear blue/green with timeouts, extra rollback alarms and an alarm topic (its key admits CloudWatch without being told)', () => {
    const { stack, models } = endpointFixture();
    const topicKey = new kms.Key(stack, 'TopicKey', { enableKeyRotation: true });
    const topic = new sns.Topic(stack, 'Topic', { masterKey: topicKey, enforceSSL: true });
    // The user's own quality metric, published by an evaluation job outside this app.
    acknowledgeInvariant(stack.node.root, 'metrics-have-producers', /on Custom Quality/, 'an evaluation job outside this app publishes the quality metric');
    const extra = new cloudwatch.Alarm(stack, 'Extra', {
      metric: new cloudwatch.Metric({ namespace: 'Custom', metricName: 'Quality' }), threshold: 1, evaluationPeriods: 1,
    });
    new SageMakerEndpoint(stack, 'Llm', minimalProps(models, {
      alarmTopic: topic,
      deployment: {
        trafficRouting: TrafficRouting.canary(10, Duration.minutes(10)),
        terminationWait: Duration.minutes(5),
        maximumExecutionTimeout: Duration.hours(1),
        maxModelLatency: Duration.seconds(5),
        max5xxErrorsPerMinute: 3,
        rollbackAlarms: [extra],
      },
    }));
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::SageMaker::Endpoint', {
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 }, WaitIntervalInSeconds: 600 },
          TerminationWaitInSeconds: 300,
          MaximumExecutionTimeoutInSeconds: 3600,
        },
        AutoRollbackConfiguration: { Alarms: Match.arrayWith([{ AlarmName: { Ref: Match.stringLikeRegexp('^Extra') } }]) },
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ModelLatency', Threshold: 5_000_000, AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Invocation5XXErrors', Threshold: 3, AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }] });

    const linear = endpointFixture();
    new SageMakerEndpoint(linear.stack, 'Llm', minimalProps(linear.models, { deployment: { trafficRouting: TrafficRouting.linear(25) } }));
    cleanTemplate(linear.stack).hasResourceProperties('AWS::SageMaker::Endpoint', {
      DeploymentConfig: { BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 300 } } },
    });
  });

  test('tokens pass validation', () => {
    const { stack, models } = endpointFixture();
    const endpoint = new SageMakerEndpoint(stack, 'Llm', minimalProps(models, {
      instanceType: Token.asString({ Ref: 'InstanceType' }),
      endpointName: Token.asString({ Ref: 'EndpointName' }),
      modelData: { zone: models, prefix: Token.asString({ Ref: 'ModelPrefix' }) },
      initialInstanceCount: Token.asNumber({ Ref: 'Count' }),
      scaling: EndpointScaling.invocationsPerInstance(Token.asNumber({ Ref: 'Target' })),
    }));
    expect(Token.isUnresolved(endpoint.endpointName)).toBe(true);
    // An unknown instance type may be EBS-backed: the volume key is kept.
    expect(endpoint.encryptionKey).toBeDefined();
    const json = Stack.of(endpoint).resolve(endpoint.endpoint.endpointName);
    expect(json).toEqual({ Ref: 'EndpointName' });
  });
});

describe('SageMakerEndpoint scale to zero (inference component)', () => {
  const { app, stack, models } = endpointFixture();
  const endpoint = new SageMakerEndpoint(stack, 'Llm', minimalProps(models, {
    scaling: EndpointScaling.concurrency(4, { minCapacity: 0, maxCapacity: 3 }),
    inferenceComponent: { memoryPerCopy: Size.gibibytes(32) },
  }));
  const template = cleanTemplate(stack);
  const icName = endpoint.inferenceComponentName!;

  test('passes cdk-nag AwsSolutions', () => {
    expectNagClean(app);
  });

  test('endpoint config: managed instance scaling down to 0, role and isolation on the config, no model on the variant', () => {
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LlmRole'), 'Arn'] },
      EnableNetworkIsolation: true,
      ProductionVariants: [{
        VariantName: DEFAULT_VARIANT_NAME,
        InstanceType: 'ml.g6e.2xlarge',
        InitialInstanceCount: 1,
        ManagedInstanceScaling: { Status: 'ENABLED', MinInstanceCount: 0, MaxInstanceCount: 3 },
        RoutingConfig: { RoutingStrategy: 'LEAST_OUTSTANDING_REQUESTS' },
      }],
    });
  });

  test('inference component: the model with every GPU of the instance, one copy, rolling update with rollback', () => {
    expect(icName).toMatch(SAGEMAKER_NAME_PATTERN);
    template.hasResourceProperties('AWS::SageMaker::InferenceComponent', {
      InferenceComponentName: icName,
      EndpointName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Llm[0-9A-F]{8}$'), 'EndpointName'] },
      VariantName: DEFAULT_VARIANT_NAME,
      Specification: {
        ModelName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LlmModel'), 'ModelName'] },
        ComputeResourceRequirements: { MinMemoryRequiredInMb: 32768, NumberOfAcceleratorDevicesRequired: 1 },
      },
      RuntimeConfig: { CopyCount: 1 },
      DeploymentConfig: {
        RollingUpdatePolicy: { MaximumBatchSize: { Type: 'COPY_COUNT', Value: 1 }, WaitIntervalInSeconds: 300 },
        AutoRollbackConfiguration: { Alarms: [{ AlarmName: { Ref: Match.stringLikeRegexp('^LlmInvocation5xx') } }, { AlarmName: { Ref: Match.stringLikeRegexp('^LlmModelLatency') } }] },
      },
    });
    template.hasResourceProperties('AWS::SageMaker::Endpoint', { DeploymentConfig: Match.absent() });
  });

  test('copies scale 0..3 on concurrency per copy', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'sagemaker:inference-component:DesiredCopyCount',
      ResourceId: `inference-component/${icName}`,
      MinCapacity: 0,
      MaxCapacity: 3,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution' },
        TargetValue: 4,
      },
    });
  });

  test('a step policy adds a copy when a request finds no capacity (NoCapacityInvocationFailures)', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: {
        AdjustmentType: 'ChangeInCapacity', MetricAggregationType: 'Maximum', Cooldown: 60,
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SageMaker', MetricName: 'NoCapacityInvocationFailures', Statistic: 'Sum', Period: 60,
      Dimensions: [{ Name: 'InferenceComponentName', Value: icName }],
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, DatapointsToAlarm: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('ScaleFromZero') }],
    });
  });

  test('invocation metrics and alarms use the inference component dimension', () => {
    expect(endpoint.metricInvocations().dimensions).toEqual({ InferenceComponentName: icName });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Invocation5XXErrors', Dimensions: [{ Name: 'InferenceComponentName', Value: icName }] });
  });

  test('the role may also log to the inference component log group', () => {
    const statement = roleStatements(template).find((s) => actionsOf(s).includes('logs:PutLogEvents'))!;
    expect(statement.Resource).toContain(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/InferenceComponents/${icName}:*`);
  });
});

test('inference component defaults: 1 GiB and every GPU per copy, one copy, min 1 copy keeps one instance', () => {
  const { stack, models } = endpointFixture();
  new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { instanceType: 'ml.g6.12xlarge', inferenceComponent: {} }));
  const template = cleanTemplate(stack);
  template.hasResourceProperties('AWS::SageMaker::InferenceComponent', {
    Specification: { ComputeResourceRequirements: { MinMemoryRequiredInMb: DEFAULT_INFERENCE_COMPONENT_MEMORY.toMebibytes(), NumberOfAcceleratorDevicesRequired: 4 } },
    RuntimeConfig: { CopyCount: 1 },
  });
  template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
    ProductionVariants: [Match.objectLike({ ManagedInstanceScaling: { Status: 'ENABLED', MinInstanceCount: 1, MaxInstanceCount: 2 } })],
  });
  template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 1);
});

describe('SageMakerEndpoint metrics', () => {
  const { stack, models } = endpointFixture();
  const endpoint = new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { endpointName: 'llm', variantName: 'v1' }));
  const dims = { EndpointName: 'llm', VariantName: 'v1' };

  test.each([
    ['metricInvocations', 'AWS/SageMaker', 'Invocations', 'Sum'],
    ['metricInvocationsPerInstance', 'AWS/SageMaker', 'InvocationsPerInstance', 'Sum'],
    ['metricModelLatency', 'AWS/SageMaker', 'ModelLatency', 'Average'],
    ['metricInvocation4xxErrors', 'AWS/SageMaker', 'Invocation4XXErrors', 'Sum'],
    ['metricInvocation5xxErrors', 'AWS/SageMaker', 'Invocation5XXErrors', 'Sum'],
    ['metricCpuUtilization', '/aws/sagemaker/Endpoints', 'CPUUtilization', 'Average'],
    ['metricGpuUtilization', '/aws/sagemaker/Endpoints', 'GPUUtilization', 'Average'],
  ] as const)('%s: %s %s (%s per minute, endpoint and variant)', (method, namespace, metricName, statistic) => {
    const metric = endpoint[method]();
    expect(metric).toMatchObject({ namespace, metricName, statistic, dimensions: dims });
    expect(metric.period.toSeconds()).toBe(60);
  });

  test('options override the defaults', () => {
    const metric = endpoint.metricModelLatency({ statistic: 'p99', period: Duration.minutes(5) });
    expect(metric).toMatchObject({ statistic: 'p99', dimensions: dims });
    expect(metric.period.toMinutes()).toBe(5);
  });
});

describe('SageMakerEndpoint validation', () => {
  test.each([
    ['instance type without ml.', { instanceType: 'g5.xlarge' }, /instanceType = "g5.xlarge" is not a SageMaker instance type.*ml\.g6e\.2xlarge/],
    ['unknown family', { instanceType: 'ml.x2iedn.xlarge' }, /instanceType = "ml.x2iedn.xlarge" is of a family SageMaker.*cannot host.*g6e/],
    ['unknown size', { instanceType: 'ml.g5.3xlarge' }, /instanceType = "ml.g5.3xlarge" is not a hosting size.*ml\.g5\.xlarge/],
    ['min > max', { scaling: EndpointScaling.invocationsPerInstance(10, { minCapacity: 4, maxCapacity: 2 }) }, /scaling.maxCapacity = 2 is less than scaling.minCapacity \(4\)/],
    ['scale to zero without inference component', { scaling: EndpointScaling.concurrency(2, { minCapacity: 0 }) }, /scaling.minCapacity = 0 .*only for inference components.*Set inferenceComponent/],
    ['sampling above 100', { dataCapture: { zone: undefined, prefix: 'c', samplingPercentage: 101 } }, /dataCapture.samplingPercentage = 101 is not an integer between 0 and 100/],
    ['bad endpoint name', { endpointName: 'my_endpoint' }, /endpointName = "my_endpoint" is invalid.*letters, digits and hyphens/],
    ['too long variant name', { variantName: 'v'.repeat(64) }, /variantName = "v{64}" is invalid/],
    ['bad inference component name', { inferenceComponent: { name: '-ic' } }, /inferenceComponent.name = "-ic" is invalid/],
    ['canary too large', { deployment: { trafficRouting: TrafficRouting.canary(60) } }, /deployment.trafficRouting.sizePercent = 60 is not an integer between 1 and 50/],
    ['canary zero', { deployment: { trafficRouting: TrafficRouting.canary(0) } }, /sizePercent = 0 is not an integer between 1 and 50/],
    ['linear too small', { deployment: { trafficRouting: TrafficRouting.linear(5) } }, /sizePercent = 5 is not an integer between 10 and 50/],
    ['empty model prefix', { modelData: { zone: undefined, prefix: '' } }, /modelData.prefix = "" is empty/],
    ['model prefix with leading slash', { modelData: { zone: undefined, prefix: '/models/llama' } }, /modelData.prefix = "\/models\/llama" starts with "\/"/],
    ['model prefix as S3 URI', { modelData: { zone: undefined, prefix: 's3://bucket/llama' } }, /modelData.prefix = "s3:\/\/bucket\/llama" is an S3 URI/],
    ['model prefix with wildcard', { modelData: { zone: undefined, prefix: 'llama/*' } }, /modelData.prefix = "llama\/\*" contains a wildcard/],
    ['timeout shorter than the waits', { deployment: { maximumExecutionTimeout: Duration.minutes(10), terminationWait: Duration.minutes(10) } }, /maximumExecutionTimeout = "10 minutes" does not exceed/],
    ['canary with inference component', { inferenceComponent: {}, deployment: { trafficRouting: TrafficRouting.canary(10) } }, /deployment.trafficRouting = "CANARY" is not available with inference components/],
    ['environment key', { environment: { 'MY-VAR': 'x' } }, /environment key "MY-VAR"/],
    ['subnets without vpc', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }, /vpcSubnets = "set" needs vpc/],
    ['too many accelerators', { inferenceComponent: { acceleratorsPerCopy: 2 } }, /inferenceComponent.acceleratorsPerCopy = 2 is not an integer between 1 and 1/],
    ['initial count above max', { initialInstanceCount: 5 }, /scaling.maxCapacity = 2 is less than initialInstanceCount \(5\)/],
    ['zero target', { scaling: EndpointScaling.concurrency(0) }, /scaling.target = 0 is not a positive number/],
  ])('%s', (_name, overrides, message) => {
    const { stack, models } = endpointFixture();
    const fix = (value: Record<string, unknown>): Record<string, unknown> => {
      const out = { ...value };
      for (const key of ['modelData', 'dataCapture']) {
        if (out[key]) out[key] = { ...(out[key] as object), zone: models };
      }
      return out;
    };
    const error = errorOf(() => new SageMakerEndpoint(stack, 'Llm', minimalProps(models, fix(overrides))));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^S\/Llm: /);
  });
});

describe('SageMakerEndpoint snapshot', () => {
  test('full-featured endpoint: scale to zero, data capture, VPC', () => {
    const { stack, models, raw } = endpointFixture();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    encryptedFlowLog(stack, vpc);
    new SageMakerEndpoint(stack, 'Llm', minimalProps(models, {
      endpointName: 'llama-3-8b',
      environment: { SM_NUM_GPUS: '1' },
      vpc,
      dataCapture: { zone: raw, prefix: 'capture/llama-3-8b' },
      scaling: EndpointScaling.concurrency(4, { minCapacity: 0, maxCapacity: 4 }),
      inferenceComponent: { memoryPerCopy: Size.gibibytes(40) },
    }));
    expect(cleanTemplate(stack).toJSON()).toMatchSnapshot();
  });
});
