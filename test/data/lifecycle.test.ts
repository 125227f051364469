import { Duration, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { errorOf, stackFixture } from './fixtures';
import { DataLake, DataLakeZoneProps, ZoneLifecycle, ZoneStorageClass, ZoneTransition } from '../../lib/data';

function lakeWith(zones: DataLakeZoneProps[]) {
  const { stack } = stackFixture();
  return { stack, build: () => new DataLake(stack, 'Lake', { zones }) };
}

function lifecycleError(lifecycle: ZoneLifecycle): Error {
  return errorOf(lakeWith([{ name: 'raw', lifecycle }]).build);
}

const days = (n: number) => Duration.days(n);
const t = (storageClass: ZoneStorageClass, after: number): ZoneTransition => ({ storageClass, after: days(after) });

describe('zone names', () => {
  test.each(['Raw', 'raw_zone', '-raw', 'raw-', 'ra--w', '1raw', '', 'a'.repeat(25)])('rejects %p naming the prop, the value and the fix', (name) => {
    const error = errorOf(lakeWith([{ name }]).build);
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain(`zones[0].name = ${JSON.stringify(name)} is invalid`);
    expect(error.message).toMatch(/Use a value such as "curated"/);
  });

  test.each(['r', 'raw', 'gold-2', 'a'.repeat(24)])('accepts %p', (name) => {
    expect(lakeWith([{ name }]).build).not.toThrow();
  });

  test('rejects duplicate zones', () => {
    const error = errorOf(lakeWith([{ name: 'raw' }, { name: 'curated' }, { name: 'raw' }]).build);
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(/zones = .* contains "raw" twice\. Give each entry of zones a distinct value\./);
  });

  test('rejects an empty zone list and token names', () => {
    expect(errorOf(lakeWith([]).build).message).toMatch(/zones = \[\] is empty/);
    expect(errorOf(lakeWith([{ name: Token.asString({ Ref: 'P' }) }]).build).message).toMatch(/zones\[0\]\.name = .* is a token/);
  });
});

describe('lifecycle rules', () => {
  test('Standard-IA below 30 days', () => {
    const error = lifecycleError({ transitions: [t(ZoneStorageClass.INFREQUENT_ACCESS, 10)] });
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(/zones\[0\]\.lifecycle\.transitions\[0\]\.after = "10 days" is below the S3 minimum of 30 days for STANDARD_IA\. Set .* to Duration\.days\(30\) or more/);
  });

  test('One Zone-IA below 30 days', () => {
    expect(lifecycleError({ transitions: [t(ZoneStorageClass.ONE_ZONE_INFREQUENT_ACCESS, 29)] }).message).toMatch(/below the S3 minimum of 30 days for ONEZONE_IA/);
  });

  test('transitions out of waterfall order', () => {
    const error = lifecycleError({ transitions: [t(ZoneStorageClass.GLACIER, 30), t(ZoneStorageClass.INTELLIGENT_TIERING, 60)] });
    expect(error.message).toMatch(/transitions\[1\]\.storageClass = "INTELLIGENT_TIERING" cannot follow GLACIER/);
  });

  test('ages that do not increase', () => {
    const error = lifecycleError({ transitions: [t(ZoneStorageClass.INTELLIGENT_TIERING, 60), t(ZoneStorageClass.GLACIER, 60)] });
    expect(error.message).toMatch(/transitions\[1\]\.after = "60 days" is out of order .*ages must increase.*Duration\.days\(61\)/);
  });

  test('next transition less than 30 days after Standard-IA', () => {
    const error = lifecycleError({ transitions: [t(ZoneStorageClass.INFREQUENT_ACCESS, 30), t(ZoneStorageClass.GLACIER, 45)] });
    expect(error.message).toMatch(/STANDARD_IA objects must stay 30 days before the next transition.*Duration\.days\(60\)/);
  });

  test('One Zone-IA cannot go to Glacier Instant Retrieval', () => {
    const error = lifecycleError({ transitions: [t(ZoneStorageClass.ONE_ZONE_INFREQUENT_ACCESS, 30), t(ZoneStorageClass.GLACIER_INSTANT_RETRIEVAL, 90)] });
    expect(error.message).toMatch(/GLACIER_IR" cannot follow ONEZONE_IA/);
  });

  test('expiration before the last transition', () => {
    const error = lifecycleError({ transitions: [t(ZoneStorageClass.GLACIER, 90)], expiration: days(60) });
    expect(error.message).toMatch(/zones\[0\]\.lifecycle\.expiration = "60 days" is not after the last transition/);
  });

  test('fractional days and zero-day expiries', () => {
    expect(lifecycleError({ transitions: [{ storageClass: ZoneStorageClass.GLACIER, after: Duration.hours(36) }] }).message)
      .toMatch(/after = "1 day 12 hours" is not a whole number of days/);
    expect(lifecycleError({ noncurrentVersionExpiration: days(0) }).message).toMatch(/noncurrentVersionExpiration = "0 days" is not a whole number of days >= 1/);
    expect(lifecycleError({ abortIncompleteMultipartUploadAfter: Duration.hours(2) }).message).toMatch(/abortIncompleteMultipartUploadAfter/);
  });

  test('unknown storage classes', () => {
    const error = lifecycleError({ transitions: [{ storageClass: 'STANDARD' as ZoneStorageClass, after: days(1) }] });
    expect(error.message).toMatch(/storageClass = "STANDARD" is not a ZoneStorageClass value\. Use one of ZoneStorageClass\.INFREQUENT_ACCESS/);
  });

  test('tokens pass validation', () => {
    const tokenDays = Duration.days(Token.asNumber({ Ref: 'Days' }));
    expect(lakeWith([{ name: 'raw', lifecycle: {
      transitions: [{ storageClass: ZoneStorageClass.INFREQUENT_ACCESS, after: tokenDays }, t(ZoneStorageClass.GLACIER, 5)],
      noncurrentVersionExpiration: tokenDays,
      expiration: tokenDays,
    } }]).build).not.toThrow();
  });

  test('an empty transition list keeps objects in S3 Standard', () => {
    const { stack, build } = lakeWith([{ name: 'raw', lifecycle: { transitions: [] } }]);
    build();
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'))
      .map((b) => (b as { Properties: { LifecycleConfiguration: { Rules: Array<Record<string, unknown>> } } }).Properties.LifecycleConfiguration.Rules[0])
      .find((r) => r.Id === 'zone-tiering')!;
    expect(rules.Transitions).toBeUndefined();
    expect(rules.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 30 });
  });
});

const storageClasses = Object.values(ZoneStorageClass);
const dayCounts = fc.oneof(fc.integer({ min: 0, max: 400 }), fc.double({ min: 0, max: 400, noNaN: true }));
const anyTransition = fc.record({
  storageClass: fc.oneof(fc.constantFrom(...storageClasses), fc.constant('REDUCED_REDUNDANCY' as ZoneStorageClass)),
  after: dayCounts.map((n) => Duration.hours(Math.round(n * 24 * 100) / 100)),
});
const anyLifecycle: fc.Arbitrary<ZoneLifecycle> = fc.record({
  transitions: fc.option(fc.array(anyTransition, { maxLength: 4 }), { nil: undefined }),
  noncurrentVersionExpiration: fc.option(dayCounts.map((n) => Duration.hours(Math.round(n * 24))), { nil: undefined }),
  abortIncompleteMultipartUploadAfter: fc.option(fc.integer({ min: 0, max: 30 }).map(days), { nil: undefined }),
  expiration: fc.option(fc.integer({ min: 0, max: 800 }).map(days), { nil: undefined }),
});
const anyZoneName = fc.oneof(
  fc.constantFrom('raw', 'curated', 'features', 'models', 'gold'),
  fc.stringMatching(/^[a-zA-Z0-9_-]{0,26}$/),
);

describe('property: DataLake props either synthesize or fail with a ValidationError naming the prop', () => {
  test('random zones and lifecycles', () => {
    fc.assert(fc.property(fc.array(fc.record({ name: anyZoneName, lifecycle: fc.option(anyLifecycle, { nil: undefined }) }), { minLength: 0, maxLength: 3 }), (zones) => {
      const { stack, build } = lakeWith(zones);
      let error: Error | undefined;
      try {
        build();
      } catch (e) {
        error = e as Error;
      }
      if (error) {
        expect(error).not.toBeInstanceOf(TypeError);
        expect(error.name).toBe('ValidationError');
        expect(error.message).toMatch(/: zones(\[\d+\]\.(name|lifecycle\.\w+(\[\d+\]\.\w+)?))? = /);
      } else {
        expect(() => Template.fromStack(stack)).not.toThrow();
      }
    }), { numRuns: 150 });
  });

  test('well-formed lifecycles always synthesize with the given transitions', () => {
    // Builds a waterfall-ordered list with legal gaps, so the oracle knows it is valid.
    const wellFormed = fc.tuple(fc.subarray(storageClasses, { minLength: 0 }), fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 6, maxLength: 6 }))
      .map(([classes, gaps]) => {
        const chosen = classes.filter((c, i) => !(c === ZoneStorageClass.GLACIER_INSTANT_RETRIEVAL && classes[i - 1] === ZoneStorageClass.ONE_ZONE_INFREQUENT_ACCESS));
        let age = 0;
        let previous: ZoneStorageClass | undefined;
        return chosen.map((storageClass, i) => {
          const minGap = previous === ZoneStorageClass.INFREQUENT_ACCESS || previous === ZoneStorageClass.ONE_ZONE_INFREQUENT_ACCESS ? 30 : 1;
          age = i === 0 ? gaps[i] : age + minGap + gaps[i];
          if (storageClass === ZoneStorageClass.INFREQUENT_ACCESS || storageClass === ZoneStorageClass.ONE_ZONE_INFREQUENT_ACCESS) age = Math.max(age, 30);
          previous = storageClass;
          return { storageClass, after: days(age) };
        });
      });
    fc.assert(fc.property(wellFormed, (transitions) => {
      const { stack, build } = lakeWith([{ name: 'raw', lifecycle: { transitions } }]);
      build();
      const rule = Template.fromStack(stack).toJSON().Resources.LakeZonerawBucketD7F34696.Properties.LifecycleConfiguration.Rules[0];
      expect(rule.Transitions ?? []).toEqual(transitions.map((x) => ({ StorageClass: x.storageClass, TransitionInDays: x.after.toDays() })));
    }), { numRuns: 60 });
  });
});
