/** The typed configuration of an AiPlatform: one object describes the whole platform. */
import { StageProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GpuClusterProps } from '../compute/gpu-cluster';
import { GpuNodeGroupOptions } from '../compute/gpu-node-group';
import { GpuNodePoolOptions } from '../compute/gpu-node-pool';
import { DataLakeProps } from '../data/data-lake';
import { ProducerTrustSource } from '../data/on-premises-producer-access';
import { StreamingIngestionOptions } from '../data/streaming-ingestion';
import { InferenceServiceOptions } from '../inference/inference-service';
import { SageMakerEndpointOptions } from '../inference/sagemaker-endpoint-props';
import { PlatformMonitoringProps } from '../monitoring/platform-monitoring';
import { KubernetesSiteOptions, DeclaredGpuCapacity } from '../sites';
import { CloudFormationLimitsProps } from './cloudformation-limits';

/** A stream of events into a lake zone. */
export interface PlatformStream {
  /** Construct id, e.g. `Events`. */
  readonly id: string;
  /** @default "raw" */
  readonly zone?: string;
  /** @default - StreamingIngestion defaults */
  readonly options?: StreamingIngestionOptions;
}

export interface PlatformGpuNodeGroup {
  readonly id: string;
  readonly options: GpuNodeGroupOptions;
}

export interface PlatformGpuNodePool {
  readonly id: string;
  readonly options: GpuNodePoolOptions;
}

/** An on-premises Kubernetes cluster with GPUs that runs platform workloads. */
export interface PlatformOnPremisesSite {
  /** Construct id; the site name defaults to it in lower case. */
  readonly id: string;
  readonly gpuCapacity: DeclaredGpuCapacity;
  /**
   * How the site's workloads and producers authenticate to AWS (IAM Roles Anywhere trust anchor).
   * @default - no AWS access for the site's workloads
   */
  readonly trustSource?: ProducerTrustSource;
  /** Whether the NVIDIA device plugin already runs there (e.g. GPU Operator). @default false */
  readonly nvidiaDevicePluginInstalled?: boolean;
  /** @default - KubernetesSite defaults */
  readonly site?: KubernetesSiteOptions;
  /** Whether the site's producers may write to every platform stream. @default true when trustSource is set */
  readonly writesToStreams?: boolean;
  /**
   * With trustSource: image with `aws_signing_helper`, the credential sidecar of the site's
   * pods (KubernetesSiteProps.rolesAnywhereHelperImage). AWS publishes the binary, not an image.
   * @default - none: synth fails when the site runs anything that needs AWS credentials
   */
  readonly rolesAnywhereHelperImage?: string;
  /**
   * With trustSource: a CronJob on the site publishes `Heartbeat` into
   * `cdk-scalable-ai/<siteName>` every minute (`site.metricHeartbeat()`), e.g. for a
   * BurstRouting health check. Needs rolesAnywhereHelperImage.
   * @default true when trustSource is set
   */
  readonly heartbeat?: boolean;
}

/** A model server on a site of the platform. */
export interface PlatformInferenceService {
  readonly id: string;
  /** Site name: the EKS cluster's (default) or an on-premises site's. @default - the EKS cluster */
  readonly site?: string;
  /** Lake zone of the model files. @default "models" (when modelPrefix is set) */
  readonly modelZone?: string;
  /** Prefix of the model files in the zone. @default - the server loads its model itself */
  readonly modelPrefix?: string;
  /**
   * Mount `modelPrefix` read-only with the Mountpoint for Amazon S3 CSI driver instead of
   * copying it at start (`ModelSource.mountFromDataLake`); the platform installs the driver on
   * its EKS cluster with the first such service (managed node groups only).
   * @default false
   */
  readonly mountModel?: boolean;
  /**
   * Ids of the platform's `gpuNodeGroups` / `gpuNodePools` the model is pinned to (added to
   * `service.gpuRequirements.capacities`), e.g. `['H100']` for an 8-GPU 70B model.
   * @default - any GPU capacity matching `service.gpuRequirements`
   */
  readonly gpuCapacityIds?: string[];
  /**
   * Service group (DNS label, at most 40 characters). A group's model servers (IAM roles, Pod
   * Identity associations, manifests) deploy in a stack of their own, `Inference-<group>`, and
   * their alarms, alerts and dashboard form a monitoring group whose health rolls up into
   * platform health. A platform grows by groups: about 50 model servers fit one group's stack.
   * Keep a service's group stable: moving it to another group deletes its manifest in one
   * stack and creates it in another.
   * @default - the service's namespace; services of the default namespace "inference" deploy in the `Inference` stack
   */
  readonly group?: string;
  readonly service: InferenceServiceOptions;
}

/** GPUs a team is guaranteed on one of the platform's node groups or pools (with Kueue). */
export interface PlatformGpuQuota {
  /** Id of one of the platform's `gpuNodeGroups` / `gpuNodePools`. */
  readonly gpuCapacityId: string;
  readonly gpus: number;
}

/** Lake data a team's workloads use. */
export interface PlatformTeamDataAccess {
  /** Lake zone name, e.g. `features`. */
  readonly zone: string;
  /** Key prefix of the team's data in the zone. */
  readonly prefix: string;
  /** @default false */
  readonly write?: boolean;
}

/** A team on the platform's EKS cluster (see `Team`). */
export interface PlatformTeam {
  readonly id: string;
  /** The team's namespace; services of the team set `service.namespace` to it. */
  readonly namespace: string;
  /** @default - no GPU ResourceQuota */
  readonly maxGpus?: number;
  /** Guaranteed GPUs per capacity (Kueue is installed when a team has any). @default - none */
  readonly gpuQuotas?: PlatformGpuQuota[];
  /** @default - none */
  readonly members?: iam.IRole[];
  /** @default - none */
  readonly viewers?: iam.IRole[];
  /** @default - none */
  readonly dataAccess?: PlatformTeamDataAccess[];
}

/** A managed SageMaker endpoint of the platform. */
export interface PlatformSageMakerEndpoint {
  readonly id: string;
  /** @default "models" */
  readonly modelZone?: string;
  readonly modelPrefix: string;
  readonly endpoint: SageMakerEndpointOptions;
}

export interface AiPlatformProps extends StageProps {
  /** @default - DataLake defaults (zones raw, curated, features, models) */
  readonly dataLake?: DataLakeProps;
  /** @default - one stream, `Events`, into the raw zone */
  readonly streams?: PlatformStream[];
  /** @default - GpuCluster defaults */
  readonly cluster?: GpuClusterProps;
  /** @default - none */
  readonly gpuNodeGroups?: PlatformGpuNodeGroup[];
  /** NodePools (needs `cluster.capacityMode: AUTO_MODE`). @default - none */
  readonly gpuNodePools?: PlatformGpuNodePool[];
  /**
   * Install Amazon Managed Prometheus and KEDA for autoscaled inference.
   * @default - when an EKS inference service has `scaling`
   */
  readonly inferenceAutoscaling?: boolean;
  /**
   * Install Kueue on the EKS cluster, so teams get GPU queues (ClusterQueue, LocalQueue `gpu`).
   * @default - when a team has gpuQuotas
   */
  readonly kueue?: boolean;
  /**
   * Install the Cluster Autoscaler on the EKS cluster (managed node groups), so `gpuNodeGroups`
   * scale between their minSize and maxSize with demand (`GpuCluster.addClusterAutoscaler()`).
   * @default false
   */
  readonly clusterAutoscaler?: boolean;
  /** Teams on the EKS cluster, created before the inference services (which may run in their namespaces). @default - none */
  readonly teams?: PlatformTeam[];
  /**
   * Post-deploy AI Conformance evidence Jobs on the EKS cluster (`ConformanceEvidence`).
   * @default false
   */
  readonly conformanceEvidence?: boolean;
  /** @default - none */
  readonly onPremisesSites?: PlatformOnPremisesSite[];
  /** @default - none */
  readonly inferenceServices?: PlatformInferenceService[];
  /** @default - none */
  readonly sageMakerEndpoints?: PlatformSageMakerEndpoint[];
  /**
   * One dashboard and alarms for every component, notifying an encrypted SNS topic.
   * @default true
   */
  readonly monitoring?: boolean;
  /** @default - PlatformMonitoring defaults */
  readonly monitoringOptions?: PlatformMonitoringProps;
  /**
   * Quotas the templates are checked against (e.g. a raised IAM quota of managed policies per role).
   * @default - CloudFormation's and IAM's default quotas
   */
  readonly limits?: CloudFormationLimitsProps;
}
