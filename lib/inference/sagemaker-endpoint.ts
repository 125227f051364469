/**
 * SageMakerEndpoint: a managed real-time endpoint (model, KMS-encrypted endpoint config,
 * endpoint) with a least-privilege execution role, Application Auto Scaling target tracking,
 * optional scale to zero through an inference component, blue/green deployments rolled back by
 * alarms, data capture into the data lake, and metrics.
 *
 * Construct ids are API (a changed id replaces the resource):
 * - `<endpoint>/Resource`            the endpoint
 * - `<endpoint>/Model`, `/Config`    model and endpoint config (CloudFormation-named: immutable, replaced on change)
 * - `<endpoint>/Role`, `/Key`        execution role, ML storage volume key
 * - `<endpoint>/InferenceComponent`  the inference component (with `inferenceComponent`)
 * - `<endpoint>/ScalingTarget`       the scalable target and its policies
 * - `<endpoint>/Invocation5xxAlarm`, `/ModelLatencyAlarm` the rollback alarms
 */
import { Duration, Names, RemovalPolicy, Size, SizeRoundingBehavior } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import {
  DEFAULT_MAX_5XX_ERRORS_PER_MINUTE, DEFAULT_MAX_MODEL_LATENCY, EndpointDeploymentOptions, renderEndpointDeployment,
  renderInferenceComponentDeployment, validateDeployment,
} from './sagemaker-deployment';
import {
  DataCaptureContent, DataCaptureOptions, DEFAULT_DATA_CAPTURE_SAMPLING_PERCENTAGE, DEFAULT_INFERENCE_COMPONENT_MEMORY,
  DEFAULT_INITIAL_INSTANCE_COUNT, DEFAULT_VARIANT_NAME, InferenceComponentOptions, SageMakerEndpointProps,
} from './sagemaker-endpoint-props';
import { createExecutionRole, SAGEMAKER_ENDPOINT_METRICS_NAMESPACE } from './sagemaker-execution-role';
import { checkHostingInstanceType, hasLocalInstanceStorage } from './sagemaker-instance-types';
import {
  DEFAULT_ENDPOINT_MAX_CAPACITY, DEFAULT_ENDPOINT_MIN_CAPACITY, DEFAULT_SCALE_IN_COOLDOWN, DEFAULT_SCALE_OUT_COOLDOWN,
  defaultEndpointScaling, EndpointScaling,
} from './sagemaker-scaling';
import { grantEndpointInvoke, ImportedSageMakerEndpoint, ISageMakerEndpoint } from './sagemaker-endpoint-ref';
import { checkEnvironment, checkSageMakerName, checkScaling } from './sagemaker-validation';
import { PropValidationError } from '../private/errors';
import { acknowledgeRule } from '../private/nag-acknowledgements';
import { lookupGpuInstance } from '../private/gpu-catalog';
import { checkInteger, checkOrdered, checkPattern, checkSizeRange, isToken, normalizeKeyPrefix } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';
import { ensureAlarmTopicUsable } from '../monitoring/alarm-topic-key';

/** An ECR image URI (private registry `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/...`). */
const ECR_IMAGE = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

/** Namespace of the invocation metrics (Invocations, ModelLatency, errors). */
export const SAGEMAKER_INVOCATION_METRICS_NAMESPACE = 'AWS/SageMaker';
/** Period of the endpoint metrics and alarms. */
export const SAGEMAKER_METRIC_PERIOD = Duration.minutes(1);
/** The service-linked role Application Auto Scaling uses for SageMaker endpoints and inference components. */
export const SAGEMAKER_AUTOSCALING_SERVICE_LINKED_ROLE =
  'aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint';
/** Cooldown of the step scaling policy that wakes an inference component from zero copies (AWS guidance). */
export const SCALE_FROM_ZERO_COOLDOWN = Duration.minutes(1);

const CAPTURE_MODES: Record<DataCaptureContent, string[]> = {
  [DataCaptureContent.INPUT]: ['Input'],
  [DataCaptureContent.OUTPUT]: ['Output'],
  [DataCaptureContent.INPUT_AND_OUTPUT]: ['Input', 'Output'],
};

/** A managed SageMaker real-time endpoint for one model, ready for production traffic. */
export class SageMakerEndpoint extends Construct implements ISageMakerEndpoint {
  /** An endpoint created elsewhere (another app, the console), by name, in this stack's account and region. */
  public static fromEndpointName(scope: Construct, id: string, endpointName: string): ISageMakerEndpoint {
    return new ImportedSageMakerEndpoint(scope, id, endpointName);
  }

  /** Name of the endpoint (invocations and CloudWatch dimensions use it). */
  public readonly endpointName: string;
  /** Name of the production variant. */
  public readonly variantName: string;
  /** Name of the inference component, when the model is hosted as one. */
  public readonly inferenceComponentName?: string;
  /** The execution role SageMaker assumes. */
  public readonly role: iam.IRole;
  /** The ML storage volume key; undefined for instance types with (hardware-encrypted) local storage. */
  public readonly encryptionKey?: kms.IKey;
  /** The security groups of the endpoint instances (with `vpc`). */
  public readonly securityGroups: ec2.ISecurityGroup[];
  /** Alarms that roll deployments back: Invocation5XXErrors and ModelLatency, then `rollbackAlarms`. */
  public readonly alarms: cloudwatch.IAlarm[];
  /** The scalable target (variant instances, or inference component copies). */
  public readonly scalableTarget: appscaling.ScalableTarget;
  /** Smallest and largest capacity the scaling keeps. */
  public readonly minCapacity: number;
  public readonly maxCapacity: number;
  /** The L1 resources, for escape hatches. */
  public readonly model: sagemaker.CfnModel;
  public readonly endpointConfig: sagemaker.CfnEndpointConfig;
  public readonly endpoint: sagemaker.CfnEndpoint;
  public readonly inferenceComponent?: sagemaker.CfnInferenceComponent;

  constructor(scope: Construct, id: string, props: SageMakerEndpointProps) {
    super(scope, id);
    checkPropTypes(this, 'SageMakerEndpointProps', props);
    const ic = props.inferenceComponent;
    const scaling = props.scaling ?? defaultEndpointScaling();
    const deployment = props.deployment ?? {};

    // Validation: every check names the prop, the value and the fix.
    checkPattern(this, 'image', props.image, /^\S+$/, 'a container image URI without spaces', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/llm:1.0');
    if (!props.imageRepository && !isToken(props.image) && !ECR_IMAGE.test(props.image)) {
      // SageMaker pulls from ECR, or from a private registry in the VPC only with the model's ImageConfig
      // RepositoryAccessMode Vpc, which this construct does not set.
      throw new PropValidationError(this, 'image', props.image, 'is not in Amazon ECR, where SageMaker hosting pulls images from',
        'Push the image to an ECR repository in this account and Region (or use an AWS Deep Learning Container) and pass its URI, e.g. "123456789012.dkr.ecr.eu-west-1.amazonaws.com/llm:1.0".');
    }
    checkHostingInstanceType(this, 'instanceType', props.instanceType);
    checkSageMakerName(this, 'endpointName', props.endpointName);
    checkSageMakerName(this, 'variantName', props.variantName);
    checkSageMakerName(this, 'inferenceComponent.name', ic?.name);
    const modelPrefix = normalizeKeyPrefix(this, 'modelData.prefix', props.modelData.prefix);
    const capturePrefix = props.dataCapture ? normalizeKeyPrefix(this, 'dataCapture.prefix', props.dataCapture.prefix) : undefined;
    checkInteger(this, 'dataCapture.samplingPercentage', props.dataCapture?.samplingPercentage, 0, 100);
    checkEnvironment(this, props.environment);
    checkScaling(this, scaling);
    validateDeployment(this, deployment);
    if (!props.vpc && (props.vpcSubnets || props.securityGroups)) {
      throw new PropValidationError(this, props.vpcSubnets ? 'vpcSubnets' : 'securityGroups', 'set', 'needs vpc',
        'Pass vpc as well, or drop vpcSubnets and securityGroups.');
    }

    this.minCapacity = scaling.options.minCapacity ?? DEFAULT_ENDPOINT_MIN_CAPACITY;
    this.maxCapacity = scaling.options.maxCapacity ?? Math.max(DEFAULT_ENDPOINT_MAX_CAPACITY, this.minCapacity);
    checkOrdered(this, [['scaling.minCapacity', this.minCapacity], ['scaling.maxCapacity', this.maxCapacity]]);
    if (this.minCapacity === 0 && !ic) {
      throw new PropValidationError(this, 'scaling.minCapacity', 0, 'scales to zero, which SageMaker supports only for inference components',
        'Set inferenceComponent (e.g. inferenceComponent: {}) to scale to zero, or raise minCapacity to 1.');
    }
    checkInteger(this, 'initialInstanceCount', props.initialInstanceCount, 1);
    const initialInstanceCount = props.initialInstanceCount ?? Math.max(DEFAULT_INITIAL_INSTANCE_COUNT, this.minCapacity);
    if (!ic) {
      checkOrdered(this, [['scaling.minCapacity', this.minCapacity], ['initialInstanceCount', initialInstanceCount], ['scaling.maxCapacity', this.maxCapacity]]);
    }

    const localStorage = hasLocalInstanceStorage(props.instanceType);
    if (props.encryptionKey && localStorage === true) {
      throw new PropValidationError(this, 'encryptionKey', props.instanceType, 'is set for an instance type with local NVMe storage, which SageMaker rejects',
        'Remove encryptionKey: the instance storage of this type is encrypted by the instance hardware; or pick an EBS-backed instance type.');
    }

    // Names: deterministic, so the role, alarms and scaling target refer to them without cycles.
    this.endpointName = props.endpointName ?? Names.uniqueResourceName(this, { maxLength: 63, separator: '-', allowedSpecialCharacters: '-' });
    this.variantName = props.variantName ?? DEFAULT_VARIANT_NAME;
    this.inferenceComponentName = ic
      ? ic.name ?? `${Names.uniqueResourceName(this, { maxLength: 60, separator: '-', allowedSpecialCharacters: '-' })}-ic`
      : undefined;

    if (localStorage === true) {
      acknowledgeRule(this, 'NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured',
        `${props.instanceType} has local NVMe instance storage, which the instance hardware encrypts; SageMaker rejects a KMS key for such instance types.`);
    }
    this.encryptionKey = localStorage === true ? undefined : props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `ML storage volume key of the SageMaker endpoint ${this.endpointName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = createExecutionRole(this, {
      endpointName: this.endpointName,
      inferenceComponentName: this.inferenceComponentName,
      image: props.image,
      imageRepository: props.imageRepository,
      modelZone: props.modelData.zone,
      modelPrefix,
      captureZone: props.dataCapture?.zone,
      capturePrefix,
      volumeKey: this.encryptionKey,
      inVpc: props.vpc !== undefined,
    });

    this.securityGroups = props.vpc ? props.securityGroups ?? [this.createSecurityGroup(props.vpc)] : [];
    const vpcConfig = props.vpc ? {
      subnets: props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
      securityGroupIds: this.securityGroups.map((sg) => sg.securityGroupId),
    } : undefined;
    const networkIsolation = props.networkIsolation ?? true;

    this.model = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: this.role.roleArn,
      enableNetworkIsolation: networkIsolation,
      vpcConfig,
      primaryContainer: {
        image: props.image,
        environment: props.environment,
        modelDataSource: {
          s3DataSource: {
            s3Uri: `s3://${props.modelData.zone.bucket.bucketName}/${modelPrefix}/`,
            s3DataType: 'S3Prefix',
            compressionType: 'None',
          },
        },
      },
    });

    if (props.alarmTopic) ensureAlarmTopicUsable(this, 'alarmTopic', props.alarmTopic);
    this.alarms = this.createAlarms(deployment, props.alarmTopic ? new cloudwatchActions.SnsAction(props.alarmTopic) : undefined);
    const alarmNames = this.alarms.map((a) => a.alarmName);

    this.endpointConfig = new sagemaker.CfnEndpointConfig(this, 'Config', {
      kmsKeyId: this.encryptionKey?.keyArn,
      productionVariants: [ic
        ? {
          variantName: this.variantName,
          instanceType: props.instanceType,
          initialInstanceCount,
          managedInstanceScaling: { status: 'ENABLED', minInstanceCount: this.minCapacity === 0 ? 0 : 1, maxInstanceCount: this.maxCapacity },
          routingConfig: { routingStrategy: 'LEAST_OUTSTANDING_REQUESTS' },
        }
        : {
          variantName: this.variantName,
          modelName: this.model.attrModelName,
          instanceType: props.instanceType,
          initialInstanceCount,
          initialVariantWeight: 1,
        }],
      // With inference components the endpoint config carries the role and the network settings.
      executionRoleArn: ic ? this.role.roleArn : undefined,
      enableNetworkIsolation: ic ? networkIsolation : undefined,
      vpcConfig: ic ? vpcConfig : undefined,
      dataCaptureConfig: props.dataCapture ? this.renderDataCapture(props.dataCapture, capturePrefix!) : undefined,
    });

    this.endpoint = new sagemaker.CfnEndpoint(this, 'Resource', {
      endpointName: this.endpointName,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
      deploymentConfig: ic ? undefined : renderEndpointDeployment(deployment, alarmNames),
    });
    // SageMaker checks the role's permissions (image, model data) while it creates the endpoint.
    this.endpoint.node.addDependency(this.role);

    if (ic) {
      this.inferenceComponent = this.createInferenceComponent(ic, props.instanceType, deployment, alarmNames);
    }
    this.scalableTarget = this.createScaling(scaling);
  }

  /** The endpoint's ARN (what `Ref` of AWS::SageMaker::Endpoint returns). */
  public get endpointArn(): string {
    return this.endpoint.ref;
  }

  /**
   * Lets the grantee invoke the endpoint: InvokeEndpoint and InvokeEndpointWithResponseStream,
   * for the variant or, with an inference component, the component (named in the request).
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return grantEndpointInvoke(grantee, this.endpointArn);
  }

  /** Invocations (AWS/SageMaker `Invocations`, sum per minute). */
  public metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.invocationMetric('Invocations', cloudwatch.Stats.SUM, props);
  }

  /** Invocations per instance (AWS/SageMaker `InvocationsPerInstance`, sum per minute): the default scaling signal. */
  public metricInvocationsPerInstance(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(SAGEMAKER_INVOCATION_METRICS_NAMESPACE, 'InvocationsPerInstance', cloudwatch.Stats.SUM, this.variantDimensions(), props);
  }

  /** Model latency in microseconds (AWS/SageMaker `ModelLatency`, average). */
  public metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.invocationMetric('ModelLatency', cloudwatch.Stats.AVERAGE, props);
  }

  /** Requests the model answered with a 4xx code (AWS/SageMaker `Invocation4XXErrors`, sum). */
  public metricInvocation4xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.invocationMetric('Invocation4XXErrors', cloudwatch.Stats.SUM, props);
  }

  /** Requests the model answered with a 5xx code (AWS/SageMaker `Invocation5XXErrors`, sum). */
  public metricInvocation5xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.invocationMetric('Invocation5XXErrors', cloudwatch.Stats.SUM, props);
  }

  /** CPU utilization of the instances, 100 % per vCPU (`/aws/sagemaker/Endpoints` `CPUUtilization`, average). */
  public metricCpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(SAGEMAKER_ENDPOINT_METRICS_NAMESPACE, 'CPUUtilization', cloudwatch.Stats.AVERAGE, this.variantDimensions(), props);
  }

  /** GPU utilization of the instances, 100 % per GPU (`/aws/sagemaker/Endpoints` `GPUUtilization`, average). */
  public metricGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(SAGEMAKER_ENDPOINT_METRICS_NAMESPACE, 'GPUUtilization', cloudwatch.Stats.AVERAGE, this.variantDimensions(), props);
  }

  private variantDimensions(): Record<string, string> {
    return { EndpointName: this.endpointName, VariantName: this.variantName };
  }

  /** Invocation metrics of an inference component carry its name; those of a variant, endpoint and variant. */
  private invocationMetric(metricName: string, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const dimensions = this.inferenceComponentName !== undefined
      ? { InferenceComponentName: this.inferenceComponentName }
      : this.variantDimensions();
    return this.metric(SAGEMAKER_INVOCATION_METRICS_NAMESPACE, metricName, statistic, dimensions, props);
  }

  private metric(namespace: string, metricName: string, statistic: string, dimensions: Record<string, string>, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace,
      metricName,
      statistic,
      period: SAGEMAKER_METRIC_PERIOD,
      ...props,
      dimensionsMap: { ...dimensions, ...props?.dimensionsMap },
    });
  }

  private createSecurityGroup(vpc: ec2.IVpc): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'SageMaker endpoint instances: no inbound, outbound HTTPS (S3, ECR, CloudWatch)',
      allowAllOutbound: false,
    });
    sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (S3, ECR, CloudWatch)');
    return sg;
  }

  private renderDataCapture(options: DataCaptureOptions, prefix: string): sagemaker.CfnEndpointConfig.DataCaptureConfigProperty {
    return {
      enableCapture: true,
      destinationS3Uri: `s3://${options.zone.bucket.bucketName}/${prefix}`,
      kmsKeyId: options.zone.encryptionKey.keyArn,
      initialSamplingPercentage: options.samplingPercentage ?? DEFAULT_DATA_CAPTURE_SAMPLING_PERCENTAGE,
      captureOptions: CAPTURE_MODES[options.captureContent ?? DataCaptureContent.INPUT_AND_OUTPUT].map((captureMode) => ({ captureMode })),
    };
  }

  /** The default rollback alarms (5XX errors, p90 model latency), then the user's extra alarms. */
  private createAlarms(deployment: EndpointDeploymentOptions, action?: cloudwatch.IAlarmAction): cloudwatch.IAlarm[] {
    const shared = {
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    const errors = new cloudwatch.Alarm(this, 'Invocation5xxAlarm', {
      ...shared,
      metric: this.metricInvocation5xxErrors(),
      threshold: deployment.max5xxErrorsPerMinute ?? DEFAULT_MAX_5XX_ERRORS_PER_MINUTE,
      alarmDescription: `SageMaker endpoint ${this.endpointName}: the model answers with 5XX errors (rolls deployments back)`,
    });
    const maxLatency = deployment.maxModelLatency ?? DEFAULT_MAX_MODEL_LATENCY;
    const latency = new cloudwatch.Alarm(this, 'ModelLatencyAlarm', {
      ...shared,
      metric: this.metricModelLatency({ statistic: cloudwatch.Stats.percentile(90) }),
      // ModelLatency is reported in microseconds.
      threshold: maxLatency.toMilliseconds() * 1000,
      alarmDescription: `SageMaker endpoint ${this.endpointName}: p90 model latency above ${maxLatency.toHumanString()} (rolls deployments back)`,
    });
    if (action) {
      errors.addAlarmAction(action);
      latency.addAlarmAction(action);
    } else {
      for (const alarm of [errors, latency]) {
        acknowledgeRule(alarm, 'NIST.800.53.R5-CloudWatchAlarmAction',
          'The alarm drives SageMaker\'s automatic rollback of deployments; notifications come from alarmTopic or from PlatformMonitoring, which adopts the endpoint\'s alarms.');
      }
    }
    return [errors, latency, ...deployment.rollbackAlarms ?? []];
  }

  private createInferenceComponent(options: InferenceComponentOptions, instanceType: string, deployment: EndpointDeploymentOptions,
    alarmNames: string[]): sagemaker.CfnInferenceComponent {
    const memory = options.memoryPerCopy ?? DEFAULT_INFERENCE_COMPONENT_MEMORY;
    checkSizeRange(this, 'inferenceComponent.memoryPerCopy', memory, 128, 4 * 1024 * 1024);
    const gpus = isToken(instanceType) ? undefined : lookupGpuInstance(instanceType.replace(/^ml\./, ''))?.gpus;
    checkInteger(this, 'inferenceComponent.acceleratorsPerCopy', options.acceleratorsPerCopy, 1, gpus ?? Number.MAX_SAFE_INTEGER);
    const accelerators = options.acceleratorsPerCopy ?? (gpus !== undefined && gpus >= 1 ? gpus : undefined);
    checkInteger(this, 'inferenceComponent.initialCopyCount', options.initialCopyCount, 0);
    const initialCopyCount = options.initialCopyCount ?? Math.max(1, this.minCapacity);
    checkOrdered(this, [['scaling.minCapacity', this.minCapacity], ['inferenceComponent.initialCopyCount', initialCopyCount], ['scaling.maxCapacity', this.maxCapacity]]);

    const component = new sagemaker.CfnInferenceComponent(this, 'InferenceComponent', {
      inferenceComponentName: this.inferenceComponentName,
      endpointName: this.endpoint.attrEndpointName,
      variantName: this.variantName,
      specification: {
        modelName: this.model.attrModelName,
        computeResourceRequirements: {
          minMemoryRequiredInMb: wholeMebibytes(memory),
          numberOfAcceleratorDevicesRequired: accelerators,
        },
      },
      runtimeConfig: { copyCount: initialCopyCount },
      deploymentConfig: renderInferenceComponentDeployment(this, deployment, alarmNames),
    });
    component.node.addDependency(this.role);
    return component;
  }

  private createScaling(scaling: EndpointScaling): appscaling.ScalableTarget {
    const ic = this.inferenceComponentName !== undefined;
    const target = new appscaling.ScalableTarget(this, 'ScalingTarget', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      scalableDimension: ic ? 'sagemaker:inference-component:DesiredCopyCount' : 'sagemaker:variant:DesiredInstanceCount',
      resourceId: ic ? `inference-component/${this.inferenceComponentName}` : `endpoint/${this.endpointName}/variant/${this.variantName}`,
      minCapacity: this.minCapacity,
      maxCapacity: this.maxCapacity,
      role: iam.Role.fromRoleName(this, 'ScalingRole', SAGEMAKER_AUTOSCALING_SERVICE_LINKED_ROLE),
    });
    // Without a RoleARN, Application Auto Scaling uses (and creates when missing) its SageMaker
    // service-linked role: no role of ours with permissions to manage.
    (target.node.defaultChild as appscaling.CfnScalableTarget).addPropertyDeletionOverride('RoleARN');
    // The resource id is a plain name: register only once the endpoint (component) exists.
    target.node.addDependency(this.inferenceComponent ?? this.endpoint);
    target.scaleToTrackMetric('Tracking', {
      targetValue: scaling.target,
      predefinedMetric: scaling.predefinedMetric(ic),
      scaleOutCooldown: scaling.options.scaleOutCooldown ?? DEFAULT_SCALE_OUT_COOLDOWN,
      scaleInCooldown: scaling.options.scaleInCooldown ?? DEFAULT_SCALE_IN_COOLDOWN,
    });
    if (this.minCapacity === 0) this.scaleFromZero(target);
    return target;
  }

  /**
   * Wakes the inference component from zero copies ("Scale an endpoint to zero instances"):
   * target tracking cannot leave zero, so a step policy adds one copy when SageMaker reports
   * `NoCapacityInvocationFailures` (a request arrived with no capacity to serve it).
   */
  private scaleFromZero(target: appscaling.ScalableTarget): void {
    const step = new appscaling.StepScalingAction(target, 'ScaleFromZero', {
      scalingTarget: target,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      metricAggregationType: appscaling.MetricAggregationType.MAXIMUM,
      cooldown: SCALE_FROM_ZERO_COOLDOWN,
    });
    step.addAdjustment({ adjustment: 1, lowerBound: 0 });
    const alarm = new cloudwatch.Alarm(target, 'ScaleFromZeroAlarm', {
      metric: new cloudwatch.Metric({
        namespace: SAGEMAKER_INVOCATION_METRICS_NAMESPACE,
        metricName: 'NoCapacityInvocationFailures',
        dimensionsMap: { InferenceComponentName: this.inferenceComponentName! },
        statistic: cloudwatch.Stats.SUM,
        period: SAGEMAKER_METRIC_PERIOD,
      }),
      // The first failed request wakes the component (AWS's example uses "> 1", which waits for two).
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `SageMaker inference component ${this.inferenceComponentName}: invoked with zero copies, scale out from zero`,
    });
    alarm.addAlarmAction(new cloudwatchActions.ApplicationScalingAction(step));
  }
}

/** A Size in whole mebibytes, rounded up (tokens pass through). */
function wholeMebibytes(size: Size): number {
  return size.isUnresolved() ? size.toMebibytes() : Math.ceil(size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) / 1024);
}
