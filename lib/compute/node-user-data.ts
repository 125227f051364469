/**
 * User data of GPU node groups' launch templates, in the forms EKS merges with its own for
 * managed node groups without a custom AMI: TOML settings for Bottlerocket, a MIME multi-part
 * document with a NodeConfig for AL2023 (nodeadm).
 *
 * Bottlerocket settings configure the NVIDIA device plugin Bottlerocket runs itself:
 * time-slicing (Bottlerocket 1.25+) and MIG (1.34+, applied at boot by its MIG manager; A100
 * nodes reboot once to enable it); and the SOCI snapshotter's parallel pull for large images.
 * Everything else stays at Bottlerocket's defaults, among them `device-list-strategy =
 * "volume-mounts"`, which keeps GPUs from containers that only set `NVIDIA_VISIBLE_DEVICES`.
 * EKS does not accept every TOML form: no bracketed header with quoted keys (`[a."b.c"]`), so
 * the MIG profile is a plain header followed by quoted keys.
 */

/** How the group's GPUs are shared, as the Bottlerocket settings express it. */
export interface BottlerocketGpuSharing {
  /** Shares per GPU, advertised as `nvidia.com/gpu.shared` (rename-by-default), one per pod. */
  readonly timeSlicingReplicas?: number;
  /** MIG partitions per GPU, and the GPU's profile key (`h100.80gb`); advertised as `nvidia.com/gpu` (MIG single strategy). */
  readonly mig?: { readonly profileKey: string; readonly partitions: number };
}

/** The TOML settings; undefined when there is nothing to set (whole GPUs, the default image pulls). */
export function bottlerocketSettings(sharing: BottlerocketGpuSharing, fastImagePull: boolean = false): string | undefined {
  const sections: string[][] = [];
  if (fastImagePull) {
    // SOCI's parallel pull and unpack: layers download in chunks over many connections and
    // unpack concurrently (no lazy loading, so no index to build).
    sections.push(['[settings.container-runtime]', 'snapshotter = "soci"']);
    sections.push(['[settings.container-runtime-plugins.soci-snapshotter]', 'pull-mode = "parallel-pull-unpack"']);
  }
  if (sharing.timeSlicingReplicas !== undefined || sharing.mig !== undefined) {
    sections.push([
      '[settings.kubelet-device-plugins.nvidia]',
      ...sharing.timeSlicingReplicas !== undefined ? ['device-sharing-strategy = "time-slicing"'] : [],
      ...sharing.mig !== undefined ? ['device-partitioning-strategy = "mig"'] : [],
    ]);
  }
  if (sharing.timeSlicingReplicas !== undefined) {
    sections.push([
      '[settings.kubelet-device-plugins.nvidia.time-slicing]',
      `replicas = ${sharing.timeSlicingReplicas}`,
      // Written out although they are the defaults: the library's resource name and its one-share-per-pod rule depend on them.
      'rename-by-default = true',
      'fail-requests-greater-than-one = true',
    ]);
  }
  if (sharing.mig !== undefined) {
    sections.push(['[settings.kubelet-device-plugins.nvidia.mig.profile]', `"${sharing.mig.profileKey}" = "${sharing.mig.partitions}"`]);
  }
  return sections.length > 0 ? `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n` : undefined;
}

/**
 * AL2023 user data turning on nodeadm's `FastImagePull` feature gate (SOCI parallel pull and
 * unpack; experimental in the EKS AMI, ignored below about an xlarge's CPU and memory): a MIME
 * multi-part document, as managed node groups merge it with the NodeConfig EKS writes.
 */
export function al2023FastImagePullUserData(): string {
  const boundary = 'CDKSCALABLEAI';
  return [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: application/node.eks.aws',
    '',
    'apiVersion: node.eks.aws/v1alpha1',
    'kind: NodeConfig',
    'spec:',
    '  featureGates:',
    '    FastImagePull: true',
    '',
    `--${boundary}--`,
    '',
  ].join('\n');
}
