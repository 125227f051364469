import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { errorOf, stackFixture, encryptedTopic } from './fixtures';
import { DataLake, OnPremisesProducerAccess, ProducerTrustSource, StreamingIngestion } from '../../lib/data';
import { expectNagClean } from '../harness/nag';
import { cleanTemplate } from '../harness/synth';

/** A real self-signed test CA (public test data) and a certificate that is not a CA. */
const TEST_CA_FILE = path.join(__dirname, '..', 'examples', 'test-ca.pem');
const TEST_CA_PEM = fs.readFileSync(TEST_CA_FILE, 'utf8');
const LEAF_PEM = fs.readFileSync(path.join(__dirname, 'test-leaf-not-ca.pem'), 'utf8');
const PCA_ARN = 'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555';

function setup() {
  const { app, stack } = stackFixture();
  const lake = new DataLake(stack, 'Lake');
  const ingestion = new StreamingIngestion(stack, 'Telemetry', { destination: lake.zone('raw'), alarmTopic: encryptedTopic(stack) });
  return { app, stack, ingestion };
}

describe('OnPremisesProducerAccess', () => {
  test('trust anchor from a CA bundle, a role only that anchor can assume, a profile, and the stream grant', () => {
    const { stack, ingestion } = setup();
    const access = new OnPremisesProducerAccess(stack, 'Factory', { trustSource: ProducerTrustSource.fromCertificateBundle(TEST_CA_PEM) });
    ingestion.grantWrite(access);
    const t = cleanTemplate(stack);
    t.hasResourceProperties('AWS::RolesAnywhere::TrustAnchor', {
      Enabled: true,
      Source: { SourceType: 'CERTIFICATE_BUNDLE', SourceData: { X509CertificateData: TEST_CA_PEM } },
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'rolesanywhere.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^FactoryTrustAnchor'), 'TrustAnchorArn'] } } },
        }],
      },
    });
    t.hasResourceProperties('AWS::RolesAnywhere::Profile', {
      Enabled: true, DurationSeconds: 3600, RoleArns: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^FactoryRole'), 'Arn'] }],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^FactoryRole') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'] }),
          Match.objectLike({ Action: 'kms:GenerateDataKey' }),
        ],
      },
    });
    expect(stack.resolve(access.profileArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FactoryProfile/), 'ProfileArn'] });
    expect(stack.resolve(access.trustAnchorArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FactoryTrustAnchor/), 'TrustAnchorArn'] });
    expect(access.grantPrincipal).toBe(access.role);
    // What the site's credential helper needs, under stable output ids.
    const outputs = t.toJSON().Outputs;
    const output = (name: string) => Object.entries<any>(outputs).find(([id]) => id.startsWith(`Factory${name}`))?.[1]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(output('TrustAnchorArn').Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FactoryTrustAnchor/), 'TrustAnchorArn'] });
    expect(output('ProfileArn').Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FactoryProfile/), 'ProfileArn'] });
    expect(output('RoleArn').Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FactoryRole/), 'Arn'] });
    expect(output('Region').Value).toBe('eu-west-1');
  });

  test('a CA bundle is read from a file and validated whole: a bundle of two CAs passes', () => {
    const { stack } = stackFixture();
    new OnPremisesProducerAccess(stack, 'Two', { trustSource: ProducerTrustSource.fromCertificateBundle(`${TEST_CA_PEM}\n${TEST_CA_PEM}`) });
    new OnPremisesProducerAccess(stack, 'File', { trustSource: ProducerTrustSource.fromCertificateBundleFile(TEST_CA_FILE) });
    cleanTemplate(stack).hasResourceProperties('AWS::RolesAnywhere::TrustAnchor', { Source: { SourceData: { X509CertificateData: TEST_CA_PEM } } });
    expect(() => ProducerTrustSource.fromCertificateBundleFile('no/such/ca.pem')).toThrow(/file = "no\/such\/ca\.pem" is not a readable file/);
  });

  test('AWS Private CA source, allowed common names and a longer session', () => {
    const { stack } = setup();
    new OnPremisesProducerAccess(stack, 'Edge', {
      trustSource: ProducerTrustSource.fromAcmPrivateCa(PCA_ARN), allowedCommonNames: ['gw-01', 'gw-02'], sessionDuration: Duration.hours(4), name: 'edge-gateways',
    });
    const t = cleanTemplate(stack);
    t.hasResourceProperties('AWS::RolesAnywhere::TrustAnchor', { Name: 'edge-gateways', Source: { SourceType: 'AWS_ACM_PCA', SourceData: { AcmPcaArn: PCA_ARN } } });
    t.hasResourceProperties('AWS::RolesAnywhere::Profile', { Name: 'edge-gateways', DurationSeconds: 14400 });
    t.hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 14400,
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: Match.objectLike({ StringEquals: { 'aws:PrincipalTag/x509Subject/CN': ['gw-01', 'gw-02'] } }) })] },
    });
  });

  test('is cdk-nag clean with a producer grant', () => {
    const { app, stack, ingestion } = setup();
    ingestion.grantWrite(new OnPremisesProducerAccess(stack, 'Factory', { trustSource: ProducerTrustSource.fromCertificateBundle(TEST_CA_PEM) }));
    expect(() => expectNagClean(app)).not.toThrow();
  });

  test.each<[string, () => ConstructorParameters<typeof OnPremisesProducerAccess>[2], RegExp]>([
    ['not a PEM bundle', () => ({ trustSource: ProducerTrustSource.fromCertificateBundle('MIIB...') }), /trustSource\.certificateBundlePem = "MIIB\.\.\.\.\.\." holds no complete PEM certificate/],
    // What `-c key="$(cat ca.pem)"` passes: the first line only.
    ['a PEM cut to its first line', () => ({ trustSource: ProducerTrustSource.fromCertificateBundle(TEST_CA_PEM.split('\n')[0]) }), /holds no complete PEM certificate/],
    ['a bundle whose second certificate is cut short', () => ({ trustSource: ProducerTrustSource.fromCertificateBundle(`${TEST_CA_PEM}\n${TEST_CA_PEM.slice(0, 200)}`) }), /holds text outside complete certificate blocks/],
    ['a block that is not X.509', () => ({ trustSource: ProducerTrustSource.fromCertificateBundle('-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIU\n-----END CERTIFICATE-----') }), /certificate 1 of 1 does not parse as X\.509/],
    ['a certificate that is not a CA', () => ({ trustSource: ProducerTrustSource.fromCertificateBundle(LEAF_PEM) }), /certificate 1 of 1 \(CN=cdk-scalable-ai test leaf \(not a CA\)\) is not a CA certificate/],
    ['bad CA ARN', () => ({ trustSource: ProducerTrustSource.fromAcmPrivateCa('arn:aws:acm:eu-west-1:1:certificate/x') }), /trustSource\.certificateAuthorityArn = .* is invalid/],
    ['session too long', () => ({ trustSource: ProducerTrustSource.fromAcmPrivateCa(PCA_ARN), sessionDuration: Duration.hours(13) }), /sessionDuration = "13 hours" is outside 15 minutes\.\.12 hours/],
    ['empty CN list', () => ({ trustSource: ProducerTrustSource.fromAcmPrivateCa(PCA_ARN), allowedCommonNames: [] }), /allowedCommonNames = \[\] is empty/],
    ['wildcard CN', () => ({ trustSource: ProducerTrustSource.fromAcmPrivateCa(PCA_ARN), allowedCommonNames: ['gw-*'] }), /allowedCommonNames\[0\] = "gw-\*" is invalid/],
    ['bad name', () => ({ trustSource: ProducerTrustSource.fromAcmPrivateCa(PCA_ARN), name: 'edge/gw' }), /name = "edge\/gw" is invalid/],
    ['no trust source', () => ({} as ConstructorParameters<typeof OnPremisesProducerAccess>[2]), /trustSource = undefined is required\. Set trustSource \(a ProducerTrustSource\)/],
  ])('rejects %s', (_, props, message) => {
    const { stack } = stackFixture();
    const error = errorOf(() => new OnPremisesProducerAccess(stack, 'A', props()));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(message);
  });
});
