/**
 * Bottlerocket settings (TOML user data, which EKS merges into its own for managed node groups
 * without a custom AMI) that configure the NVIDIA device plugin Bottlerocket runs itself:
 * time-slicing (Bottlerocket 1.25+) and MIG (1.34+, applied at boot by its MIG manager; A100
 * nodes reboot once to enable it). Everything else stays at Bottlerocket's defaults, among
 * them `device-list-strategy = "volume-mounts"`, which keeps GPUs from containers that only
 * set `NVIDIA_VISIBLE_DEVICES`.
 *
 * EKS does not accept every TOML form: no bracketed header with quoted keys
 * (`[a."b.c"]`), so the MIG profile is a plain header followed by quoted keys.
 */

/** How the group's GPUs are shared, as the Bottlerocket settings express it. */
export interface BottlerocketGpuSharing {
  /** Shares per GPU, advertised as `nvidia.com/gpu.shared` (rename-by-default), one per pod. */
  readonly timeSlicingReplicas?: number;
  /** MIG partitions per GPU, and the GPU's profile key (`h100.80gb`); advertised as `nvidia.com/gpu` (MIG single strategy). */
  readonly mig?: { readonly profileKey: string; readonly partitions: number };
}

/** The TOML settings; undefined when the GPUs are used whole (nothing to set). */
export function bottlerocketGpuSettings(sharing: BottlerocketGpuSharing): string | undefined {
  const lines: string[] = [];
  if (sharing.timeSlicingReplicas !== undefined || sharing.mig !== undefined) lines.push('[settings.kubelet-device-plugins.nvidia]');
  if (sharing.timeSlicingReplicas !== undefined) lines.push('device-sharing-strategy = "time-slicing"');
  if (sharing.mig !== undefined) lines.push('device-partitioning-strategy = "mig"');
  if (sharing.timeSlicingReplicas !== undefined) {
    lines.push(
      '',
      '[settings.kubelet-device-plugins.nvidia.time-slicing]',
      `replicas = ${sharing.timeSlicingReplicas}`,
      // Written out although they are the defaults: the library's resource name and its one-share-per-pod rule depend on them.
      'rename-by-default = true',
      'fail-requests-greater-than-one = true',
    );
  }
  if (sharing.mig !== undefined) {
    lines.push('', '[settings.kubelet-device-plugins.nvidia.mig.profile]', `"${sharing.mig.profileKey}" = "${sharing.mig.partitions}"`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : undefined;
}
