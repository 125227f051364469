/**
 * Values of the wrong runtime type, as JavaScript and Python users pass them (strings for
 * arrays, ARNs for roles, enum names for enum values, numbers as strings, NaN, nothing for a
 * required prop), fail at construction with a ValidationError that names the prop path, never
 * with a TypeError or a broken template. The props are drawn for every path of a platform that
 * uses every struct, from the shapes generated from the TypeScript interfaces.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { App, Duration, Lazy, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as fc from 'fast-check';
import {
  AiPlatform, ColumnType, DataLake, FeatureGroup, FeatureType, GpuCluster, InferenceScaling, KubernetesSite, OnPremisesProducerAccess,
  PlatformMonitoring, ProducerTrustSource, SageMakerEndpoint, ScaleToZero, StreamingIngestion, ZoneStorageClass,
} from '../../lib';
import type { TypeShape } from '../../lib/private/prop-types';
import { STRUCT_SHAPES } from '../../lib/private/prop-types.generated';
import { TEST_CA_PEM } from '../data/fixtures';
import { ECR_IMAGE } from '../inference/sagemaker-fixtures';
import { testApp } from '../harness/synth';
import { thrownBy } from '../harness/thrown';

const ROOT = path.resolve(__dirname, '..', '..');

type PathPart = string | number;
interface PropPath {
  readonly parts: PathPart[];
  readonly shape: TypeShape;
  readonly required: boolean;
}

/** A platform whose props reach every struct the platform takes (directly or nested). */
function richPlatformProps(): Record<string, unknown> {
  const service = {
    name: 'llm', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', minReplicas: 1, maxReplicas: 4,
    scaling: InferenceScaling.onQueueDepth(8), env: { LOG_LEVEL: 'info' }, args: ['--max-model-len', '8192'],
    gpuRequirements: { models: ['L4'], minGpuMemory: Size.gibibytes(20) },
    scalingBehavior: { scaleDownStabilization: Duration.minutes(10), pollingInterval: Duration.seconds(30) },
    canary: { modelVersion: 'v2', replicas: 1 },
    maxStartupTime: Duration.minutes(20),
  };
  return {
    cluster: {
      hybridNodes: { remoteNodeCidrs: ['192.168.100.0/24'], remotePodCidrs: ['192.168.128.0/18'], gpuNodes: { gpusPerNode: 4, nodeCount: 2 } },
      systemNodeCount: 2,
    },
    dataLake: {
      zones: [
        { name: 'raw', lifecycle: { transitions: [{ storageClass: ZoneStorageClass.INFREQUENT_ACCESS, after: Duration.days(30) }], noncurrentVersionExpiration: Duration.days(30) } },
        { name: 'curated' }, { name: 'features' }, { name: 'models' },
      ],
    },
    gpuNodeGroups: [{ id: 'L4', options: { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], maxSize: 4 } }],
    inferenceServices: [{ id: 'Llm', modelPrefix: 'llm/v1', service }],
    monitoringOptions: { dashboardName: 'platform', prometheusSelectorLabels: { team: 'ml' } },
    onPremisesSites: [{
      id: 'Lab', gpuCapacity: { gpusPerNode: 8, totalGpus: 16, nodeLabels: { rack: 'a' } },
      trustSource: ProducerTrustSource.fromCertificateBundle(TEST_CA_PEM), rolesAnywhereHelperImage: 'registry.example.com/signing-helper:1.0',
      site: { gpuNodeTaints: [{ key: 'lab/gpu', value: 'true', effect: 'NoSchedule' }] },
    }],
    sageMakerEndpoints: [{
      id: 'Ep', modelPrefix: 'sm/v1',
      endpoint: { image: ECR_IMAGE, instanceType: 'ml.g6e.2xlarge', initialInstanceCount: 1, environment: { A: 'b' } },
    }],
    streams: [{ id: 'Events', options: { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: 2, parquetColumns: [{ name: 'user_id', type: ColumnType.STRING }], bufferingInterval: Duration.minutes(5) } }],
    limits: { managedPoliciesPerRole: 10 },
  };
}

/** Every prop path of `structName` reachable in `value`: each prop, and the props of the structs present. */
function propPaths(structName: string, value: unknown, prefix: PathPart[] = []): PropPath[] {
  const result: PropPath[] = [];
  for (const [name, prop] of Object.entries(STRUCT_SHAPES[structName])) {
    const parts = [...prefix, name];
    result.push({ parts, shape: prop.type, required: prop.required === true });
    const v = (value as Record<string, unknown> | undefined)?.[name];
    const shape = prop.type;
    if (typeof shape === 'object' && 'struct' in shape && v !== undefined) result.push(...propPaths(shape.struct, v, parts));
    if (typeof shape === 'object' && 'array' in shape && Array.isArray(v) && v.length > 0) {
      const item = shape.array;
      if (typeof item === 'object' && 'struct' in item) result.push(...propPaths(item.struct, v[0], [...parts, 0]));
    }
  }
  return result;
}

/** A copy of `root` with the value at `parts` replaced; only the objects on the path are copied. */
function withValue(root: unknown, parts: PathPart[], value: unknown): unknown {
  if (parts.length === 0) return value;
  const [head, ...rest] = parts;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<PathPart, unknown>;
  copy[head] = withValue((root as Record<PathPart, unknown> | undefined)?.[head], rest, value);
  if (value === undefined && rest.length === 0) delete copy[head];
  return copy;
}

const pathText = (parts: PathPart[]) => parts.reduce<string>((text, p) => typeof p === 'number' ? `${text}[${p}]` : text ? `${text}.${p}` : p, '');

/** Values that are not of the shape, each with the path suffix the error must name. */
function wrongValue(shape: TypeShape): fc.Arbitrary<{ value: unknown; suffix: string }> | undefined {
  const at = (arb: fc.Arbitrary<unknown>, suffix = '') => arb.map((value) => ({ value, suffix }));
  const notFinite = fc.constantFrom(NaN, Infinity, -Infinity);
  if (typeof shape === 'string') {
    switch (shape) {
      case 'string': return at(fc.oneof(fc.integer(), notFinite, fc.array(fc.string(), { minLength: 1 }), fc.boolean(), fc.constant({})));
      case 'number': return at(fc.oneof(fc.integer({ min: 0, max: 64 }).map(String), notFinite, fc.constant([2]), fc.boolean()));
      case 'boolean': return at(fc.oneof(fc.constantFrom('true', 'false', 'yes'), fc.integer({ min: 0, max: 1 })));
      case 'duration': return at(fc.oneof(fc.integer({ min: 1, max: 3600 }), fc.constantFrom('5m', 'PT5M', '300'), fc.constant({ seconds: 300 })));
      case 'size': return at(fc.oneof(fc.integer({ min: 1, max: 1024 }), fc.constantFrom('20Gi', '100 GiB')));
      case 'function': return at(fc.string());
      default: return undefined;
    }
  }
  if ('array' in shape) {
    const item = wrongValue(shape.array);
    const whole = at(fc.oneof(fc.constantFrom('a,b', 'g6.xlarge'), fc.integer(), fc.constant({ 0: 'a' })));
    return item ? fc.oneof(whole, item.map(({ value, suffix }) => ({ value: [value], suffix: `[0]${suffix}` }))) : whole;
  }
  if ('map' in shape) {
    const item = wrongValue(shape.map);
    const whole = at(fc.oneof(fc.constant(['a=b']), fc.constant('a=b')));
    return item ? fc.oneof(whole, item.map(({ value, suffix }) => ({ value: { key: value }, suffix: `.key${suffix}` }))) : whole;
  }
  if ('struct' in shape) return at(fc.oneof(fc.string(), fc.integer(), fc.constant([{}])));
  if ('instance' in shape) return at(fc.oneof(fc.constantFrom('arn:aws:iam::111122223333:role/x', 'vpc-0123456789abcdef0'), fc.integer(), fc.constant([])));
  if ('enum' in shape) {
    const values = shape.values.map(String);
    const wrongNames = values.flatMap((v) => [v.toUpperCase(), v.toLowerCase(), v.replace(/-/g, '_').toUpperCase()]).filter((v) => !values.includes(v));
    const typed = typeof shape.values[0] === 'number' ? fc.constantFrom(...values) : fc.integer({ min: 0, max: 3 });
    return at(fc.oneof(...(wrongNames.length ? [fc.constantFrom(...wrongNames)] : []), typed, fc.string().filter((s) => !values.includes(s))));
  }
  if ('literal' in shape) return at(fc.string().filter((s) => !shape.literal.includes(s)));
  return undefined;
}

const platform = (props: unknown) => new AiPlatform(testApp(), 'P', props as never);

describe('props of the wrong runtime type fail at construction, naming the prop', () => {
  const baseline = richPlatformProps();
  const paths = propPaths('AiPlatformProps', baseline);

  test('the rich platform is valid, and its paths reach every struct of the platform', () => {
    expect(thrownBy(() => platform(baseline))).toBeUndefined();
    const reached = new Set<string>(['AiPlatformProps']);
    for (const p of paths) {
      const s = p.shape;
      if (typeof s === 'object' && 'struct' in s) reached.add(s.struct);
      if (typeof s === 'object' && 'array' in s && typeof s.array === 'object' && 'struct' in s.array) reached.add(s.array.struct);
    }
    expect(paths.length).toBeGreaterThan(150);
    // Structs a platform takes that the baseline leaves out (each is checked by its own construct below).
    expect(['GpuClusterProps', 'InferenceServiceOptions', 'StreamingIngestionOptions', 'SageMakerEndpointOptions', 'KubernetesSiteOptions',
      'HybridNodesOptions', 'GpuRequirements', 'ZoneLifecycle', 'ParquetColumn', 'DeclaredGpuCapacity', 'NodeTaint'].filter((s) => !reached.has(s))).toEqual([]);
  });

  test('a required prop left out names the prop and says it is required', () => {
    const required = paths.filter((p) => p.required);
    expect(required.length).toBeGreaterThan(10);
    for (const p of required) {
      const error = thrownBy(() => platform(withValue(baseline, p.parts, undefined)));
      expect({ path: pathText(p.parts), message: error?.message }).toEqual({ path: pathText(p.parts), message: expect.stringContaining(`${pathText(p.parts)} = undefined is required`) });
    }
  });

  test('a wrong-type value anywhere names the prop path and the expected type, never a TypeError', () => {
    const checked = paths.map((p) => ({ p, arb: wrongValue(p.shape) })).filter((x) => x.arb !== undefined);
    expect(checked.length).toBeGreaterThan(150);
    for (const { p, arb } of checked) {
      fc.assert(fc.property(arb!, ({ value, suffix }) => {
        const where = `${pathText(p.parts)}${suffix}`;
        const error = thrownBy(() => platform(withValue(baseline, p.parts, value)));
        expect({ where, name: error?.name, message: error?.message }).toEqual({
          where, name: 'ValidationError', message: expect.stringContaining(`: ${where} = `),
        });
      }), { numRuns: 10 });
    }
  });

  test('an enum name instead of its value says which value to use; NaN is shown as NaN; an ARN for a construct says to import it', () => {
    expect(() => platform({ cluster: { capacityMode: 'AUTO_MODE' } })).toThrow(
      /cluster.capacityMode = "AUTO_MODE" is not a ClusterCapacityMode value. Use ClusterCapacityMode.AUTO_MODE \("auto-mode"\): the enum member's value, not its name/);
    expect(() => platform({ cluster: { systemNodeCount: NaN } })).toThrow(/cluster.systemNodeCount = NaN is not a finite number. Pass a finite number./);
    expect(() => platform({ monitoringOptions: { alarmTopic: 'arn:aws:sns:eu-west-1:111122223333:alerts' } })).toThrow(
      /monitoringOptions.alarmTopic = "arn:aws:sns:.*" is a string, not a sns.ITopic. Pass a sns.ITopic. To use an existing resource by ARN, import it first \(e.g. sns.Topic.from...Arn\)/);
    expect(() => platform({ gpuNodeGroups: [{ id: 'G', options: { instanceTypes: 'g6.xlarge' } }] })).toThrow(
      /gpuNodeGroups\[0\].options.instanceTypes = "g6.xlarge" is a string, not an array of ec2.InstanceTypes/);
  });

  test('tokens pass the type check', () => {
    const tokens = withValue(withValue(baseline, ['cluster', 'systemNodeCount'], Lazy.number({ produce: () => 2 })),
      ['inferenceServices', 0, 'service', 'image'], Lazy.string({ produce: () => 'vllm/vllm-openai:v0.11.0' }));
    expect(thrownBy(() => platform(tokens))).toBeUndefined();
  });
});

describe('every public construct checks its props', () => {
  const stack = () => new Stack(new App(), 'S');
  const constructs: Array<[string, (props: unknown) => unknown]> = [
    ['AiPlatform', (props) => new AiPlatform(testApp(), 'P', props as never)],
    ['GpuCluster', (props) => new GpuCluster(stack(), 'C', props as never)],
    ['DataLake', (props) => new DataLake(stack(), 'L', props as never)],
    ['StreamingIngestion', (props) => new StreamingIngestion(stack(), 'I', props as never)],
    ['FeatureGroup', (props) => new FeatureGroup(stack(), 'F', props as never)],
    ['SageMakerEndpoint', (props) => new SageMakerEndpoint(stack(), 'E', props as never)],
    ['KubernetesSite', (props) => new KubernetesSite(stack(), 'K', props as never)],
    ['OnPremisesProducerAccess', (props) => new OnPremisesProducerAccess(stack(), 'O', props as never)],
    ['PlatformMonitoring', (props) => new PlatformMonitoring(stack(), 'M', props as never)],
  ];
  test.each(constructs)('%s: props that are not an object fail with the prop named', (_, build) => {
    expect(() => build('props')).toThrow(/: props = "props" is a string, not an object/);
    expect(() => build([])).toThrow(/: props = \[\] is an array, not an object/);
  });

  test('nested structs of the leaf constructs are checked too', () => {
    expect(() => new StreamingIngestion(stack(), 'I', {} as never)).toThrow(/destination = undefined is required/);
    expect(() => new FeatureGroup(stack(), 'F', { featureGroupName: 'f', recordIdentifierFeatureName: 'id', eventTimeFeatureName: 'ts', features: [{ name: 'id', type: 'string' }] } as never))
      .toThrow(/features\[0\].type = "string" is not a FeatureType value. Use FeatureType.STRING \("String"\)/);
    expect(FeatureType.STRING).toBe('String');
    expect(() => new GpuCluster(stack(), 'C', { hybridNodes: { remoteNodeCidrs: '10.0.0.0/8' } } as never))
      .toThrow(/hybridNodes.remoteNodeCidrs = "10.0.0.0\/8" is a string, not an array of strings/);
    expect(() => new KubernetesSite(stack(), 'K', { gpuCapacity: { gpusPerNode: '8', totalGpus: 8 } } as never))
      .toThrow(/gpuCapacity.gpusPerNode = "8" is a string, not a finite number/);
    expect(() => ScaleToZero.onRequest()).not.toThrow();
  });
});

test('the generated prop shapes are current (npm run generate)', () => {
  expect(() => execFileSync(process.execPath, [path.join(ROOT, 'tools', 'generate-prop-types.mjs'), '--check'], { cwd: ROOT, stdio: 'pipe' }))
    .not.toThrow();
}, 120_000);
