import { Size, Stack, Token } from 'aws-cdk-lib';
import { parse as parseToml } from 'smol-toml';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import fc from 'fast-check';
import { GpuCluster, GpuNodeGroup, GpuNodeGroupOptions, GpuNodeOperatingSystem } from '../../lib';
import { cleanTemplate, testApp } from '../harness/synth';

const types = (...names: string[]) => names.map((n) => new ec2.InstanceType(n));

/** A cluster to attach node groups to (construction only; synthesis is per test where needed). */
function newCluster(): { stack: Stack; cluster: GpuCluster } {
  const stack = new Stack(testApp(), 'Compute');
  return { stack, cluster: new GpuCluster(stack, 'Gpu', { gpuEnablement: false }) };
}

describe('AMI inference', () => {
  test.each([
    ['p5.48xlarge', undefined, eks.NodegroupAmiType.AL2023_X86_64_NVIDIA],
    ['p6-b200.48xlarge', undefined, eks.NodegroupAmiType.AL2023_X86_64_NVIDIA],
    ['g7e.12xlarge', undefined, eks.NodegroupAmiType.AL2023_X86_64_NVIDIA],
    ['g5g.xlarge', undefined, eks.NodegroupAmiType.AL2023_ARM_64_NVIDIA],
    ['p6e-gb200.36xlarge', undefined, eks.NodegroupAmiType.AL2023_ARM_64_NVIDIA],
    ['g6e.xlarge', GpuNodeOperatingSystem.BOTTLEROCKET, eks.NodegroupAmiType.BOTTLEROCKET_X86_64_NVIDIA],
    ['g5g.2xlarge', GpuNodeOperatingSystem.BOTTLEROCKET, eks.NodegroupAmiType.BOTTLEROCKET_ARM_64_NVIDIA],
  ])('%s on %s runs %s', (instanceType, operatingSystem, expected) => {
    const { cluster } = newCluster();
    const capacityType = instanceType.startsWith('p6e') ? eks.CapacityType.ON_DEMAND : undefined;
    expect(cluster.addGpuNodeGroup('Gpu', { instanceTypes: types(instanceType), operatingSystem, capacityType }).amiType).toBe(expected);
  });

  test('never the retired AL2 GPU AMI, for any catalog family', () => {
    for (const family of ['g4dn.xlarge', 'g5.xlarge', 'g6.xlarge', 'gr6.4xlarge', 'p4d.24xlarge', 'p4de.24xlarge', 'p5e.48xlarge', 'p5en.48xlarge', 'p6-b300.48xlarge']) {
      const { cluster } = newCluster();
      expect(cluster.addGpuNodeGroup('Gpu', { instanceTypes: types(family) }).amiType).not.toMatch(/^AL2_/);
    }
  });

  test('Bottlerocket nodes get no device plugin label and use the data volume', () => {
    const { stack, cluster } = newCluster();
    cluster.addGpuNodeGroup('Gpu', { instanceTypes: types('g6.xlarge', 'g6.2xlarge'), operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET, volumeSize: undefined });
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'BOTTLEROCKET_x86_64_NVIDIA',
      Labels: Match.not(Match.objectLike({ 'cdk-scalable-ai.io/nvidia-device-plugin': Match.anyValue() })),
    });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ BlockDeviceMappings: [Match.objectLike({ DeviceName: '/dev/xvdb' })] }),
    });
  });
});

describe('capacity', () => {
  test('GPUs per node is the smallest instance type; max GPUs scales with max size', () => {
    const { cluster } = newCluster();
    const group = cluster.addGpuNodeGroup('Gpu', { instanceTypes: types('g6.12xlarge', 'g6.24xlarge'), maxSize: 3 });
    expect([group.gpusPerNode, group.maxGpus]).toEqual([4, 12]);
    expect(cluster.site.gpuCapacities).toContain(group);
  });

  test('spot with diversified types synthesizes; one type warns', () => {
    const { stack, cluster } = newCluster();
    cluster.addGpuNodeGroup('Diverse', { instanceTypes: types('g6.xlarge', 'g6.2xlarge', 'g5.xlarge'), capacityType: eks.CapacityType.SPOT });
    cluster.addGpuNodeGroup('Single', { instanceTypes: types('g6.xlarge'), capacityType: eks.CapacityType.SPOT });
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findWarning('/Compute/Gpu/Single', Match.stringLikeRegexp('SPOT with one instance type'))).toHaveLength(1);
    expect(annotations.findWarning('/Compute/Gpu/Diverse', Match.anyValue())).toHaveLength(0);
  });

  test('capacity block: market type and reservation in the launch template', () => {
    const { stack, cluster } = newCluster();
    cluster.addGpuNodeGroup('Block', {
      instanceTypes: types('p5.48xlarge'), capacityType: eks.CapacityType.CAPACITY_BLOCK, capacityReservationId: 'cr-0123456789abcdef0', minSize: 0, desiredSize: 0,
    });
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        InstanceMarketOptions: { MarketType: 'capacity-block' },
        CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: 'cr-0123456789abcdef0' } },
      }),
    });
    template.hasResourceProperties('AWS::EKS::Nodegroup', { CapacityType: 'CAPACITY_BLOCK', InstanceTypes: ['p5.48xlarge'] });
  });
});

describe('bad input fails at synth with the prop, the value and the fix', () => {
  const cases: Array<[string, GpuNodeGroupOptions, RegExp]> = [
    ['non-GPU instance', { instanceTypes: types('m7i.large') }, /instanceTypes = "m7i.large" is not an NVIDIA GPU instance type. Use a GPU instance of a known family/],
    ['AMD GPUs', { instanceTypes: types('g4ad.xlarge') }, /instanceTypes = "g4ad.xlarge" has Radeon Pro V520 GPUs/],
    ['fractional GPU', { instanceTypes: types('g6f.xlarge') }, /exposes a fraction \(0.125\) of one GPU/],
    ['mixed architectures', { instanceTypes: types('g5g.xlarge', 'g5.xlarge') }, /mixes architectures \(arm64, x86_64\)/],
    ['AMI that cannot run the instance', { instanceTypes: types('p5.48xlarge'), amiType: eks.NodegroupAmiType.AL2_X86_64_GPU }, /amiType = "AL2_x86_64_GPU" cannot run p5.48xlarge. Use one of AL2023_x86_64_NVIDIA, BOTTLEROCKET_x86_64_NVIDIA/],
    ['Bottlerocket on GB200', { instanceTypes: types('p6e-gb200.36xlarge'), operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET }, /operatingSystem = "BOTTLEROCKET" has no NVIDIA AMI for p6e-gb200.36xlarge/],
    ['min > desired', { instanceTypes: types('g6.xlarge'), minSize: 2, desiredSize: 1 }, /desiredSize = 1 is less than minSize \(2\)/],
    ['desired > max', { instanceTypes: types('g6.xlarge'), desiredSize: 3, maxSize: 2 }, /maxSize = 2 is less than desiredSize \(3\)/],
    ['capacity block without reservation', { instanceTypes: types('p5.48xlarge'), capacityType: eks.CapacityType.CAPACITY_BLOCK }, /capacityReservationId = undefined is missing for capacityType CAPACITY_BLOCK/],
    ['reservation without capacity block', { instanceTypes: types('p5.48xlarge'), capacityReservationId: 'cr-0123456789abcdef0' }, /capacityType = "ON_DEMAND" does not use capacityReservationId cr-0123456789abcdef0. Set capacityType to eks.CapacityType.CAPACITY_BLOCK/],
    ['spot on a family without spot', { instanceTypes: types('p6e-gb200.36xlarge'), capacityType: eks.CapacityType.SPOT }, /capacityType = "SPOT" is not offered for p6e-gb200.36xlarge/],
    ['empty instance types', { instanceTypes: [] }, /instanceTypes = \[\] is empty/],
    ['tiny volume', { instanceTypes: types('g6.xlarge'), volumeSize: undefined, minSize: -1 }, /minSize = -1 is not an integer >= 0/],
  ];
  test.each(cases)('%s', (_name, options, message) => {
    const { cluster } = newCluster();
    expect(() => cluster.addGpuNodeGroup('Gpu', options)).toThrow(message);
  });

  test('unresolved sizes pass', () => {
    const { cluster } = newCluster();
    expect(() => cluster.addGpuNodeGroup('Gpu', { instanceTypes: types('g6.xlarge'), minSize: Token.asNumber({ Ref: 'Min' }), maxSize: 4 })).not.toThrow();
  });

  test('property: random instance types and sizes either build or throw a scoped ValidationError naming the prop', () => {
    const { cluster } = newCluster();
    const instanceNames = ['g6.xlarge', 'g6.12xlarge', 'g5g.xlarge', 'p5.48xlarge', 'm7i.large', 'g4ad.xlarge', 'g6f.large', 'p6e-gb200.36xlarge', 'x.y', 'g6e'];
    let i = 0;
    fc.assert(fc.property(
      fc.subarray(instanceNames, { minLength: 0, maxLength: 3 }),
      fc.option(fc.integer({ min: -2, max: 6 }), { nil: undefined }),
      fc.option(fc.integer({ min: -2, max: 6 }), { nil: undefined }),
      fc.option(fc.integer({ min: -2, max: 6 }), { nil: undefined }),
      fc.constantFrom(...Object.values(eks.CapacityType)),
      (names, minSize, desiredSize, maxSize, capacityType) => {
        try {
          const group = new GpuNodeGroup(cluster, `G${i++}`, { cluster: cluster.cluster, instanceTypes: types(...names), minSize, desiredSize, maxSize, capacityType, capacityReservationId: capacityType === eks.CapacityType.CAPACITY_BLOCK ? 'cr-0123456789abcdef0' : undefined });
          expect(group.maxGpus).toBe(group.gpusPerNode * group.maxSize);
          expect(group.gpusPerNode).toBeGreaterThanOrEqual(1);
        } catch (error) {
          expect(error).not.toBeInstanceOf(TypeError);
          expect((error as Error).name).toBe('ValidationError');
          expect((error as Error).message).toMatch(/^Compute\/Gpu\/G\d+: (instanceTypes|minSize|desiredSize|maxSize|capacityType|capacityReservationId|amiType|operatingSystem) = /);
        }
      },
    ), { numRuns: 150 });
  });
});

describe('fast image pull', () => {
  /** The group's launch template: its volume and user data. */
  function launchTemplate(os: GpuNodeOperatingSystem, extra: Partial<GpuNodeGroupOptions> = {}): { volume: Record<string, unknown>; userData?: string } {
    const stack = new Stack(testApp(), 'Compute');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    const group = cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.4xlarge')], operatingSystem: os, fastImagePull: true, ...extra });
    const template = cleanTemplate(stack).toJSON();
    const data = template.Resources[stack.getLogicalId(group.launchTemplate.node.defaultChild as ec2.CfnLaunchTemplate)].Properties.LaunchTemplateData;
    return { volume: data.BlockDeviceMappings[0].Ebs, userData: data.UserData?.['Fn::Base64'] };
  }

  test('AL2023: a NodeConfig turning on the FastImagePull gate, in the MIME form managed node groups merge, and a fast volume', () => {
    const { volume, userData } = launchTemplate(GpuNodeOperatingSystem.AL2023);
    expect(volume).toEqual(expect.objectContaining({ VolumeType: 'gp3', Throughput: 1000, Iops: 16000, Encrypted: true }));
    const [header, ...parts] = userData!.split('--CDKSCALABLEAI');
    expect(header).toBe('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="CDKSCALABLEAI"\n\n');
    expect(parts).toEqual([
      '\nContent-Type: application/node.eks.aws\n\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  featureGates:\n    FastImagePull: true\n\n',
      '--\n',
    ]);
  });

  test('Bottlerocket: the soci snapshotter in parallel pull mode, beside GPU sharing settings', () => {
    const { volume, userData } = launchTemplate(GpuNodeOperatingSystem.BOTTLEROCKET, { timeSlicing: 2 });
    expect(volume).toEqual(expect.objectContaining({ Throughput: 1000, Iops: 16000 }));
    expect(parseToml(userData!)).toEqual({
      settings: {
        'container-runtime': { snapshotter: 'soci' },
        'container-runtime-plugins': { 'soci-snapshotter': { 'pull-mode': 'parallel-pull-unpack' } },
        'kubelet-device-plugins': { nvidia: { 'device-sharing-strategy': 'time-slicing', 'time-slicing': { 'replicas': 2, 'rename-by-default': true, 'fail-requests-greater-than-one': true } } },
      },
    });
  });

  test('off by default: the gp3 baseline and no user data; a volume too small for 16,000 IOPS fails with the fix', () => {
    const stack = new Stack(testApp(), 'Compute');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    const group = cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.4xlarge')] });
    const data = cleanTemplate(stack).toJSON().Resources[stack.getLogicalId(group.launchTemplate.node.defaultChild as ec2.CfnLaunchTemplate)].Properties.LaunchTemplateData;
    expect(data.UserData).toBeUndefined();
    expect(data.BlockDeviceMappings[0].Ebs.Throughput).toBeUndefined();
    expect(() => cluster.addGpuNodeGroup('Tiny', { instanceTypes: [new ec2.InstanceType('g6e.4xlarge')], fastImagePull: true, volumeSize: Size.gibibytes(30) }))
      .toThrow(/volumeSize \(GiB\) with fastImagePull = 30/);
  });
});

describe('GPU sharing options', () => {
  test('property: random sharing, allocation, OS and image pull options either build a group whose capacity matches them, or throw a scoped ValidationError naming the prop', () => {
    const stack = new Stack(testApp(), 'Compute');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    const instanceNames = ['g6.4xlarge', 'p5.48xlarge', 'p4d.24xlarge', 'p5e.48xlarge', 'g6e.12xlarge', 'p6-b200.48xlarge'];
    let i = 0;
    fc.assert(fc.property(
      fc.subarray(instanceNames, { minLength: 1, maxLength: 2 }),
      fc.constantFrom(...Object.values(GpuNodeOperatingSystem)),
      fc.option(fc.integer({ min: -1, max: 8 }), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 50 }), { nil: undefined }),
      fc.boolean(),
      fc.boolean(),
      (names, operatingSystem, migPartitions, timeSlicing, fastImagePull, dynamicResourceAllocation) => {
        try {
          const group = cluster.addGpuNodeGroup(`S${i++}`, { instanceTypes: types(...names), operatingSystem, migPartitions, timeSlicing, fastImagePull, dynamicResourceAllocation });
          expect(group.migPartitions).toBe(migPartitions);
          expect(group.timeSlicingReplicas).toBe(timeSlicing);
          expect(group.dynamicResourceAllocation).toBe(dynamicResourceAllocation);
          if (dynamicResourceAllocation) {
            // Whole GPUs on AL2023, published by the DRA driver instead of a device plugin.
            expect(operatingSystem).toBe(GpuNodeOperatingSystem.AL2023);
            expect([migPartitions, timeSlicing]).toEqual([undefined, undefined]);
            expect(group.nodeLabels['cdk-scalable-ai.io/nvidia-device-plugin']).toBeUndefined();
          }
          if (migPartitions !== undefined) {
            expect(operatingSystem).toBe(GpuNodeOperatingSystem.BOTTLEROCKET);
            expect(timeSlicing).toBeUndefined();
            // An instance's memory: at most the whole GPU's.
            expect(group.gpuMemoryGiB).toBeLessThanOrEqual(141);
          }
        } catch (error) {
          expect(error).not.toBeInstanceOf(TypeError);
          expect((error as Error).name).toBe('ValidationError');
          expect((error as Error).message).toMatch(/^Compute\/Gpu\/S\d+: (instanceTypes|migPartitions|timeSlicing|amiType|operatingSystem|capacityType|dynamicResourceAllocation) = /);
        }
      },
    ), { numRuns: 120 });
  });
});
