/**
 * Serving a model larger than one node: each replica is a group of pods, one per node (a
 * leader that serves HTTP and workers that hold the rest of the model), run by LeaderWorkerSet
 * so the group starts, fails and rolls out as one.
 */

/** Flags the library writes for vLLM's multi-node launch: given by the user, they would conflict. */
const VLLM_MULTI_NODE_FLAGS = ['--tensor-parallel-size', '-tp', '--pipeline-parallel-size', '-pp', '--nnodes', '--node-rank', '--master-addr', '--master-port', '--headless', '--distributed-executor-backend'];

/**
 * Port the vLLM leader listens on for the workers' torch.distributed rendezvous (vLLM's
 * `--master-port` default).
 */
export const VLLM_MASTER_PORT = 29501;

/** Options of a vLLM replica that spans nodes (multiprocessing backend, no Ray). */
export interface VllmMultiNodeOptions {
  /** Pods (nodes) per replica: the leader and `nodes - 1` workers. Between 2 and 32. */
  readonly nodes: number;
  /**
   * Tensor-parallel size. The GPUs of a replica (gpusPerReplica x nodes) must equal
   * tensorParallelSize x pipelineParallelSize.
   * @default - gpusPerReplica (tensor parallel within a node, pipeline parallel across nodes)
   */
  readonly tensorParallelSize?: number;
  /**
   * Pipeline-parallel size.
   * @default - nodes when tensorParallelSize is not given; else the replica's GPUs / tensorParallelSize
   */
  readonly pipelineParallelSize?: number;
  /**
   * Request the nodes' Elastic Fabric Adapter devices for the GPUs' collective traffic:
   * eligible capacity must be EFA-enabled (`GpuNodeGroupOptions.efa`).
   * @default false
   */
  readonly efa?: boolean;
}

/** Options of a replica that spans nodes, for any model server. */
export interface CustomMultiNodeOptions {
  /** Pods (nodes) per replica: the leader and `nodes - 1` workers. Between 2 and 32. */
  readonly nodes: number;
  /**
   * Arguments of the workers. The leader runs the service's `args`. LeaderWorkerSet sets
   * `LWS_LEADER_ADDRESS`, `LWS_GROUP_SIZE` and `LWS_WORKER_INDEX` in every pod; Kubernetes
   * expands `$(LWS_LEADER_ADDRESS)` and `$(LWS_WORKER_INDEX)` in arguments.
   */
  readonly workerArgs: string[];
  /** Command of the workers. @default - the service's command */
  readonly workerCommand?: string[];
  /**
   * TCP ports the workers and the leader use between them (rendezvous, collective
   * communication): the group's NetworkPolicy admits pods of the same service on them.
   * @default - every port (pods of the same service only)
   */
  readonly groupPorts?: number[];
  /** @default false */
  readonly efa?: boolean;
}

/** The launch of a replica's pods. */
export enum MultiNodeLaunch {
  /** vLLM's own multi-node launch (`--nnodes`, `--node-rank`, `--master-addr`, workers `--headless`). */
  VLLM = 'vllm',
  /** The user's worker arguments. */
  CUSTOM = 'custom',
}

/**
 * A replica that spans several nodes (LeaderWorkerSet): `MultiNodeServing.vllm(...)` for
 * vLLM's tensor/pipeline-parallel launch, `MultiNodeServing.custom(...)` for any server.
 */
export class MultiNodeServing {
  /**
   * vLLM across nodes without Ray: the leader runs `<args> --tensor-parallel-size T
   * --pipeline-parallel-size P --nnodes N --master-addr $(LWS_LEADER_ADDRESS) --node-rank 0`
   * and serves HTTP; workers run the same with `--node-rank $(LWS_WORKER_INDEX) --headless`.
   * The service's `args` hold the model and serving flags: the image's entrypoint must be the
   * `vllm serve` CLI (vllm/vllm-openai images; `python -m vllm.entrypoints.openai.api_server`
   * ignores `--headless`), and vLLM must have the multiprocessing multi-node launch (>= 0.12).
   */
  public static vllm(options: VllmMultiNodeOptions): MultiNodeServing {
    return new MultiNodeServing(MultiNodeLaunch.VLLM, options);
  }

  /** Any model server: the leader runs the service's args, the workers `workerArgs`. */
  public static custom(options: CustomMultiNodeOptions): MultiNodeServing {
    return new MultiNodeServing(MultiNodeLaunch.CUSTOM, options);
  }

  /** How the pods are launched. */
  public readonly launch: MultiNodeLaunch;
  /** Pods (nodes) per replica. */
  public readonly nodes: number;
  /** Whether the pods request the nodes' EFA devices. */
  public readonly efa: boolean;
  /** vLLM: the tensor-parallel size asked for. */
  public readonly tensorParallelSize?: number;
  /** vLLM: the pipeline-parallel size asked for. */
  public readonly pipelineParallelSize?: number;
  /** Custom: the workers' arguments. */
  public readonly workerArgs?: string[];
  /** Custom: the workers' command. */
  public readonly workerCommand?: string[];
  /** Custom: the ports the group's pods use between them. */
  public readonly groupPorts?: number[];

  private constructor(launch: MultiNodeLaunch, options: VllmMultiNodeOptions & Partial<CustomMultiNodeOptions>) {
    this.launch = launch;
    this.nodes = options.nodes;
    this.efa = options.efa ?? false;
    this.tensorParallelSize = options.tensorParallelSize;
    this.pipelineParallelSize = options.pipelineParallelSize;
    this.workerArgs = options.workerArgs;
    this.workerCommand = options.workerCommand;
    this.groupPorts = options.groupPorts;
  }
}

/** The parallel sizes of a vLLM replica: what was given, completed from the replica's GPUs. */
export function vllmParallelism(serving: MultiNodeServing, gpusPerPod: number): { tensor: number; pipeline: number } {
  const total = gpusPerPod * serving.nodes;
  const tensor = serving.tensorParallelSize ?? (serving.pipelineParallelSize !== undefined ? Math.floor(total / serving.pipelineParallelSize) : gpusPerPod);
  const pipeline = serving.pipelineParallelSize ?? Math.floor(total / tensor);
  return { tensor, pipeline };
}

/** vLLM flags given by the user that the multi-node launch writes itself. */
export function conflictingVllmFlags(args: readonly string[]): string[] {
  return args.filter((a) => VLLM_MULTI_NODE_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)));
}

/** Leader and worker arguments of a vLLM replica. */
export function vllmGroupArgs(args: readonly string[], parallelism: { tensor: number; pipeline: number }, nodes: number): { leader: string[]; worker: string[] } {
  const common = [
    ...args,
    '--tensor-parallel-size', String(parallelism.tensor),
    '--pipeline-parallel-size', String(parallelism.pipeline),
    '--nnodes', String(nodes),
    '--master-addr', '$(LWS_LEADER_ADDRESS)',
    '--master-port', String(VLLM_MASTER_PORT),
    // The default with nnodes > 1 on current vLLM; written for versions where it differs.
    '--distributed-executor-backend', 'mp',
  ];
  return {
    leader: [...common, '--node-rank', '0'],
    worker: [...common, '--node-rank', '$(LWS_WORKER_INDEX)', '--headless'],
  };
}
