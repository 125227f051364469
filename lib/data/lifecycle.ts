/**
 * Lifecycle tiering of a data-lake zone: storage-class transitions, expiry of noncurrent
 * versions and of incomplete multipart uploads, with the defaults of each built-in zone and
 * the S3 rules a configuration must follow to deploy.
 *
 * S3 rules checked here (Amazon S3 User Guide, "Transitioning objects using Amazon S3
 * Lifecycle", and the S3 API `Transition` type):
 * - transitions follow the waterfall STANDARD_IA -> INTELLIGENT_TIERING -> ONEZONE_IA ->
 *   GLACIER_IR -> GLACIER -> DEEP_ARCHIVE (ONEZONE_IA cannot go to GLACIER_IR);
 * - STANDARD_IA and ONEZONE_IA need objects at least 30 days old;
 * - after a STANDARD_IA / ONEZONE_IA transition the next one comes at least 30 days later
 *   (their minimum storage duration);
 * - expiration comes after the last transition.
 */
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { PropValidationError } from '../private/errors';
import { checkWholeDays } from '../private/validation';

/** S3 storage classes a zone can tier objects into, in the order S3 allows transitions. */
export enum ZoneStorageClass {
  /** S3 Standard-IA (objects at least 30 days old). */
  INFREQUENT_ACCESS = 'STANDARD_IA',
  /** S3 Intelligent-Tiering: automatic tiering for unknown access patterns. */
  INTELLIGENT_TIERING = 'INTELLIGENT_TIERING',
  /** S3 One Zone-IA (objects at least 30 days old; one Availability Zone). */
  ONE_ZONE_INFREQUENT_ACCESS = 'ONEZONE_IA',
  /** S3 Glacier Instant Retrieval (millisecond reads, 90-day minimum storage charge). */
  GLACIER_INSTANT_RETRIEVAL = 'GLACIER_IR',
  /** S3 Glacier Flexible Retrieval (restore before reading, 90-day minimum storage charge). */
  GLACIER = 'GLACIER',
  /** S3 Glacier Deep Archive (restore in hours, 180-day minimum storage charge). */
  DEEP_ARCHIVE = 'DEEP_ARCHIVE',
}

/** One storage-class transition of current object versions. */
export interface ZoneTransition {
  /** Storage class the objects move to. */
  readonly storageClass: ZoneStorageClass;
  /** Age of the objects (since creation) when they move; whole days. */
  readonly after: Duration;
}

/**
 * Lifecycle of one zone. Every field you leave out takes the zone's default (the built-in
 * zones raw, curated, features and models each have their own; other zone names share one,
 * see each field); a field you set replaces that default field as a whole.
 */
export interface ZoneLifecycle {
  /**
   * Storage-class transitions of current versions, in waterfall order with increasing ages.
   * An empty list keeps objects in S3 Standard.
   *
   * @default - raw: Standard-IA after 30 days, Glacier Flexible Retrieval after 90 days;
   * curated: Intelligent-Tiering after 30 days, Glacier Instant Retrieval after 180 days;
   * features, models and other zones: Intelligent-Tiering after 30 days
   */
  readonly transitions?: ZoneTransition[];
  /**
   * How long a noncurrent (overwritten or deleted) object version is kept before it expires.
   *
   * @default - 30 days in the raw and features zones, 180 days in models, 90 days in curated
   * and other zones
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long an incomplete multipart upload is kept before S3 aborts it and frees its parts.
   *
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUploadAfter?: Duration;
  /**
   * Age at which current object versions expire (become noncurrent).
   *
   * @default - objects never expire
   */
  readonly expiration?: Duration;
}

/** Zones a DataLake creates when `zones` is not given. */
export const DEFAULT_ZONE_NAMES: readonly string[] = ['raw', 'curated', 'features', 'models'];

/** Incomplete multipart uploads are aborted after this many days in every zone. */
export const DEFAULT_ABORT_INCOMPLETE_MULTIPART_UPLOAD_AFTER = Duration.days(7);

/** Noncurrent versions expire after this long in zones without a specific default. */
export const DEFAULT_NONCURRENT_VERSION_EXPIRATION = Duration.days(90);

/** Lifecycle of zones whose name is not one of DEFAULT_ZONE_NAMES. */
export const DEFAULT_CUSTOM_ZONE_LIFECYCLE: ZoneLifecycle = {
  transitions: [{ storageClass: ZoneStorageClass.INTELLIGENT_TIERING, after: Duration.days(30) }],
  noncurrentVersionExpiration: DEFAULT_NONCURRENT_VERSION_EXPIRATION,
  abortIncompleteMultipartUploadAfter: DEFAULT_ABORT_INCOMPLETE_MULTIPART_UPLOAD_AFTER,
};

/**
 * Lifecycle defaults of the built-in zones.
 * - raw: landed data is re-read rarely once curated: Standard-IA after 30 days, Glacier
 *   Flexible Retrieval after 90 days; overwritten versions kept 30 days.
 * - curated: queried with changing patterns: Intelligent-Tiering after 30 days, Glacier
 *   Instant Retrieval after 180 days; versions kept 90 days.
 * - features: read by training jobs: Intelligent-Tiering after 30 days; versions kept 30 days.
 * - models: artifacts read on every deployment: Intelligent-Tiering after 30 days; versions
 *   kept 180 days so older models stay available for rollback.
 */
export const DEFAULT_ZONE_LIFECYCLES: { readonly [zone: string]: ZoneLifecycle } = {
  raw: {
    transitions: [
      { storageClass: ZoneStorageClass.INFREQUENT_ACCESS, after: Duration.days(30) },
      { storageClass: ZoneStorageClass.GLACIER, after: Duration.days(90) },
    ],
    noncurrentVersionExpiration: Duration.days(30),
    abortIncompleteMultipartUploadAfter: DEFAULT_ABORT_INCOMPLETE_MULTIPART_UPLOAD_AFTER,
  },
  curated: {
    transitions: [
      { storageClass: ZoneStorageClass.INTELLIGENT_TIERING, after: Duration.days(30) },
      { storageClass: ZoneStorageClass.GLACIER_INSTANT_RETRIEVAL, after: Duration.days(180) },
    ],
    noncurrentVersionExpiration: DEFAULT_NONCURRENT_VERSION_EXPIRATION,
    abortIncompleteMultipartUploadAfter: DEFAULT_ABORT_INCOMPLETE_MULTIPART_UPLOAD_AFTER,
  },
  features: {
    transitions: [{ storageClass: ZoneStorageClass.INTELLIGENT_TIERING, after: Duration.days(30) }],
    noncurrentVersionExpiration: Duration.days(30),
    abortIncompleteMultipartUploadAfter: DEFAULT_ABORT_INCOMPLETE_MULTIPART_UPLOAD_AFTER,
  },
  models: {
    transitions: [{ storageClass: ZoneStorageClass.INTELLIGENT_TIERING, after: Duration.days(30) }],
    noncurrentVersionExpiration: Duration.days(180),
    abortIncompleteMultipartUploadAfter: DEFAULT_ABORT_INCOMPLETE_MULTIPART_UPLOAD_AFTER,
  },
};

/** Minimum object age (days) for Standard-IA / One Zone-IA, and their minimum storage duration. */
export const INFREQUENT_ACCESS_MINIMUM_DAYS = 30;

const WATERFALL: readonly ZoneStorageClass[] = [
  ZoneStorageClass.INFREQUENT_ACCESS,
  ZoneStorageClass.INTELLIGENT_TIERING,
  ZoneStorageClass.ONE_ZONE_INFREQUENT_ACCESS,
  ZoneStorageClass.GLACIER_INSTANT_RETRIEVAL,
  ZoneStorageClass.GLACIER,
  ZoneStorageClass.DEEP_ARCHIVE,
];

const INFREQUENT_ACCESS_CLASSES = new Set([ZoneStorageClass.INFREQUENT_ACCESS, ZoneStorageClass.ONE_ZONE_INFREQUENT_ACCESS]);

/** The zone's lifecycle: the user's fields over the zone's defaults. */
export function effectiveLifecycle(zoneName: string, lifecycle: ZoneLifecycle | undefined): ZoneLifecycle {
  const defaults = DEFAULT_ZONE_LIFECYCLES[zoneName] ?? DEFAULT_CUSTOM_ZONE_LIFECYCLE;
  return {
    transitions: lifecycle?.transitions ?? defaults.transitions,
    noncurrentVersionExpiration: lifecycle?.noncurrentVersionExpiration ?? defaults.noncurrentVersionExpiration,
    abortIncompleteMultipartUploadAfter: lifecycle?.abortIncompleteMultipartUploadAfter ?? defaults.abortIncompleteMultipartUploadAfter,
    expiration: lifecycle?.expiration ?? defaults.expiration,
  };
}

function knownDays(d: Duration): number | undefined {
  return d.isUnresolved() ? undefined : d.toDays({ integral: false });
}

/**
 * Throws a PropValidationError naming `<prop>.<field>` when the lifecycle cannot deploy.
 * Unresolved durations are skipped.
 */
export function validateLifecycle(scope: IConstruct, prop: string, lifecycle: ZoneLifecycle): void {
  const transitions = lifecycle.transitions ?? [];
  if (!Array.isArray(transitions)) {
    throw new PropValidationError(scope, `${prop}.transitions`, transitions, 'is not a list', 'Pass an array of { storageClass, after }.');
  }
  let previous: { name: string; rank: number; days?: number; storageClass: ZoneStorageClass } | undefined;
  transitions.forEach((t, i) => {
    const name = `${prop}.transitions[${i}]`;
    const rank = WATERFALL.indexOf(t?.storageClass);
    if (rank < 0) {
      throw new PropValidationError(scope, `${name}.storageClass`, t?.storageClass, 'is not a ZoneStorageClass', `Use one of ${WATERFALL.map((c) => `ZoneStorageClass.${enumKey(c)}`).join(', ')}.`);
    }
    if (!(t.after instanceof Duration)) {
      throw new PropValidationError(scope, `${name}.after`, t.after, 'is not a Duration', 'Use Duration.days(n).');
    }
    checkWholeDays(scope, `${name}.after`, t.after);
    const days = knownDays(t.after);
    if (days !== undefined && INFREQUENT_ACCESS_CLASSES.has(t.storageClass) && days < INFREQUENT_ACCESS_MINIMUM_DAYS) {
      throw new PropValidationError(scope, `${name}.after`, t.after.toHumanString(), `is below the S3 minimum of ${INFREQUENT_ACCESS_MINIMUM_DAYS} days for ${t.storageClass}`,
        `Set ${name}.after to Duration.days(${INFREQUENT_ACCESS_MINIMUM_DAYS}) or more, or use ZoneStorageClass.INTELLIGENT_TIERING, which has no minimum age.`);
    }
    if (previous) {
      if (rank <= previous.rank) {
        throw new PropValidationError(scope, `${name}.storageClass`, t.storageClass, `cannot follow ${previous.storageClass} (${previous.name})`,
          `List transitions in the S3 waterfall order ${WATERFALL.join(' -> ')}, each class at most once.`);
      }
      if (previous.storageClass === ZoneStorageClass.ONE_ZONE_INFREQUENT_ACCESS && t.storageClass === ZoneStorageClass.GLACIER_INSTANT_RETRIEVAL) {
        throw new PropValidationError(scope, `${name}.storageClass`, t.storageClass, 'cannot follow ONEZONE_IA (S3 does not support this transition)',
          'Transition ONEZONE_IA objects to GLACIER or DEEP_ARCHIVE instead.');
      }
      if (days !== undefined && previous.days !== undefined) {
        const gap = INFREQUENT_ACCESS_CLASSES.has(previous.storageClass) ? INFREQUENT_ACCESS_MINIMUM_DAYS : 1;
        if (days < previous.days + gap) {
          const why = gap > 1 ? `${previous.storageClass} objects must stay ${gap} days before the next transition` : 'ages must increase';
          throw new PropValidationError(scope, `${name}.after`, t.after.toHumanString(), `is out of order after ${previous.name} (${previous.days} days): ${why}`,
            `Set ${name}.after to Duration.days(${previous.days + gap}) or more.`);
        }
      }
    }
    previous = { name, rank, days: days ?? previous?.days, storageClass: t.storageClass };
  });

  checkWholeDays(scope, `${prop}.noncurrentVersionExpiration`, lifecycle.noncurrentVersionExpiration, 1);
  checkWholeDays(scope, `${prop}.abortIncompleteMultipartUploadAfter`, lifecycle.abortIncompleteMultipartUploadAfter, 1);
  checkWholeDays(scope, `${prop}.expiration`, lifecycle.expiration, 1);
  const expirationDays = lifecycle.expiration ? knownDays(lifecycle.expiration) : undefined;
  const last = previous as { name: string; days?: number } | undefined;
  if (expirationDays !== undefined && last?.days !== undefined && expirationDays <= last.days) {
    throw new PropValidationError(scope, `${prop}.expiration`, lifecycle.expiration!.toHumanString(), `is not after the last transition (${last.name}, ${last.days} days)`,
      `Set ${prop}.expiration to Duration.days(${last.days + 1}) or more, or remove the later transitions.`);
  }
}

function enumKey(value: ZoneStorageClass): string {
  return Object.entries(ZoneStorageClass).find(([, v]) => v === value)![0];
}

/** The S3 lifecycle rule of a validated zone lifecycle. */
export function lifecycleRule(lifecycle: ZoneLifecycle): s3.LifecycleRule {
  const transitions = lifecycle.transitions ?? [];
  return {
    id: 'zone-tiering',
    enabled: true,
    transitions: transitions.length > 0
      ? transitions.map((t) => ({ storageClass: new s3.StorageClass(t.storageClass), transitionAfter: t.after }))
      : undefined,
    noncurrentVersionExpiration: lifecycle.noncurrentVersionExpiration,
    abortIncompleteMultipartUploadAfter: lifecycle.abortIncompleteMultipartUploadAfter,
    expiration: lifecycle.expiration,
  };
}
