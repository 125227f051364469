/**
 * Upgrade safety: the logical ids and types of every stateful resource of the reference
 * platform are committed (stateful-resources.json). A changed logical id makes CloudFormation
 * create a new resource and delete (or orphan) the old one: for a bucket, stream, key or
 * database that is data loss or an outage, so any change here must be deliberate.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildReferencePlatform } from '../../bin/reference-platform';
import { synthesizeClean, testApp } from '../harness/synth';

/** Resource types whose replacement loses data or takes the platform down. */
const STATEFUL_TYPES: Record<string, string> = {
  'AWS::S3::Bucket': 'the bucket and every object in it (or an orphaned retained bucket and a new empty one)',
  'AWS::KMS::Key': 'the key; data encrypted with the old key becomes unreadable once it is deleted',
  'AWS::Kinesis::Stream': 'the stream and every record not yet delivered',
  'AWS::KinesisFirehose::DeliveryStream': 'buffered records not yet delivered to the lake',
  'AWS::Glue::Database': 'the database and its table definitions',
  'AWS::EKS::Cluster': 'the cluster and every workload on it',
  'AWS::EKS::Nodegroup': 'every node of the group (running model servers are evicted)',
  'AWS::APS::Workspace': 'every metric stored in the Prometheus workspace',
  'AWS::SageMaker::Endpoint': 'the endpoint (clients fail until a new one is in service)',
  'AWS::SageMaker::FeatureGroup': 'the feature group and its online store',
  'AWS::Logs::LogGroup': 'the logs stored in the group',
  'AWS::SNS::Topic': 'the alarm topic and its subscriptions',
};

const PINNED = path.join(__dirname, 'stateful-resources.json');

type Inventory = Record<string, Record<string, string>>;

function currentInventory(): Inventory {
  const app = testApp();
  buildReferencePlatform(app);
  const assembly = synthesizeClean(app);
  const inventory: Inventory = {};
  for (const stack of assembly.stacksRecursively) {
    const resources = Object.entries(stack.template.Resources as Record<string, { Type: string }>)
      .filter(([, r]) => STATEFUL_TYPES[r.Type] !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    inventory[stack.hierarchicalId] = Object.fromEntries(resources.map(([id, r]) => [id, r.Type]));
  }
  return inventory;
}

test('no stateful resource of the reference platform disappears or changes its logical id or type', () => {
  const pinned: Inventory = JSON.parse(fs.readFileSync(PINNED, 'utf8'));
  const current = currentInventory();
  const problems: string[] = [];
  for (const [stack, resources] of Object.entries(pinned)) {
    for (const [logicalId, type] of Object.entries(resources)) {
      const now = current[stack]?.[logicalId];
      if (now === undefined) {
        problems.push(`${stack}/${logicalId} (${type}) is gone: a deploy would delete or replace ${STATEFUL_TYPES[type]}.`);
      } else if (now !== type) {
        problems.push(`${stack}/${logicalId} changed type ${type} -> ${now}: CloudFormation replaces it, losing ${STATEFUL_TYPES[type]}.`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`Stateful resources changed:\n- ${problems.join('\n- ')}\nIf this is intended (with a migration), update ${PINNED} with:\n${JSON.stringify(current, null, 2)}`);
  }
  // New stateful resources must be pinned too, so their ids are protected from the start.
  expect(current).toEqual(pinned);
});
