import { Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GpuNodeGroup } from '../compute/gpu-node-group';
import { GpuNodePool } from '../compute/gpu-node-pool';
import { GpuRequirements } from '../compute/gpu-requirements';
import { AiPlatformProps, PlatformInferenceService, PlatformOnPremisesSite, PlatformTeam } from './ai-platform-config';
import { CloudFormationLimits } from './cloudformation-limits';
import { addPlatformOutputs } from './platform-outputs';
import { Team } from './team';
import { GpuCluster } from '../compute/gpu-cluster';
import { ConformanceEvidence } from '../k8s/conformance-evidence';
import { GpuEnablement } from '../k8s/gpu-enablement';
import { DataLake } from '../data/data-lake';
import { OnPremisesProducerAccess } from '../data/on-premises-producer-access';
import { StreamingIngestion } from '../data/streaming-ingestion';
import { WakeUpSignal } from '../inference/inference-scaling';
import { DEFAULT_INFERENCE_NAMESPACE, InferenceService } from '../inference/inference-service';
import { ModelSource } from '../inference/model-source';
import { SageMakerEndpoint } from '../inference/sagemaker-endpoint';
import { PlatformMonitoring } from '../monitoring/platform-monitoring';
import { IKubernetesSite, WorkloadCredentials } from '../sites/kubernetes-site-interface';
import { KubernetesSite } from '../sites/kubernetes-site';
import { siteMetricsNamespace } from '../sites/site-heartbeat';
import { PropValidationError } from '../private/errors';
import { acknowledgeRule } from '../private/nag-acknowledgements';
import { checkDnsLabel, checkPattern, checkUnique } from '../private/validation';
import { checkedProps } from '../private/prop-types';

/** CloudWatch namespace an on-premises site of a platform publishes its metrics into. */
export function onPremisesMetricsNamespace(siteName: string): string {
  return siteMetricsNamespace(siteName);
}

/** Zone that streams land in and models are read from, unless configured. */
export const DEFAULT_STREAM_ZONE = 'raw';
export const DEFAULT_MODEL_ZONE = 'models';

/**
 * The whole AI platform from one typed config, as a Stage: a data stack (lake, streams,
 * on-premises access), a compute stack (GPU cluster, node groups, autoscaling), an inference
 * stack (model servers' AWS side, SageMaker endpoints), and every site's manifests under
 * `cdk.out/manifests/<site>/`. Several platforms (regions, environments) fit in one app.
 */
export class AiPlatform extends Stage {
  public readonly dataStack: Stack;
  public readonly computeStack: Stack;
  private _inferenceStack?: Stack;
  public readonly lake: DataLake;
  public readonly streams: StreamingIngestion[] = [];
  public readonly cluster: GpuCluster;
  public readonly onPremisesSites: KubernetesSite[] = [];
  public readonly onPremisesAccess: OnPremisesProducerAccess[] = [];
  public readonly inferenceServices: InferenceService[] = [];
  /** The service group of each inference service, by service. */
  private readonly serviceGroupOf = new Map<InferenceService, string>();
  private readonly serviceStacks = new Map<string, Stack>();
  public readonly sageMakerEndpoints: SageMakerEndpoint[] = [];
  /** The platform's teams. */
  public readonly teams: Team[] = [];
  /** The platform's dashboard and alarms (in the compute stack, beside the Prometheus workspace it alerts from). */
  public readonly monitoring?: PlatformMonitoring;

  constructor(scope: Construct, id: string, props: AiPlatformProps = {}) {
    super(scope, id, checkedProps(scope, id, 'AiPlatformProps', props));
    // Stack names are "<stageName>-Data" etc.
    checkPattern(this, 'stageName', props.stageName, /^[A-Za-z][A-Za-z0-9-]{0,100}$/, 'a letter, then letters, digits and "-" (it prefixes stack names)', 'prod');
    // Every template of the platform (nested ones too) is checked against CloudFormation's
    // quotas when written: a violation fails synth instead of the deploy.
    Validations.of(this).addPlugins(new CloudFormationLimits({
      ...props.limits,
      fix: props.limits?.fix ?? 'Spread inferenceServices over service groups (PlatformInferenceService.group: each group has its own stacks), or split the configuration over several AiPlatforms.',
    }));
    checkUnique(this, 'onPremisesSites', (props.onPremisesSites ?? []).map((s) => s.site?.siteName ?? s.id.toLowerCase()));
    checkUnique(this, 'inferenceServices', (props.inferenceServices ?? []).map((s) => s.id));

    this.dataStack = new Stack(this, 'Data', { description: 'cdk-scalable-ai: data lake and streaming ingestion' });
    this.computeStack = new Stack(this, 'Compute', { description: 'cdk-scalable-ai: GPU cluster' });

    this.lake = new DataLake(this.dataStack, 'Lake', props.dataLake);
    for (const stream of props.streams ?? [{ id: 'Events' }]) {
      this.streams.push(new StreamingIngestion(this.dataStack, stream.id, { ...stream.options, destination: this.lake.zone(stream.zone ?? DEFAULT_STREAM_ZONE) }));
    }

    this.cluster = new GpuCluster(this.computeStack, 'GpuCluster', { siteName: `${id.toLowerCase()}-eks`, ...props.cluster });
    for (const group of props.gpuNodeGroups ?? []) this.cluster.addGpuNodeGroup(group.id, group.options);
    for (const pool of props.gpuNodePools ?? []) this.cluster.addGpuNodePool(pool.id, pool.options);
    if (props.clusterAutoscaler) this.cluster.addClusterAutoscaler();
    const onEks = (props.inferenceServices ?? []).filter((s) => s.site === undefined);
    const scaledOnEks = onEks.some((s) => s.service.scaling !== undefined);
    // The KEDA HTTP add-on comes with the first EKS service that wakes on requests.
    const wakesOnRequest = onEks.some((s) => s.service.scaleToZero?.signal === WakeUpSignal.REQUEST);
    if (props.inferenceAutoscaling ?? scaledOnEks) this.cluster.addInferenceAutoscaling({ kedaHttpAddOn: wakesOnRequest });
    // LeaderWorkerSet comes with the first EKS service whose replicas span nodes.
    if (onEks.some((s) => s.service.multiNode !== undefined)) this.cluster.addLeaderWorkerSet();
    checkUnique(this, 'teams', (props.teams ?? []).map((t) => t.id));
    if (props.kueue ?? (props.teams ?? []).some((t) => (t.gpuQuotas ?? []).length > 0)) this.cluster.addKueue();
    // Teams come before the services of their namespaces, after the GPU capacity they queue on.
    for (const config of props.teams ?? []) this.addTeam(config);

    for (const config of props.onPremisesSites ?? []) this.addOnPremisesSite(config);
    for (const config of props.inferenceServices ?? []) this.addInferenceService(config);
    for (const config of props.sageMakerEndpoints ?? []) {
      this.sageMakerEndpoints.push(new SageMakerEndpoint(this.inferenceStack, config.id, {
        ...config.endpoint,
        modelData: { zone: this.lake.zone(config.modelZone ?? DEFAULT_MODEL_ZONE), prefix: config.modelPrefix },
      }));
    }

    // Last: the evidence waits on everything delivered to the cluster.
    if (props.conformanceEvidence) ConformanceEvidence.addToSite({ site: this.cluster.site });

    if (props.monitoring ?? true) {
      this.monitoring = new PlatformMonitoring(this.computeStack, 'Monitoring', { dashboardName: `${id}-ai-platform`, ...props.monitoringOptions });
      this.monitoring.monitor(this.cluster);
      // Each service group is a monitoring group (its own nested stack, dashboard and health).
      for (const service of this.inferenceServices) {
        if (service.site === this.cluster.site || service.site.prometheusOperatorAvailable) {
          this.monitoring.group(this.serviceGroupOf.get(service)!).monitor(service);
        }
      }
      for (const endpoint of this.sageMakerEndpoints) this.monitoring.monitor(endpoint);
      for (const stream of this.streams) this.monitoring.monitor(stream);
      this.monitoring.monitor(this.lake);
    }
    addPlatformOutputs(this);
  }

  /**
   * The stack of SageMaker endpoints and of the default service group's model servers,
   * created when first needed (an empty stack would fail to deploy).
   */
  public get inferenceStack(): Stack {
    this._inferenceStack ??= new Stack(this, 'Inference', { description: 'cdk-scalable-ai: inference services and endpoints' });
    return this._inferenceStack;
  }

  /** Service groups of the platform's inference services, in order of first use. */
  public get serviceGroups(): string[] {
    return [...this.serviceStacks.keys()];
  }

  /**
   * The stack of a service group's model servers: `Inference` for the default group
   * ("inference"), `Inference-<group>` for the others. Created on first use.
   */
  public serviceGroupStack(group: string): Stack {
    let stack = this.serviceStacks.get(group);
    if (!stack) {
      checkDnsLabel(this, 'inferenceServices[].group', group, 40);
      stack = group === DEFAULT_INFERENCE_NAMESPACE
        ? this.inferenceStack
        : new Stack(this, `Inference-${group}`, { description: `cdk-scalable-ai: inference services of group ${group}` });
      this.serviceStacks.set(group, stack);
    }
    return stack;
  }

  private addTeam(config: PlatformTeam): void {
    this.teams.push(new Team(this.computeStack, `Team-${config.id}`, {
      site: this.cluster.site,
      namespace: config.namespace,
      maxGpus: config.maxGpus,
      members: config.members,
      viewers: config.viewers,
      gpuQuotas: (config.gpuQuotas ?? []).map((quota) => ({ capacity: this.capacityById(`teams[${config.id}].gpuQuotas`, quota.gpuCapacityId), gpus: quota.gpus })),
      dataAccess: (config.dataAccess ?? []).map((access) => ({ zone: this.lake.zone(access.zone), prefix: access.prefix, write: access.write })),
    }));
  }

  /** One of the platform's node groups or pools by its id. */
  private capacityById(prop: string, id: string): GpuNodeGroup | GpuNodePool {
    const capacities: Array<GpuNodeGroup | GpuNodePool> = [...this.cluster.gpuNodeGroups, ...this.cluster.gpuNodePools];
    const capacity = capacities.find((c) => c.node.id === id);
    if (!capacity) {
      throw new PropValidationError(this, prop, id, 'names no GPU node group or node pool of the platform',
        `Use one of ${capacities.map((c) => `"${c.node.id}"`).join(', ') || '(none: add gpuNodeGroups or gpuNodePools)'}.`);
    }
    return capacity;
  }

  /** The service's GPU requirements with its gpuCapacityIds resolved to the platform's node groups and pools. */
  private gpuRequirementsOf(config: PlatformInferenceService): GpuRequirements | undefined {
    if (config.gpuCapacityIds === undefined) return config.service.gpuRequirements;
    const pinned = config.gpuCapacityIds.map((id) => this.capacityById(`inferenceServices[${config.id}].gpuCapacityIds`, id));
    return { ...config.service.gpuRequirements, capacities: [...(config.service.gpuRequirements?.capacities ?? []), ...pinned] };
  }

  /** Every site of the platform: the EKS cluster's first, then the on-premises ones. */
  public get sites(): IKubernetesSite[] {
    return [this.cluster.site, ...this.onPremisesSites];
  }

  private addOnPremisesSite(config: PlatformOnPremisesSite): void {
    const access = config.trustSource
      ? new OnPremisesProducerAccess(this.dataStack, `${config.id}Access`, { trustSource: config.trustSource })
      : undefined;
    const site = new KubernetesSite(this, config.id, {
      siteName: `${this.node.id.toLowerCase()}-${config.id.toLowerCase()}`,
      ...config.site,
      gpuCapacity: config.gpuCapacity,
      nvidiaDevicePluginInstalled: config.nvidiaDevicePluginInstalled,
      workloadCredentials: access ? WorkloadCredentials.IAM_ROLES_ANYWHERE : WorkloadCredentials.NONE,
      rolesAnywhereRole: access?.role,
      rolesAnywhereHelperImage: config.rolesAnywhereHelperImage,
    });
    GpuEnablement.addToSite({
      site,
      devicePluginNodeLabels: config.nvidiaDevicePluginInstalled ? undefined : { ...site.gpuNodeLabels },
    });
    if (access) {
      this.onPremisesAccess.push(access);
      if (config.writesToStreams ?? true) for (const stream of this.streams) stream.grantWrite(access);
      this.allowMetricsPublishing(access, site.siteName);
      if (config.heartbeat ?? true) {
        if (!config.rolesAnywhereHelperImage) {
          throw new PropValidationError(this, `onPremisesSites[${config.id}].rolesAnywhereHelperImage`, undefined,
            'is needed for the site\'s heartbeat (a CronJob that publishes to CloudWatch with Roles Anywhere credentials)',
            'Give an image with aws_signing_helper (see the README "On-premises setup"), or set heartbeat: false.');
        }
        site.addHeartbeat();
      }
    }
    this.onPremisesSites.push(site);
  }

  /**
   * The site may publish its own health and load metrics (e.g. the heartbeat a BurstRouting
   * health check alarms on), only into its namespace.
   */
  private allowMetricsPublishing(access: OnPremisesProducerAccess, siteName: string): void {
    const namespace = onPremisesMetricsNamespace(siteName);
    access.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      // PutMetricData has no resource-level permissions; the namespace condition scopes it.
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
    }));
    acknowledgeRule(access.role, 'AwsSolutions-IAM5[Resource::*]',
      `cloudwatch:PutMetricData supports no resource-level permissions; the cloudwatch:namespace condition limits the site to "${namespace}".`);
  }

  private addInferenceService(config: PlatformInferenceService): void {
    const site = config.site === undefined ? this.cluster.site : this.sites.find((s) => s.siteName === config.site);
    if (!site) {
      throw new PropValidationError(this, `inferenceServices[${config.id}].site`, config.site, 'names no site of the platform',
        `Use one of ${this.sites.map((s) => `"${s.siteName}"`).join(', ')}, or leave it unset for the EKS cluster.`);
    }
    if (config.mountModel && config.modelPrefix === undefined) {
      throw new PropValidationError(this, `inferenceServices[${config.id}].mountModel`, true, 'mounts no model: modelPrefix is not set', 'Set modelPrefix, or drop mountModel.');
    }
    // The driver comes with the first EKS service that mounts its model.
    if (config.mountModel && site === this.cluster.site) this.cluster.addMountpointS3();
    // The zone is looked up only for a model: a lake without a "models" zone serves self-loading servers.
    const source = config.mountModel ? ModelSource.mountFromDataLake : ModelSource.fromDataLake;
    const model = config.modelPrefix === undefined ? undefined : source(this.lake.zone(config.modelZone ?? DEFAULT_MODEL_ZONE), config.modelPrefix);
    const group = config.group ?? config.service.namespace ?? DEFAULT_INFERENCE_NAMESPACE;
    const gpuRequirements = this.gpuRequirementsOf(config);
    const service = new InferenceService(this.serviceGroupStack(group), config.id, { ...config.service, site, model: config.service.model ?? model, gpuRequirements });
    this.inferenceServices.push(service);
    this.serviceGroupOf.set(service, group);
  }
}
