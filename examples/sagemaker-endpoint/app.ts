/**
 * Example 4: a managed SageMaker real-time endpoint for a model in the lake: target tracking on
 * concurrency, canary deployments that roll back on alarms, and data capture into the raw
 * zone for drift analysis.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmTopicKey, DataCaptureContent, DataLake, EndpointScaling, SageMakerEndpoint, TrafficRouting } from 'cdk-scalable-ai';

export function buildSageMakerEndpointExample(scope: Construct): Stack {
  const stack = new Stack(scope, 'ManagedEndpoint', { env: { account: '111122223333', region: 'eu-west-1' } });
  const lake = new DataLake(stack, 'Lake');
  // Rollback alarms also page the on-call through an encrypted topic, whose key CloudWatch may use.
  const alertsKey = new kms.Key(stack, 'AlertsKey', { enableKeyRotation: true });
  AlarmTopicKey.allowCloudWatchAlarms(alertsKey);
  const alerts = new sns.Topic(stack, 'Alerts', { masterKey: alertsKey, enforceSSL: true });
  new SageMakerEndpoint(stack, 'Classifier', {
    alarmTopic: alerts,
    image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.6.0-gpu-py312-cu124-ubuntu22.04-sagemaker',
    modelData: { zone: lake.zone('models'), prefix: 'ticket-classifier/v7' },
    instanceType: 'ml.g6.xlarge',
    scaling: EndpointScaling.concurrency(4, { minCapacity: 1, maxCapacity: 4, scaleInCooldown: Duration.minutes(10) }),
    deployment: { trafficRouting: TrafficRouting.canary(10, Duration.minutes(10)) },
    dataCapture: { zone: lake.zone('raw'), prefix: 'capture/ticket-classifier', samplingPercentage: 20, captureContent: DataCaptureContent.INPUT_AND_OUTPUT },
  });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildSageMakerEndpointExample(app);
  app.synth();
}
