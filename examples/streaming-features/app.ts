/**
 * Example 3: click events stream into the lake's raw zone, partitioned by time and by event
 * type, from producers in AWS and on-premises (IAM Roles Anywhere, no long-lived keys); a
 * SageMaker Feature Store group keeps per-customer features in the features zone for a model.
 *
 * Context `onPremisesCaBundle` (required): the PEM of the on-premises producers' CA.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DataLake, FeatureGroup, FeatureType, OnPremisesProducerAccess, ProducerTrustSource, StreamingIngestion } from 'cdk-scalable-ai';

export function buildStreamingFeaturesExample(scope: Construct): Stack {
  const caBundle: string | undefined = scope.node.tryGetContext('onPremisesCaBundle');
  if (!caBundle) throw new Error('Pass the producers\' CA bundle: -c onPremisesCaBundle="$(cat ca.pem)"');
  const stack = new Stack(scope, 'StreamingFeatures');
  const lake = new DataLake(stack, 'Lake');

  // The pipeline's alarms page the data team through an encrypted topic (the key lets CloudWatch publish).
  const alerts = new sns.Topic(stack, 'Alerts', { masterKey: new kms.Key(stack, 'AlertsKey', { enableKeyRotation: true }), enforceSSL: true });
  const clicks = new StreamingIngestion(stack, 'Clicks', {
    destination: lake.zone('raw'),
    alarmTopic: alerts,
    prefix: 'clickstream',
    dynamicPartitioning: true,
    partitionKeyExpression: '.event_type',
    partitionKeyName: 'event_type',
  });

  // A producer service in AWS and the on-premises point-of-sale systems write to the stream.
  const producer = new iam.Role(stack, 'ProducerService', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  clicks.grantWrite(producer);
  Validations.of(producer).acknowledge({
    id: 'NIST.800.53.R5-IAMNoInlinePolicy',
    reason: 'grantWrite adds an inline policy scoped to this stream and its key, attached to this role only.',
  });
  const stores = new OnPremisesProducerAccess(stack, 'StoreProducers', {
    trustSource: ProducerTrustSource.fromCertificateBundle(caBundle),
    allowedCommonNames: ['pos-gateway-1', 'pos-gateway-2'],
  });
  clicks.grantWrite(stores);

  new FeatureGroup(stack, 'CustomerFeatures', {
    featureGroupName: 'customer-features',
    recordIdentifierFeatureName: 'customer_id',
    eventTimeFeatureName: 'event_time',
    features: [
      { name: 'customer_id', type: FeatureType.STRING },
      { name: 'event_time', type: FeatureType.STRING },
      { name: 'clicks_7d', type: FeatureType.INTEGRAL },
      { name: 'basket_value_30d', type: FeatureType.FRACTIONAL },
    ],
    offlineStoreZone: lake.zone('features'),
    onlineStore: true,
  });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildStreamingFeaturesExample(app);
  app.synth();
}
