import * as glue from 'aws-cdk-lib/aws-glue';
import { encryptedTopic, stackFixture, TEST_CA_PEM } from './fixtures';
import { DataLake, FeatureGroup, FeatureType, OnPremisesProducerAccess, ProducerTrustSource, StreamingIngestion } from '../../lib/data';
import { expectNagClean } from '../harness/nag';
import { cleanTemplate } from '../harness/synth';

/** The data side of the platform in one stack: lake, two ingestions, a feature group, on-prem producers. */
function compositeStack() {
  const { app, stack } = stackFixture();
  const lake = new DataLake(stack, 'Lake');
  const alerts = encryptedTopic(stack);
  const clicks = new StreamingIngestion(stack, 'Clicks', { destination: lake.zone('raw'), alarmTopic: alerts, partitionKeyExpression: '.tenant', partitionKeyName: 'tenant' });
  const schema = new glue.CfnTable(stack, 'OrdersTable', {
    catalogId: stack.account,
    databaseName: lake.zone('curated').databaseName!,
    tableInput: { name: 'orders', storageDescriptor: { columns: [{ name: 'order_id', type: 'string' }, { name: 'amount', type: 'double' }] } },
  });
  new StreamingIngestion(stack, 'Orders', { destination: lake.zone('curated'), alarmTopic: alerts, parquetSchema: schema });
  new FeatureGroup(stack, 'CustomerFeatures', {
    featureGroupName: 'customer-features', recordIdentifierFeatureName: 'customer_id', eventTimeFeatureName: 'event_time',
    features: [{ name: 'customer_id', type: FeatureType.STRING }, { name: 'event_time', type: FeatureType.STRING }, { name: 'clicks_7d', type: FeatureType.INTEGRAL }],
    offlineStoreZone: lake.zone('features'), onlineStore: true,
  });
  const factory = new OnPremisesProducerAccess(stack, 'FactoryProducers', { trustSource: ProducerTrustSource.fromCertificateBundle(TEST_CA_PEM) });
  clicks.grantWrite(factory);
  return { app, stack };
}

describe('composite data stack', () => {
  test('synthesizes cleanly and matches the snapshot', () => {
    const { stack } = compositeStack();
    const template = cleanTemplate(stack);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('is cdk-nag clean', () => {
    const { app } = compositeStack();
    expect(() => expectNagClean(app)).not.toThrow();
  });
});
