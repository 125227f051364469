/**
 * Property tests of SageMakerEndpoint validation: random props either construct or throw a
 * ValidationError that names the offending prop; never a TypeError or another crash.
 */
import { Duration } from 'aws-cdk-lib';
import fc from 'fast-check';
import { TrafficRouting } from '../../lib/inference/sagemaker-deployment';
import { SageMakerEndpoint } from '../../lib/inference/sagemaker-endpoint';
import { DataCaptureContent, SAGEMAKER_NAME_PATTERN } from '../../lib/inference/sagemaker-endpoint-props';
import { isHostingInstanceType } from '../../lib/inference/sagemaker-instance-types';
import { EndpointScaling } from '../../lib/inference/sagemaker-scaling';
import { endpointFixture, minimalProps } from './sagemaker-fixtures';

const PROPS = [
  'instanceType', 'endpointName', 'variantName', 'inferenceComponent.name', 'modelData.prefix', 'dataCapture.prefix',
  'dataCapture.samplingPercentage', 'scaling.target', 'scaling.minCapacity', 'scaling.maxCapacity', 'initialInstanceCount',
  'inferenceComponent.initialCopyCount', 'inferenceComponent.acceleratorsPerCopy', 'deployment.trafficRouting',
  'deployment.trafficRouting.sizePercent', 'deployment.trafficRouting.wait', 'deployment.terminationWait',
  'deployment.maximumExecutionTimeout',
];

const instanceType = fc.oneof(
  fc.constantFrom('ml.g5.xlarge', 'ml.g6e.12xlarge', 'ml.p5.48xlarge', 'ml.inf2.xlarge', 'ml.c7i.large', 'ml.m7i.2xlarge', 'ml.p4d.24xlarge'),
  fc.constantFrom('g5.xlarge', 'ml.x1.large', 'ml.g5.3xlarge', '', 'ML.G5.XLARGE'),
  fc.string({ maxLength: 20 }),
);
const name = fc.oneof(fc.stringMatching(/^[a-zA-Z0-9](-?[a-zA-Z0-9]){0,20}$/), fc.string({ maxLength: 70 }));
const prefix = fc.oneof(fc.constantFrom('llama/v1', 'models/x/', '', '/abs', 's3://b/k', 'a*'), fc.string({ maxLength: 20 }));
const int = fc.oneof(fc.integer({ min: -2, max: 120 }), fc.double({ noNaN: false }));
const duration = fc.integer({ min: 0, max: 40_000 }).map((s) => Duration.seconds(s));
const routing = fc.oneof(
  duration.map((d) => TrafficRouting.allAtOnce(d)),
  fc.tuple(int, duration).map(([size, d]) => TrafficRouting.canary(size, d)),
  fc.tuple(int, duration).map(([size, d]) => TrafficRouting.linear(size, d)),
);

const props = fc.record({
  instanceType,
  endpointName: fc.option(name, { nil: undefined }),
  variantName: fc.option(name, { nil: undefined }),
  modelPrefix: prefix,
  capture: fc.option(fc.record({ prefix, samplingPercentage: fc.option(int, { nil: undefined }), content: fc.constantFrom(...Object.values(DataCaptureContent)) }), { nil: undefined }),
  concurrency: fc.boolean(),
  target: fc.oneof(fc.double({ min: -1, max: 500 }), fc.constant(Number.NaN)),
  minCapacity: fc.option(int, { nil: undefined }),
  maxCapacity: fc.option(int, { nil: undefined }),
  initialInstanceCount: fc.option(int, { nil: undefined }),
  inferenceComponent: fc.option(fc.record({
    name: fc.option(name, { nil: undefined }),
    initialCopyCount: fc.option(int, { nil: undefined }),
    acceleratorsPerCopy: fc.option(int, { nil: undefined }),
  }), { nil: undefined }),
  deployment: fc.option(fc.record({
    trafficRouting: fc.option(routing, { nil: undefined }),
    terminationWait: fc.option(duration, { nil: undefined }),
    maximumExecutionTimeout: fc.option(duration, { nil: undefined }),
  }), { nil: undefined }),
});

describe('SageMakerEndpoint validation properties', () => {
  test('random props synthesize or throw a ValidationError naming the prop', () => {
    fc.assert(fc.property(props, (p) => {
      const { stack, models, raw } = endpointFixture();
      const scalingOptions = { minCapacity: p.minCapacity, maxCapacity: p.maxCapacity };
      try {
        new SageMakerEndpoint(stack, 'Llm', minimalProps(models, {
          instanceType: p.instanceType,
          endpointName: p.endpointName,
          variantName: p.variantName,
          modelData: { zone: models, prefix: p.modelPrefix },
          dataCapture: p.capture && { zone: raw, prefix: p.capture.prefix, samplingPercentage: p.capture.samplingPercentage, captureContent: p.capture.content },
          scaling: p.concurrency ? EndpointScaling.concurrency(p.target, scalingOptions) : EndpointScaling.invocationsPerInstance(p.target, scalingOptions),
          initialInstanceCount: p.initialInstanceCount,
          inferenceComponent: p.inferenceComponent,
          deployment: p.deployment,
        }));
      } catch (error) {
        const e = error as Error;
        expect(e.name).toBe('ValidationError');
        expect(PROPS.some((prop) => e.message.startsWith(`S/Llm: ${prop} = `))).toBe(true);
      }
    }), { numRuns: 300 });
  });

  test('valid names and hosting instance types always pass', () => {
    fc.assert(fc.property(
      fc.stringMatching(/^[a-zA-Z0-9](-?[a-zA-Z0-9]){0,30}$/),
      fc.constantFrom('ml.g5.xlarge', 'ml.g6.48xlarge', 'ml.g6e.xlarge', 'ml.p4d.24xlarge', 'ml.p5.48xlarge', 'ml.inf2.48xlarge', 'ml.c7i.xlarge', 'ml.m7i.large'),
      (endpointName, type) => {
        expect(endpointName).toMatch(SAGEMAKER_NAME_PATTERN);
        expect(isHostingInstanceType(type)).toBe(true);
        const { stack, models } = endpointFixture();
        expect(() => new SageMakerEndpoint(stack, 'Llm', minimalProps(models, { endpointName, instanceType: type }))).not.toThrow();
      }), { numRuns: 50 });
  });
});
