/**
 * A SageMaker endpoint as other apps and constructs see it: its name, its ARN and the right to
 * invoke it. `SageMakerEndpoint` implements it; `SageMakerEndpoint.fromEndpointName` imports
 * one created elsewhere (another app, the console).
 */
import { ArnFormat, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { checkSageMakerName } from './sagemaker-validation';

/** Actions `grantInvoke` gives: real-time and streaming invocations (InvokeEndpointWithResponseStream is authorized as InvokeEndpoint). */
export const ENDPOINT_INVOKE_ACTIONS = ['sagemaker:InvokeEndpoint'];

export interface ISageMakerEndpoint extends IConstruct {
  readonly endpointName: string;
  /** `arn:<partition>:sagemaker:<region>:<account>:endpoint/<name>` (lower case, as IAM compares it). */
  readonly endpointArn: string;
  /** Lets the grantee invoke the endpoint (InvokeEndpoint, InvokeEndpointWithResponseStream; inference components included). */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
}

/** The ARN of an endpoint of the scope's stack. SageMaker lower-cases endpoint names in ARNs. */
export function endpointArnOf(scope: IConstruct, endpointName: string): string {
  return Stack.of(scope).formatArn({
    service: 'sagemaker',
    resource: 'endpoint',
    resourceName: Token.isUnresolved(endpointName) ? endpointName : endpointName.toLowerCase(),
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** InvokeEndpoint on the endpoint's ARN, for the grantee. */
export function grantEndpointInvoke(grantee: iam.IGrantable, endpointArn: string): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: ENDPOINT_INVOKE_ACTIONS, resourceArns: [endpointArn] });
}

/** An endpoint created outside this construct, by name (in the scope's account and region). */
export class ImportedSageMakerEndpoint extends Resource implements ISageMakerEndpoint {
  public readonly endpointName: string;
  public readonly endpointArn: string;

  constructor(scope: Construct, id: string, endpointName: string) {
    super(scope, id);
    checkSageMakerName(this, 'endpointName', endpointName);
    this.endpointName = endpointName;
    this.endpointArn = endpointArnOf(this, endpointName);
  }

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return grantEndpointInvoke(grantee, this.endpointArn);
  }
}
