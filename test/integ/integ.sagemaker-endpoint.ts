/** SageMaker (examples/sagemaker-endpoint): the endpoint answers an InvokeEndpoint call. */
import { App } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { buildSageMakerEndpointExample } from '../../examples/sagemaker-endpoint/app';
import { SageMakerEndpoint } from '../../lib';
import { eventually, integApp, integTest } from './integ-app';

export function buildSageMakerEndpointInteg(app: App): IntegTest {
  const stack = buildSageMakerEndpointExample(app);
  const integ = integTest(app, 'SageMakerEndpointInteg', [stack]);
  const endpoint = stack.node.findAll().find((c): c is SageMakerEndpoint => c instanceof SageMakerEndpoint);
  if (!endpoint) throw new Error('the SageMaker example has no SageMakerEndpoint');
  const invoke = integ.assertions.awsApiCall('SageMakerRuntime', 'invokeEndpoint', {
    EndpointName: endpoint.endpointName,
    ContentType: 'application/json',
    Body: JSON.stringify({ inputs: 'My invoice is wrong and nobody answers.' }),
  });
  invoke.provider.addToRolePolicy({
    Effect: 'Allow', Action: ['sagemaker:InvokeEndpoint'],
    Resource: [stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: endpoint.endpointName.toLowerCase() })],
  });
  eventually(invoke, ExpectedResult.objectLike({ ContentType: Match.stringLikeRegexp('.+') }));
  return integ;
}

if (require.main === module) {
  const app = integApp();
  buildSageMakerEndpointInteg(app);
  app.synth();
}
