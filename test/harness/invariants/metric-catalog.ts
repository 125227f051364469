/**
 * Catalog of the metrics that AWS services and the platform's in-cluster exporters actually
 * publish, for the invariant that every CloudWatch alarm and every Prometheus query of the
 * synthesized platform refers to a metric something produces. Plain data: each group cites the
 * page (or source file) it was checked against. Entries that could not be confirmed are left out.
 */

/** A dimension set as CloudWatch publishes it (names only; order is not significant). */
export type DimensionSet = readonly string[];

/** Metric name -> the dimension sets the metric is published with. */
export type NamespaceCatalog = Readonly<Record<string, readonly DimensionSet[]>>;

/** The same dimension sets for every metric in `names`. */
function group(names: readonly string[], dimensionSets: readonly DimensionSet[]): NamespaceCatalog {
  return Object.fromEntries(names.map((n) => [n, dimensionSets]));
}

/** Series names of a Prometheus histogram. */
function histogram(name: string): string[] {
  return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
}

// ---------------------------------------------------------------------------------------------
// ContainerInsights (EKS, Container Insights with enhanced observability, amazon-cloudwatch-observability add-on)
// Sources: CloudWatch User Guide "Amazon EKS and Kubernetes Container Insights with enhanced observability metrics"
//   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-enhanced-EKS.html) and
//   "Enhanced Container Insights (Classic) metric reference" (container-insights-eks-classic-metrics.html) for names;
//   exact dimension sets from the agent's EMF metric declarations (what is actually published):
//   github.com/aws/amazon-cloudwatch-agent translator/translate/otel/exporter/awsemf/kubernetes.go @ ab55b8da
//   (enhanced observability and accelerated compute metrics enabled, the add-on's defaults).
// A dimension set is only published for a datapoint carrying all its labels: [.., Service] needs a pod behind a Service.
// ---------------------------------------------------------------------------------------------

const CI_NODE: DimensionSet[] = [['NodeName', 'InstanceId', 'ClusterName'], ['ClusterName']];
const CI_POD_STATUS: DimensionSet[] = [
  ['PodName', 'Namespace', 'ClusterName'], ['ClusterName'], ['FullPodName', 'PodName', 'Namespace', 'ClusterName'], ['Service', 'Namespace', 'ClusterName'],
];

const CONTAINER_INSIGHTS: NamespaceCatalog = {
  ...group(['cluster_node_count', 'cluster_failed_node_count', 'cluster_number_of_running_pods'], [['ClusterName']]),
  ...group(['namespace_number_of_running_pods', 'namespace_ingress_count'], [['Namespace', 'ClusterName'], ['ClusterName']]),
  ...group(['service_number_of_running_pods'], [['Service', 'Namespace', 'ClusterName'], ['ClusterName']]),
  ...group([
    'node_cpu_utilization', 'node_memory_utilization', 'node_network_total_bytes', 'node_cpu_reserved_capacity',
    'node_memory_reserved_capacity', 'node_number_of_running_pods', 'node_number_of_running_containers',
    'node_cpu_usage_total', 'node_cpu_limit', 'node_memory_working_set', 'node_memory_limit',
    'node_status_condition_ready', 'node_status_condition_disk_pressure', 'node_status_condition_memory_pressure',
    'node_status_condition_pid_pressure', 'node_status_condition_network_unavailable', 'node_status_condition_unknown',
    'node_status_capacity_pods', 'node_status_allocatable_pods',
    'node_gpu_limit', 'node_gpu_usage_total', 'node_gpu_reserved_capacity', 'node_gpu_unreserved_capacity', 'node_gpu_available_capacity',
    'node_interface_network_rx_dropped', 'node_interface_network_tx_dropped', 'node_diskio_io_service_bytes_total', 'node_diskio_io_serviced_total',
    'node_filesystem_utilization', 'node_filesystem_inodes', 'node_filesystem_inodes_free',
  ], CI_NODE),
  ...group([
    'pod_cpu_utilization', 'pod_memory_utilization', 'pod_network_rx_bytes', 'pod_network_tx_bytes',
    'pod_cpu_utilization_over_pod_limit', 'pod_memory_utilization_over_pod_limit',
  ], [
    ['PodName', 'Namespace', 'ClusterName'], ['ClusterName'], ['Service', 'Namespace', 'ClusterName'], ['ClusterName', 'Namespace'],
    ['FullPodName', 'PodName', 'Namespace', 'ClusterName'],
  ]),
  ...group([
    'pod_cpu_reserved_capacity', 'pod_memory_reserved_capacity',
    'pod_number_of_container_restarts', 'pod_number_of_containers', 'pod_number_of_running_containers',
    'pod_status_ready', 'pod_status_scheduled', 'pod_status_running', 'pod_status_pending', 'pod_status_failed', 'pod_status_unknown',
    'pod_status_succeeded', 'pod_memory_request', 'pod_memory_limit', 'pod_cpu_limit', 'pod_cpu_request', 'pod_cpu_usage_total', 'pod_memory_working_set',
    'pod_container_status_running', 'pod_container_status_terminated', 'pod_container_status_waiting',
    'pod_container_status_waiting_reason_crash_loop_back_off', 'pod_container_status_waiting_reason_image_pull_error',
    'pod_container_status_waiting_reason_start_error', 'pod_container_status_waiting_reason_create_container_error',
    'pod_container_status_waiting_reason_create_container_config_error', 'pod_container_status_terminated_reason_oom_killed',
    'pod_gpu_request', 'pod_gpu_limit', 'pod_gpu_usage_total', 'pod_gpu_reserved_capacity',
  ], CI_POD_STATUS),
  ...group(['pod_interface_network_rx_dropped', 'pod_interface_network_tx_dropped'], [
    ['FullPodName', 'PodName', 'Namespace', 'ClusterName'], ['PodName', 'Namespace', 'ClusterName'], ['Namespace', 'ClusterName'], ['ClusterName'],
  ]),
  ...group([
    'container_cpu_utilization', 'container_cpu_utilization_over_container_limit', 'container_cpu_limit', 'container_cpu_request',
    'container_memory_utilization', 'container_memory_utilization_over_container_limit', 'container_memory_failures_total',
    'container_memory_limit', 'container_memory_request', 'container_filesystem_usage', 'container_filesystem_available', 'container_filesystem_utilization',
  ], [['ClusterName'], ['ContainerName', 'FullPodName', 'PodName', 'Namespace', 'ClusterName'], ['ContainerName', 'PodName', 'Namespace', 'ClusterName']]),
  // Deployments and DaemonSets: PodName is the workload's name.
  ...group(['replicas_desired', 'replicas_ready', 'status_replicas_available', 'status_replicas_unavailable',
    'daemonset_status_number_available', 'daemonset_status_number_unavailable'], [['PodName', 'Namespace', 'ClusterName'], ['ClusterName']]),
  // NVIDIA GPU metrics (from the add-on's DCGM exporter).
  ...group([
    'container_gpu_utilization', 'container_gpu_memory_utilization', 'container_gpu_memory_total', 'container_gpu_memory_used',
    'container_gpu_power_draw', 'container_gpu_temperature', 'container_gpu_tensor_core_utilization',
  ], [
    ['ClusterName'], ['ClusterName', 'Namespace', 'PodName', 'ContainerName'], ['ClusterName', 'Namespace', 'PodName', 'FullPodName', 'ContainerName'],
    ['ClusterName', 'Namespace', 'PodName', 'FullPodName', 'ContainerName', 'GpuDevice'],
  ]),
  ...group([
    'pod_gpu_utilization', 'pod_gpu_memory_utilization', 'pod_gpu_memory_total', 'pod_gpu_memory_used',
    'pod_gpu_power_draw', 'pod_gpu_temperature', 'pod_gpu_tensor_core_utilization',
  ], [
    ['ClusterName'], ['ClusterName', 'Namespace'], ['ClusterName', 'Namespace', 'Service'], ['ClusterName', 'Namespace', 'PodName'],
    ['ClusterName', 'Namespace', 'PodName', 'FullPodName'], ['ClusterName', 'Namespace', 'PodName', 'FullPodName', 'GpuDevice'],
  ]),
  ...group([
    'node_gpu_utilization', 'node_gpu_memory_utilization', 'node_gpu_memory_total', 'node_gpu_memory_used',
    'node_gpu_power_draw', 'node_gpu_temperature', 'node_gpu_tensor_core_utilization',
  ], [['ClusterName'], ['ClusterName', 'NodeName', 'InstanceId'], ['ClusterName', 'NodeName', 'InstanceId', 'InstanceType', 'GpuDevice']]),
};

// ---------------------------------------------------------------------------------------------
// AWS/Kinesis. Source: Kinesis Data Streams Developer Guide "Monitoring the Amazon Kinesis Data Streams Service with
// Amazon CloudWatch" (https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html;
// awsdocs/amazon-kinesis-data-streams-developer-guide doc_source/monitoring-with-cloudwatch.md).
// Stream-level metrics: [StreamName], always published. Shard-level: [StreamName, ShardId], only with enhanced monitoring.
// ---------------------------------------------------------------------------------------------

const KINESIS: NamespaceCatalog = {
  ...group([
    'GetRecords.Bytes', 'GetRecords.IteratorAgeMilliseconds', 'GetRecords.Latency', 'GetRecords.Records', 'GetRecords.Success',
    'PutRecord.Bytes', 'PutRecord.Latency', 'PutRecord.Success', 'PutRecords.Bytes', 'PutRecords.Latency', 'PutRecords.Records', 'PutRecords.Success',
  ], [['StreamName']]),
  ...group(['IncomingBytes', 'IncomingRecords', 'ReadProvisionedThroughputExceeded', 'WriteProvisionedThroughputExceeded'],
    [['StreamName'], ['StreamName', 'ShardId']]),
  ...group(['IteratorAgeMilliseconds', 'OutgoingBytes', 'OutgoingRecords'], [['StreamName', 'ShardId']]),
};

// ---------------------------------------------------------------------------------------------
// AWS/Firehose. Source: Firehose Developer Guide "Monitoring Kinesis Data Firehose Using CloudWatch Metrics"
// (https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html;
// awsdocs/amazon-kinesis-data-firehose-developer-guide doc_source/monitoring-with-cloudwatch-metrics.md):
// "To filter metrics by delivery stream, use the DeliveryStreamName dimension." Published every 5 minutes.
// IncomingBytes/IncomingRecords/ThrottledRecords/*PerSecondLimit are listed under Direct PUT ingestion;
// DataReadFromKinesisStream.*, KinesisMillisBehindLatest and Throttled{GetRecords,...} under Kinesis-stream sources.
// ---------------------------------------------------------------------------------------------

const FIREHOSE: NamespaceCatalog = group([
  'DeliveryToS3.Bytes', 'DeliveryToS3.DataFreshness', 'DeliveryToS3.Records', 'DeliveryToS3.Success',
  'BackupToS3.Bytes', 'BackupToS3.DataFreshness', 'BackupToS3.Records', 'BackupToS3.Success',
  'DataReadFromKinesisStream.Bytes', 'DataReadFromKinesisStream.Records', 'KinesisMillisBehindLatest',
  'ThrottledDescribeStream', 'ThrottledGetRecords', 'ThrottledGetShardIterator',
  'IncomingBytes', 'IncomingPutRequests', 'IncomingRecords', 'ThrottledRecords',
  'BytesPerSecondLimit', 'RecordsPerSecondLimit', 'PutRequestsPerSecondLimit',
  'PutRecord.Bytes', 'PutRecord.Latency', 'PutRecord.Requests', 'PutRecordBatch.Bytes', 'PutRecordBatch.Latency',
  'PutRecordBatch.Records', 'PutRecordBatch.Requests',
  'ExecuteProcessing.Duration', 'ExecuteProcessing.Success', 'SucceedProcessing.Records', 'SucceedProcessing.Bytes',
  'SucceedConversion.Records', 'SucceedConversion.Bytes', 'FailedConversion.Records', 'FailedConversion.Bytes',
  'KMSKeyAccessDenied', 'KMSKeyDisabled', 'KMSKeyInvalidState', 'KMSKeyNotFound',
], [['DeliveryStreamName']]);

// ---------------------------------------------------------------------------------------------
// AWS/S3. Source: S3 User Guide "Metrics and dimensions" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html;
// awsdocs/amazon-s3-userguide doc_source/metrics-dimensions.md). Storage metrics are daily, [BucketName, StorageType].
// Request metrics are published only for a bucket with a metrics configuration; FilterId is that configuration's id.
// ---------------------------------------------------------------------------------------------

const S3: NamespaceCatalog = {
  ...group(['BucketSizeBytes', 'NumberOfObjects'], [['BucketName', 'StorageType']]),
  ...group([
    'AllRequests', 'GetRequests', 'PutRequests', 'DeleteRequests', 'HeadRequests', 'PostRequests', 'SelectRequests',
    'SelectBytesScanned', 'SelectBytesReturned', 'ListRequests', 'BytesDownloaded', 'BytesUploaded',
    '4xxErrors', '5xxErrors', 'FirstByteLatency', 'TotalRequestLatency',
  ], [['BucketName', 'FilterId']]),
};

/**
 * Valid `StorageType` values: `NumberOfObjects` takes only `AllStorageTypes`; `BucketSizeBytes` takes the others.
 * Source: the "Valid storage-type filters" list of the S3 "Metrics and dimensions" page (current text, as quoted in
 * a stored copy of the page; the older awsdocs copy lacks the Glacier Instant Retrieval and AIA entries).
 */
export const S3_STORAGE_TYPES: Readonly<Record<'BucketSizeBytes' | 'NumberOfObjects', readonly string[]>> = {
  BucketSizeBytes: [
    'StandardStorage', 'IntelligentTieringFAStorage', 'IntelligentTieringIAStorage', 'IntelligentTieringAAStorage',
    'IntelligentTieringAIAStorage', 'IntelligentTieringDAAStorage', 'StandardIAStorage', 'StandardIASizeOverhead',
    'StandardIAObjectOverhead', 'OneZoneIAStorage', 'OneZoneIASizeOverhead', 'ReducedRedundancyStorage',
    'GlacierInstantRetrievalSizeOverhead', 'GlacierInstantRetrievalStorage', 'GlacierStorage', 'GlacierStagingStorage',
    'GlacierObjectOverhead', 'GlacierS3ObjectOverhead', 'DeepArchiveStorage', 'DeepArchiveObjectOverhead',
    'DeepArchiveS3ObjectOverhead', 'DeepArchiveStagingStorage',
  ],
  NumberOfObjects: ['AllStorageTypes'],
};

// ---------------------------------------------------------------------------------------------
// AWS/SageMaker, /aws/sagemaker/Endpoints, /aws/sagemaker/InferenceComponents.
// Source: SageMaker AI Developer Guide "Amazon SageMaker AI metrics in Amazon CloudWatch"
// (https://docs.aws.amazon.com/sagemaker/latest/dg/monitoring-cloudwatch.html; current text as stored in a copy of the page):
// "Dimensions for endpoint invocation metrics": [EndpointName, VariantName] and [InferenceComponentName] (the page does
// not say which invocation metrics carry which set). NoCapacityInvocationFailures with [InferenceComponentName]:
// "Scale an endpoint to zero instances" (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html).
// [EndpointName, VariantName, ContainerName]: "Metrics for multi-container endpoints with direct invocation" (multi-container-metrics.html).
// ---------------------------------------------------------------------------------------------

const SAGEMAKER_INVOCATION: NamespaceCatalog = {
  ...group([
    'ConcurrentRequestsPerCopy', 'ConcurrentRequestsPerModel', 'InvocationModelErrors', 'InvocationsPerCopy', 'InvocationsPerInstance',
    'ModelLatency', 'ModelSetupTime', 'OverheadLatency',
  ], [['EndpointName', 'VariantName'], ['InferenceComponentName']]),
  ...group(['Invocations', 'Invocation4XXErrors', 'Invocation5XXErrors'],
    [['EndpointName', 'VariantName'], ['InferenceComponentName'], ['EndpointName', 'VariantName', 'ContainerName']]),
  ...group(['NoCapacityInvocationFailures'], [['InferenceComponentName']]),
  // Multi-model endpoint model loading metrics.
  ...group(['ModelLoadingWaitTime', 'ModelUnloadingTime', 'ModelDownloadingTime', 'ModelLoadingTime', 'ModelCacheHit'], [['EndpointName', 'VariantName']]),
};

/** `/aws/sagemaker/Endpoints` instance metrics ("SageMaker AI endpoint metrics"; *Normalized and *Reservation only with inference components). */
const SAGEMAKER_ENDPOINTS: NamespaceCatalog = group([
  'CPUReservation', 'CPUUtilization', 'CPUUtilizationNormalized', 'DiskUtilization', 'GPUMemoryUtilization', 'GPUMemoryUtilizationNormalized',
  'GPUReservation', 'GPUUtilization', 'GPUUtilizationNormalized', 'MemoryReservation', 'MemoryUtilization', 'LoadedModelCount',
], [['EndpointName', 'VariantName']]);

/** `/aws/sagemaker/InferenceComponents` ("SageMaker AI inference component metrics"). */
const SAGEMAKER_INFERENCE_COMPONENTS: NamespaceCatalog = group([
  'CPUUtilizationNormalized', 'GPUMemoryUtilizationNormalized', 'GPUUtilizationNormalized', 'MemoryUtilizationNormalized',
], [['InferenceComponentName']]);

// ---------------------------------------------------------------------------------------------
// AWS/Route53 health checks (published in us-east-1 only). Names: CloudWatch User Guide "Amazon Route 53 health check"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/appinsights-metrics-health-check.html) and Route 53
// Developer Guide "Monitoring health checks using CloudWatch" (monitoring-health-checks.html); dimension HealthCheckId
// as in aws-cdk-lib's Route53Metrics (aws-route53/lib/route53-canned-metrics.generated.d.ts, from AWS metric metadata).
// ---------------------------------------------------------------------------------------------

const ROUTE53: NamespaceCatalog = group([
  'ChildHealthCheckHealthyCount', 'ConnectionTime', 'HealthCheckPercentageHealthy', 'HealthCheckStatus', 'SSLHandshakeTime', 'TimeToFirstByte',
], [['HealthCheckId']]);

// ---------------------------------------------------------------------------------------------
// AWS/SNS topic metrics. Source: SNS Developer Guide "Monitoring Amazon SNS topics using CloudWatch"
// (https://docs.aws.amazon.com/sns/latest/dg/sns-monitoring-using-cloudwatch.html; awsdocs/amazon-sns-developer-guide).
// SMS and mobile push metrics (Country, SMSType, PhoneNumber, Application, Platform dimensions) are not catalogued.
// ---------------------------------------------------------------------------------------------

const SNS: NamespaceCatalog = group([
  'NumberOfMessagesPublished', 'NumberOfNotificationsDelivered', 'NumberOfNotificationsFailed', 'NumberOfNotificationsFilteredOut',
  'NumberOfNotificationsFilteredOut-InvalidAttributes', 'NumberOfNotificationsFilteredOut-NoMessageAttributes',
  'NumberOfNotificationsRedrivenToDlq', 'NumberOfNotificationsFailedToRedriveToDlq', 'PublishSize',
], [['TopicName']]);

// ---------------------------------------------------------------------------------------------
// AWS/Lambda. Source: Lambda Developer Guide "Working with Lambda function metrics"
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics.html; awsdocs/aws-lambda-developer-guide):
// dimensions FunctionName; Resource (version or alias); ExecutedVersion; or none (all functions of the Region).
// ---------------------------------------------------------------------------------------------

const LAMBDA_FUNCTION_DIMENSIONS: DimensionSet[] = [['FunctionName'], ['FunctionName', 'Resource'], ['FunctionName', 'Resource', 'ExecutedVersion'], []];

const LAMBDA: NamespaceCatalog = {
  ...group(['Invocations', 'Errors', 'Throttles', 'Duration', 'ConcurrentExecutions', 'DeadLetterErrors', 'DestinationDeliveryFailures',
    'ProvisionedConcurrencyInvocations', 'ProvisionedConcurrencySpilloverInvocations', 'PostRuntimeExtensionsDuration',
    'ProvisionedConcurrentExecutions'], LAMBDA_FUNCTION_DIMENSIONS),
  ...group(['IteratorAge'], [['FunctionName'], ['FunctionName', 'Resource'], []]),
  ...group(['ProvisionedConcurrencyUtilization'], [['FunctionName', 'Resource'], ['FunctionName', 'Resource', 'ExecutedVersion']]),
  ...group(['UnreservedConcurrentExecutions'], [[]]),
};

/** CloudWatch namespace -> metric name -> dimension sets it is published with. */
export const CLOUDWATCH_METRICS: Readonly<Record<string, NamespaceCatalog>> = {
  'ContainerInsights': CONTAINER_INSIGHTS,
  'AWS/Kinesis': KINESIS,
  'AWS/Firehose': FIREHOSE,
  'AWS/S3': S3,
  'AWS/SageMaker': SAGEMAKER_INVOCATION,
  '/aws/sagemaker/Endpoints': SAGEMAKER_ENDPOINTS,
  '/aws/sagemaker/InferenceComponents': SAGEMAKER_INFERENCE_COMPONENTS,
  'AWS/Route53': ROUTE53,
  'AWS/SNS': SNS,
  'AWS/Lambda': LAMBDA,
};

/** Whether `namespace`/`metricName` is published with exactly the dimension names `dimensions` (any order). */
export function isPublished(namespace: string, metricName: string, dimensions: readonly string[]): boolean {
  const key = (d: readonly string[]) => [...d].sort().join('\u0000');
  return (CLOUDWATCH_METRICS[namespace]?.[metricName] ?? []).some((set) => key(set) === key(dimensions));
}

// ---------------------------------------------------------------------------------------------
// Prometheus metrics of the in-cluster exporters.
// ---------------------------------------------------------------------------------------------

/** Exporter key -> series names it exposes (histograms as _bucket/_sum/_count). */
export const PROMETHEUS_METRICS: Readonly<Record<string, readonly string[]>> = {
  /**
   * vLLM OpenAI-compatible server, V1 engine. Source: vLLM docs "Metrics" design page, "v1 Metrics" and the
   * Grafana-dashboard subset (https://docs.vllm.ai/en/v0.12.0/design/metrics/; vllm-project/vllm docs/design/metrics.md).
   * Counters declared without `_total` are exposed with it by prometheus_client (same page, "Metric Naming").
   * `vllm:kv_cache_usage_perc` is the V1 name; `vllm:gpu_cache_usage_perc` (V0 name) is left out: its state in v0.11 was not confirmed.
   */
  vllm: [
    'vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc', 'vllm:cache_config_info',
    'vllm:prefix_cache_queries_total', 'vllm:prefix_cache_hits_total',
    'vllm:prompt_tokens_total', 'vllm:generation_tokens_total', 'vllm:request_success_total',
    ...histogram('vllm:request_prompt_tokens'), ...histogram('vllm:request_generation_tokens'),
    ...histogram('vllm:time_to_first_token_seconds'), ...histogram('vllm:inter_token_latency_seconds'),
    ...histogram('vllm:e2e_request_latency_seconds'), ...histogram('vllm:request_queue_time_seconds'),
    ...histogram('vllm:request_prefill_time_seconds'), ...histogram('vllm:request_decode_time_seconds'),
  ],
  /**
   * NVIDIA Triton Inference Server, default `--metrics-config` (counter latencies on, summaries off). Source: Triton
   * user guide "Metrics" (triton-inference-server/server docs/user_guide/metrics.md; docs.nvidia.com .../user_guide/metrics.html).
   * `nv_inference_pending_request_count` is left out: not found in the stored copy of that page.
   */
  triton: [
    'nv_inference_request_success', 'nv_inference_request_failure', 'nv_inference_count', 'nv_inference_exec_count',
    'nv_inference_request_duration_us', 'nv_inference_queue_duration_us', 'nv_inference_compute_input_duration_us',
    'nv_inference_compute_infer_duration_us', 'nv_inference_compute_output_duration_us',
    'nv_gpu_power_usage', 'nv_gpu_power_limit', 'nv_energy_consumption', 'nv_gpu_utilization', 'nv_gpu_memory_total_bytes', 'nv_gpu_memory_used_bytes',
    'nv_cpu_utilization', 'nv_cpu_memory_total_bytes', 'nv_cpu_memory_used_bytes',
    'nv_cache_num_hits_per_model', 'nv_cache_num_misses_per_model', 'nv_cache_hit_duration_per_model', 'nv_cache_miss_duration_per_model',
  ],
  /**
   * NVIDIA dcgm-exporter, default counters (`-f /etc/dcgm-exporter/default-counters.csv`, copied from etc/ by the image's
   * Dockerfile). Source: NVIDIA/dcgm-exporter etc/default-counters.csv, identical set for every 4.x tag from 4.0.0-4.0.1
   * to 4.5.3-4.8.2 except DCGM_FI_DEV_FB_RESERVED (from 4.3.1-4.4.0). DCGM_FI_DRIVER_VERSION is a label, not a series.
   * With DCGM_EXPORTER_KUBERNETES the series carry the `pod`, `namespace` and `container` of the GPU's user.
   */
  dcgm: [
    'DCGM_FI_DEV_SM_CLOCK', 'DCGM_FI_DEV_MEM_CLOCK', 'DCGM_FI_DEV_MEMORY_TEMP', 'DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_POWER_USAGE',
    'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_MEM_COPY_UTIL',
    'DCGM_FI_DEV_ENC_UTIL', 'DCGM_FI_DEV_DEC_UTIL', 'DCGM_FI_DEV_XID_ERRORS', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_FB_USED',
    'DCGM_FI_DEV_FB_RESERVED', 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', 'DCGM_FI_DEV_VGPU_LICENSE_STATUS',
    'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 'DCGM_FI_DEV_ROW_REMAP_FAILURE',
    'DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'DCGM_FI_PROF_DRAM_ACTIVE', 'DCGM_FI_PROF_PCIE_TX_BYTES',
    'DCGM_FI_PROF_PCIE_RX_BYTES',
  ],
  /**
   * KEDA HTTP add-on interceptor v0.15.0 (OpenTelemetry Prometheus exporter on :2223, on by default). Source:
   * kedacore/http-add-on v0.15.0 interceptor/metrics/instruments.go: `interceptor.request.concurrency` (UpDownCounter,
   * a gauge), `interceptor.request.count` (Counter, `_total`), `interceptor.request.duration` (Histogram, unit s);
   * labels route_name, route_namespace, code, method (names from v0.14.0 on).
   */
  'keda-http-interceptor': [
    'interceptor_request_concurrency', 'interceptor_request_count_total', ...histogram('interceptor_request_duration_seconds'),
  ],
};

/** Helm charts -> PROMETHEUS_METRICS key of the exporter their pods run (scraped when the values annotate them). */
export const HELM_EXPORTERS: Readonly<Record<string, string>> = {
  'keda-add-ons-http': 'keda-http-interceptor',
};

/**
 * Known values of labels the exporters set themselves: exporter -> metric -> label -> values.
 * vLLM `finished_reason`: stop, length, abort (docs/design/metrics.md example; vllm-project/vllm PR #12579). Later
 * versions add "error" and "repetition" to FINISH_REASON_STRINGS; whether v0.10/v0.11 emit "error" was not confirmed.
 */
export const PROMETHEUS_LABEL_VALUES: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>>> = {
  vllm: { 'vllm:request_success_total': { finished_reason: ['stop', 'length', 'abort'] } },
};

/** Container image patterns (RegExp sources) -> PROMETHEUS_METRICS key of the server the image runs. */
export const MODEL_SERVER_IMAGES: readonly { readonly image: string; readonly exporter: string }[] = [
  { image: '(^|/)vllm/vllm-openai(:|@|$)', exporter: 'vllm' },
  { image: '^nvcr\\.io/nvidia/tritonserver(:|@|$)', exporter: 'triton' },
  { image: '(^|/)dcgm-exporter(:|@|$)', exporter: 'dcgm' },
];
