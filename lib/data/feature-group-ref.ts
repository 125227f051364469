/**
 * A feature group as its producers and consumers see it: name, ARN and record grants.
 * `FeatureGroup` implements it; `FeatureGroup.fromFeatureGroupName` imports one of another app.
 */
import { Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { checkPattern } from '../private/validation';

/** Feature group names SageMaker accepts. */
export const FEATURE_GROUP_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}$/;

export interface IFeatureGroup extends IConstruct {
  readonly featureGroupName: string;
  /** `arn:<partition>:sagemaker:<region>:<account>:feature-group/<name in lower case>`. */
  readonly featureGroupArn: string;
  /** Grants writing records (sagemaker:PutRecord, DeleteRecord) to this feature group. */
  grantWriteRecords(grantee: iam.IGrantable): iam.Grant;
  /** Grants reading records from the online store (sagemaker:GetRecord, BatchGetRecord). */
  grantReadRecords(grantee: iam.IGrantable): iam.Grant;
}

/** The feature group's ARN in the scope's account and region (SageMaker lower-cases the name). */
export function featureGroupArnOf(scope: IConstruct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'sagemaker', resource: 'feature-group', resourceName: Token.isUnresolved(name) ? name : name.toLowerCase() });
}

export function grantFeatureGroupWrite(grantee: iam.IGrantable, arn: string): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:PutRecord', 'sagemaker:DeleteRecord'], resourceArns: [arn] });
}

export function grantFeatureGroupRead(grantee: iam.IGrantable, arn: string): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:GetRecord', 'sagemaker:BatchGetRecord'], resourceArns: [arn] });
}

/** A feature group of another app, by name. */
export class ImportedFeatureGroup extends Resource implements IFeatureGroup {
  public readonly featureGroupName: string;
  public readonly featureGroupArn: string;

  constructor(scope: Construct, id: string, featureGroupName: string) {
    super(scope, id);
    checkPattern(this, 'featureGroupName', featureGroupName, FEATURE_GROUP_NAME_PATTERN, '1-64 letters, digits and "-", starting and ending with a letter or digit', 'customer-features');
    this.featureGroupName = featureGroupName;
    this.featureGroupArn = featureGroupArnOf(this, featureGroupName);
  }

  public grantWriteRecords(grantee: iam.IGrantable): iam.Grant {
    return grantFeatureGroupWrite(grantee, this.featureGroupArn);
  }

  public grantReadRecords(grantee: iam.IGrantable): iam.Grant {
    return grantFeatureGroupRead(grantee, this.featureGroupArn);
  }
}
