/** The site-wide GPU demand check: sums per placement class, errors at minimum, warnings at peak. */
import * as fc from 'fast-check';
import { Token } from 'aws-cdk-lib';
import { IGpuCapacity } from '../../lib/compute/gpu-capacity';
import { checkSiteGpuDemand, GpuDemand, GpuPlacement } from '../../lib/inference/site-gpu-demand';

const cloud = (maxGpus: number, gpusPerNode = 8): IGpuCapacity => ({ capacityName: 'cloud', gpusPerNode, maxGpus });
const hybrid = (maxGpus: number, gpusPerNode = 8): IGpuCapacity => ({ capacityName: 'hybrid', gpusPerNode, maxGpus, hybrid: true });
const demand = (name: string, gpus: number, min: number, peak: number, placement = GpuPlacement.ANY): GpuDemand =>
  ({ name, placement, gpusPerReplica: gpus, guaranteedReplicas: min, peakReplicas: peak });

describe('checkSiteGpuDemand', () => {
  test('demand within the capacity passes', () => {
    expect(checkSiteGpuDemand('s', [cloud(8)], [demand('a/x', 2, 2, 4)])).toEqual({ errors: [], warnings: [] });
  });

  test('services confined to the cloud cannot use hybrid capacity', () => {
    const { errors } = checkSiteGpuDemand('s', [cloud(2), hybrid(16)], [demand('a/x', 1, 3, 3, GpuPlacement.CLOUD)]);
    expect(errors).toEqual([expect.stringContaining('but its cloud GPU capacity (placement cloud) offers 2')]);
  });

  test('hybrid and cloud services each fit their class, but not the whole site together', () => {
    const { errors } = checkSiteGpuDemand('s', [cloud(4), hybrid(4)],
      [demand('a/c', 1, 4, 4, GpuPlacement.CLOUD), demand('a/h', 1, 4, 4, GpuPlacement.HYBRID), demand('a/any', 1, 1, 1)]);
    expect(errors).toEqual([expect.stringMatching(/^site "s": 3 service\(s\) need 9 GPUs .* but its GPU capacity offers 8/)]);
  });

  test('CPU-only services and unresolved counts are not summed', () => {
    const tokenReplicas = Token.asNumber({ Ref: 'Replicas' });
    expect(checkSiteGpuDemand('s', [cloud(1)], [demand('a/cpu', 0, 50, 50), demand('a/t', 1, tokenReplicas, tokenReplicas)]).errors).toEqual([]);
  });

  test('property: an error exactly when the guaranteed sum of a class exceeds its capacity; a warning only when the peak does', () => {
    const placements = fc.constantFrom(GpuPlacement.ANY, GpuPlacement.CLOUD, GpuPlacement.HYBRID);
    const demands = fc.array(fc.record({ gpus: fc.integer({ min: 0, max: 8 }), min: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 0, max: 6 }), placement: placements }), { maxLength: 12 });
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 64 }), demands, (cloudGpus, hybridGpus, ds) => {
      const capacities = [cloud(cloudGpus), ...(hybridGpus > 0 ? [hybrid(hybridGpus)] : [])];
      const given = ds.map((d, i) => demand(`n/s${i}`, d.gpus, d.min, d.min + d.extra, d.placement));
      const { errors, warnings } = checkSiteGpuDemand('s', capacities, given);
      const sum = (p: (d: GpuDemand) => boolean, f: (d: GpuDemand) => number) => given.filter(p).reduce((t, d) => t + f(d) * d.gpusPerReplica, 0);
      const classes = [
        { offered: cloudGpus + hybridGpus, members: () => true, exists: true },
        { offered: cloudGpus, members: (d: GpuDemand) => d.placement === GpuPlacement.CLOUD, exists: true },
        { offered: hybridGpus, members: (d: GpuDemand) => d.placement === GpuPlacement.HYBRID, exists: hybridGpus > 0 },
      ];
      const expectedErrors = classes.filter((c) => c.exists && sum(c.members, (d) => d.guaranteedReplicas) > c.offered).length;
      const expectedWarnings = classes.filter((c) => c.exists && sum(c.members, (d) => d.guaranteedReplicas) <= c.offered && sum(c.members, (d) => d.peakReplicas) > c.offered).length;
      expect(errors).toHaveLength(expectedErrors);
      expect(warnings).toHaveLength(expectedWarnings);
    }));
  });
});
