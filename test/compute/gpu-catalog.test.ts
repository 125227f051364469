import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { gpuFamilies, lookupGpuInstance } from '../../lib/private/gpu-catalog';

describe('GPU instance catalog', () => {
  test.each([
    ['g4dn.12xlarge', 4, 'T4', 16],
    ['g5.48xlarge', 8, 'A10G', 22],
    ['g6.xlarge', 1, 'L4', 22],
    ['g6e.12xlarge', 4, 'L40S', 44],
    ['p4d.24xlarge', 8, 'A100', 40],
    ['p4de.24xlarge', 8, 'A100', 80],
    ['p5.4xlarge', 1, 'H100', 80],
    ['p5.48xlarge', 8, 'H100', 80],
    ['p5en.48xlarge', 8, 'H200', 141],
    ['p6-b200.48xlarge', 8, 'B200', 179],
    ['p6e-gb200.36xlarge', 4, 'B200', 185],
  ])('%s has %i %s GPUs with %i GiB each', (instanceType, gpus, model, memory) => {
    const spec = lookupGpuInstance(instanceType);
    expect(spec).toMatchObject({ gpus, family: { gpuModel: model, gpuMemoryGiB: memory } });
  });

  test('unknown or malformed instance types are not GPU types', () => {
    for (const name of ['m7i.large', 'g6.huge', 'g6', '', 'p5.48xlarge.extra']) expect(lookupGpuInstance(name)).toBeUndefined();
  });

  test('covers the families of the design and never offers an AL2 AMI', () => {
    const families = gpuFamilies().map((f) => f.family);
    expect(families).toEqual(expect.arrayContaining(['g4dn', 'g5', 'g5g', 'g6', 'g6e', 'gr6', 'p4d', 'p4de', 'p5', 'p5e', 'p5en', 'p6-b200', 'p6-b300', 'p6e-gb200', 'g7e']));
    for (const family of gpuFamilies()) {
      for (const ami of family.amiTypes) expect(ami).not.toMatch(/^AL2_/);
      if (family.vendor === 'nvidia') expect(family.amiTypes.length).toBeGreaterThan(0);
    }
  });

  test('arm64 families only get arm64 NVIDIA AMIs', () => {
    for (const family of gpuFamilies().filter((f) => f.architecture === 'arm64')) {
      for (const ami of family.amiTypes) expect([eks.NodegroupAmiType.AL2023_ARM_64_NVIDIA, eks.NodegroupAmiType.BOTTLEROCKET_ARM_64_NVIDIA]).toContain(ami);
    }
  });
});
