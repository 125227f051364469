/** The site-wide GPU demand check: sums over the capacity sets services are confined to, errors at minimum, warnings at peak. */
import * as fc from 'fast-check';
import { Token } from 'aws-cdk-lib';
import { IGpuCapacity } from '../../lib/compute/gpu-capacity';
import { checkSiteGpuDemand, GpuDemand, GpuPlacement, placementAllows } from '../../lib/inference/site-gpu-demand';

const cloud = (maxGpus: number, name = 'cloud'): IGpuCapacity => ({ capacityName: name, gpusPerNode: 8, maxGpus });
const hybrid = (maxGpus: number): IGpuCapacity => ({ capacityName: 'hybrid', gpusPerNode: 8, maxGpus, hybrid: true });

/** A demand that may use the capacities its placement allows. */
function demand(capacities: IGpuCapacity[], name: string, gpus: number, min: number, peak: number, placement = GpuPlacement.ANY): GpuDemand {
  return { name, eligible: capacities.filter((c) => placementAllows(placement, c)), gpusPerReplica: gpus, guaranteedReplicas: min, peakReplicas: peak };
}

describe('checkSiteGpuDemand', () => {
  test('demand within the capacity passes', () => {
    const caps = [cloud(8)];
    expect(checkSiteGpuDemand('s', caps, [demand(caps, 'a/x', 2, 2, 4)])).toEqual({ errors: [], warnings: [] });
  });

  test('services confined to the cloud cannot use hybrid capacity', () => {
    const caps = [cloud(2), hybrid(16)];
    const { errors } = checkSiteGpuDemand('s', caps, [demand(caps, 'a/x', 1, 3, 3, GpuPlacement.CLOUD)]);
    expect(errors).toEqual([expect.stringContaining('but its GPU capacity cloud 2 offers 2')]);
  });

  test('services pinned to one pool count only against it', () => {
    const h100 = cloud(8, 'h100');
    const l40s = cloud(32, 'l40s');
    const caps = [h100, l40s];
    const pinned = (name: string): GpuDemand => ({ name, eligible: [h100], gpusPerReplica: 8, guaranteedReplicas: 2, peakReplicas: 2 });
    const { errors } = checkSiteGpuDemand('s', caps, [pinned('a/big')]);
    expect(errors).toEqual([expect.stringMatching(/1 service\(s\) need 16 GPUs .* but its GPU capacity h100 8 offers 8/)]);
  });

  test('hybrid and cloud services each fit their class, but not the whole site together', () => {
    const caps = [cloud(4), hybrid(4)];
    const { errors } = checkSiteGpuDemand('s', caps,
      [demand(caps, 'a/c', 1, 4, 4, GpuPlacement.CLOUD), demand(caps, 'a/h', 1, 4, 4, GpuPlacement.HYBRID), demand(caps, 'a/any', 1, 1, 1)]);
    expect(errors).toEqual([expect.stringMatching(/^site "s": 3 service\(s\) need 9 GPUs .* but its GPU capacity offers 8/)]);
  });

  test('CPU-only services and unresolved counts are not summed', () => {
    const tokenReplicas = Token.asNumber({ Ref: 'Replicas' });
    const caps = [cloud(1)];
    expect(checkSiteGpuDemand('s', caps, [demand(caps, 'a/cpu', 0, 50, 50), demand(caps, 'a/t', 1, tokenReplicas, tokenReplicas)]).errors).toEqual([]);
  });

  test('property: an error exactly when the guaranteed sum of a placement class exceeds its capacity; a warning only when the peak does', () => {
    const placements = fc.constantFrom(GpuPlacement.ANY, GpuPlacement.CLOUD, GpuPlacement.HYBRID);
    const demands = fc.array(fc.record({ gpus: fc.integer({ min: 0, max: 8 }), min: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 0, max: 6 }), placement: placements }), { maxLength: 12 });
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 64 }), demands, (cloudGpus, hybridGpus, ds) => {
      const caps = [cloud(cloudGpus), ...(hybridGpus > 0 ? [hybrid(hybridGpus)] : [])];
      const given = ds.map((d, i) => demand(caps, `n/s${i}`, d.gpus, d.min, d.min + d.extra, d.placement));
      const placementOf = ds.map((d) => d.placement);
      const { errors, warnings } = checkSiteGpuDemand('s', caps, given);
      const counted = (i: number) => given[i].gpusPerReplica > 0 && given[i].eligible.length > 0;
      const sum = (member: (p: GpuPlacement) => boolean, f: (d: GpuDemand) => number) =>
        given.reduce((t, d, i) => t + (counted(i) && member(placementOf[i]) ? f(d) * d.gpusPerReplica : 0), 0);
      // The whole site; the cloud set (only when it differs from the whole site); the hybrid set.
      const classes = [
        { offered: cloudGpus + hybridGpus, member: () => true, exists: true },
        { offered: cloudGpus, member: (p: GpuPlacement) => p === GpuPlacement.CLOUD || (hybridGpus === 0), exists: hybridGpus > 0 },
        { offered: hybridGpus, member: (p: GpuPlacement) => p === GpuPlacement.HYBRID, exists: hybridGpus > 0 },
      ].filter((c) => c.exists && given.some((_, i) => counted(i) && c.member(placementOf[i])));
      const expectedErrors = classes.filter((c) => sum(c.member, (d) => d.guaranteedReplicas) > c.offered).length;
      const expectedWarnings = classes.filter((c) => sum(c.member, (d) => d.guaranteedReplicas) <= c.offered && sum(c.member, (d) => d.peakReplicas) > c.offered).length;
      expect(errors).toHaveLength(expectedErrors);
      expect(warnings).toHaveLength(expectedWarnings);
    }));
  });
});
