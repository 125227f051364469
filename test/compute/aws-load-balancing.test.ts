import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import fc from 'fast-check';
import { ClusterCapacityMode, GpuCluster, GpuClusterProps, InferenceService, KubernetesSite, ServiceExposure } from '../../lib'
import { KubernetesObject, schemaErrors } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { expectNagClean } from '../harness/nag';
import { cleanTemplate, testApp } from '../harness/synth';
import { AWS_LOAD_BALANCER_CONTROLLER_CLASS, AWS_LOAD_BALANCER_CONTROLLER_VERSION } from '../../lib/compute/aws-load-balancer-controller';
import { AWS_LOAD_BALANCER_CONTROLLER_POLICY } from '../../lib/compute/aws-load-balancer-controller-policy';
import { INTERNAL_ALB_INGRESS_CLASS, LOAD_BALANCER_TLS_POLICY } from '../../lib/k8s/ingress-class';

/* eslint-disable @typescript-eslint/no-explicit-any */
const spec = (o: KubernetesObject): any => o.spec as any;
const annotations = (o: KubernetesObject): Record<string, string> => (o.metadata as any).annotations ?? {};
const CERTIFICATE = 'arn:aws:acm:eu-west-1:111122223333:certificate/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901';

function cluster(props: GpuClusterProps = {}): { stack: Stack; cluster: GpuCluster } {
  const stack = new Stack(testApp(), 'Compute');
  const gpuCluster = new GpuCluster(stack, 'Gpu', props);
  if (props.capacityMode === ClusterCapacityMode.AUTO_MODE) gpuCluster.addGpuNodePool('L40s', { instanceFamilies: ['g6e'], maxGpus: 4 });
  else gpuCluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 4 });
  return { stack, cluster: gpuCluster };
}

/** A service behind an ALB and one behind an NLB, both with TLS from ACM. */
function exposeBoth(gpuCluster: GpuCluster): void {
  const site = gpuCluster.site;
  new InferenceService(gpuCluster, 'Alb', { site, name: 'alb', image: 'img:1', modelVersion: 'v1', exposure: ServiceExposure.ingressWithCertificate('llm.example.com', CERTIFICATE) });
  new InferenceService(gpuCluster, 'Nlb', { site, name: 'nlb', image: 'img:1', modelVersion: 'v1', exposure: ServiceExposure.internalLoadBalancerWithTls(CERTIFICATE) });
}

describe('AWS Load Balancer Controller on managed node groups', () => {
  let template: Template;
  let built: { stack: Stack; cluster: GpuCluster };
  let objects: KubernetesObject[];
  beforeAll(() => {
    built = cluster({ awsLoadBalancerController: {} });
    exposeBoth(built.cluster);
    objects = siteObjects(built.cluster.site);
    template = cleanTemplate(built.stack);
  });

  test('the release is pinned, waits for its pods, and knows its cluster, region and VPC', () => {
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Chart: 'aws-load-balancer-controller',
      Repository: 'https://aws.github.io/eks-charts',
      Version: AWS_LOAD_BALANCER_CONTROLLER_VERSION,
      Namespace: 'kube-system',
      Wait: true,
      Values: Match.anyValue(),
    });
    const [release] = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'aws-load-balancer-controller' } }));
    const values = JSON.stringify(built.stack.resolve(release.Properties.Values));
    for (const fragment of ['clusterName', 'region', 'vpcId', '"replicaCount\\":2', '"createIngressClassResource\\":false', '"enableServiceMutatorWebhook\\":false', '"name\\":\\"aws-load-balancer-controller\\"']) {
      expect(values).toContain(fragment);
    }
  });

  test('credentials through Pod Identity exist before the release; the release waits for the system nodes', () => {
    const [[associationId]] = Object.entries(template.findResources('AWS::EKS::PodIdentityAssociation', {
      Properties: { Namespace: 'kube-system', ServiceAccount: 'aws-load-balancer-controller' },
    }));
    const [release] = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'aws-load-balancer-controller' } }));
    expect(release.DependsOn).toEqual(expect.arrayContaining([associationId]));
    const systemNodes = built.stack.getLogicalId(built.cluster.systemNodegroup!.node.defaultChild as CfnElement);
    expect(release.DependsOn).toEqual(expect.arrayContaining([systemNodes]));
  });

  test('the upstream policy, narrowed to the stack account and region, with no wildcard action', () => {
    const role = built.cluster.awsLoadBalancerController!.role;
    const [policy] = built.stack.resolve((role.node.defaultChild as any).policies);
    const statements = policy.policyDocument.Statement as any[];
    // Every upstream action, no other (aws-cdk-lib may merge statements with equal conditions).
    const actions = (list: any[]) => new Set(list.flatMap((st) => [st.Action].flat()));
    expect(actions(statements)).toEqual(actions([...AWS_LOAD_BALANCER_CONTROLLER_POLICY.Statement]));
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
      for (const resource of [statement.Resource].flat()) expect(JSON.stringify(resource)).not.toMatch(/:\*:\*:/);
    }
    // Mutations of existing load balancers are conditioned on the controller's cluster tag.
    expect(statements.find((s) => [s.Action].flat().includes('elasticloadbalancing:DeleteLoadBalancer')).Condition)
      .toEqual({ Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } });
  });

  test('the site declares the controller classes and AWS load balancers', () => {
    const site = built.cluster.site;
    expect(site.loadBalancerClass).toBe(AWS_LOAD_BALANCER_CONTROLLER_CLASS);
    expect(site.ingressClassName).toBe(INTERNAL_ALB_INGRESS_CLASS);
    expect(site.awsLoadBalancers).toBe(true);
  });

  test('an internal ALB IngressClass whose params fix the scheme, IP targets and a TLS 1.3 policy', () => {
    expect(spec(findObject(objects, 'IngressClass', INTERNAL_ALB_INGRESS_CLASS))).toEqual({
      controller: 'ingress.k8s.aws/alb',
      parameters: { apiGroup: 'elbv2.k8s.aws', kind: 'IngressClassParams', name: INTERNAL_ALB_INGRESS_CLASS },
    });
    expect(spec(findObject(objects, 'IngressClassParams', INTERNAL_ALB_INGRESS_CLASS))).toEqual({ scheme: 'internal', sslPolicy: LOAD_BALANCER_TLS_POLICY, targetType: 'ip' });
  });

  test('the ALB Ingress: HTTPS only, ACM certificate, pod targets, the model server health check', () => {
    const ingress = findObject(objects, 'Ingress', 'alb', 'inference');
    expect(annotations(ingress)).toEqual({
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/certificate-arn': CERTIFICATE,
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/healthcheck-path': '/health',
    });
    expect(spec(ingress).ingressClassName).toBe(INTERNAL_ALB_INGRESS_CLASS);
    expect(spec(ingress).tls).toBeUndefined();
    expect(spec(ingress).rules[0].host).toBe('llm.example.com');
  });

  test('the NLB Service: a TLS listener on 443 only, ACM certificate, TLS 1.3 policy', () => {
    const service = findObject(objects, 'Service', 'nlb', 'inference');
    expect(spec(service)).toMatchObject({ type: 'LoadBalancer', loadBalancerClass: AWS_LOAD_BALANCER_CONTROLLER_CLASS });
    expect(spec(service).ports).toEqual([{ name: 'https', port: 443, targetPort: 'http', protocol: 'TCP' }]);
    expect(annotations(service)).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': CERTIFICATE,
      'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': 'https',
      'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': LOAD_BALANCER_TLS_POLICY,
    });
  });

  test('every manifest validates (IngressClassParams against the controller CRD) and the invariants hold', () => {
    expectSafeManifests(objects);
  });

  test('the Ingress waits for the controller, whose validating webhook fails closed', () => {
    const site = built.cluster.site;
    const release = built.cluster.awsLoadBalancerController!.release;
    for (const chartId of ['ingress-class', 'inference-inference-alb']) {
      const manifest = site.manifestOf(site.charts.find((c) => c.node.id === chartId)!)!;
      expect(manifest.node.dependencies).toContain(release);
    }
  });

  test('cdk-nag finds nothing unexplained', () => {
    const nagBuilt = cluster({ awsLoadBalancerController: {} });
    exposeBoth(nagBuilt.cluster);
    expectNagClean(nagBuilt.stack.node.root as any);
  });
});

describe('EKS Auto Mode load balancing', () => {
  test('the built-in classes: NLB class, an internal ALB IngressClass with Auto Mode params', () => {
    const built = cluster({ capacityMode: ClusterCapacityMode.AUTO_MODE });
    exposeBoth(built.cluster);
    const objects = siteObjects(built.cluster.site);
    expectSafeManifests(objects);
    expect(built.cluster.site.awsLoadBalancers).toBe(true);
    expect(findObject(objects, 'IngressClassParams', INTERNAL_ALB_INGRESS_CLASS)).toMatchObject({
      apiVersion: 'eks.amazonaws.com/v1', spec: { scheme: 'internal', sslPolicy: LOAD_BALANCER_TLS_POLICY },
    });
    expect(spec(findObject(objects, 'IngressClass', INTERNAL_ALB_INGRESS_CLASS)).controller).toBe('eks.amazonaws.com/alb');
    expect(spec(findObject(objects, 'Service', 'nlb', 'inference')).loadBalancerClass).toBe('eks.amazonaws.com/nlb');
    const template = cleanTemplate(built.stack);
    expect(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'aws-load-balancer-controller' } })).toEqual({});
  });

  test('a class of your own (ingress-nginx) keeps TLS Secrets: no internal-alb class, awsLoadBalancers false unless declared', () => {
    const built = cluster({ capacityMode: ClusterCapacityMode.AUTO_MODE, siteOptions: { ingressClassName: 'nginx' } });
    const site = built.cluster.site;
    expect(site.awsLoadBalancers).toBe(false);
    new InferenceService(built.cluster, 'Ing', { site, name: 'ing', image: 'img:1', modelVersion: 'v1', exposure: ServiceExposure.ingress('llm.example.com', 'llm-tls') });
    const objects = siteObjects(site);
    expect(objects.filter((o) => o.kind === 'IngressClass')).toEqual([]);
    expect(spec(findObject(objects, 'Ingress', 'ing', 'inference'))).toMatchObject({ ingressClassName: 'nginx', tls: [{ secretName: 'llm-tls' }] });
    expect(cluster({ capacityMode: ClusterCapacityMode.AUTO_MODE, siteOptions: { ingressClassName: 'alb-shared', awsLoadBalancers: true } }).cluster.site.awsLoadBalancers).toBe(true);
  });

  test('asking for the controller too is an error that says Auto Mode has its own', () => {
    expect(() => cluster({ capacityMode: ClusterCapacityMode.AUTO_MODE, awsLoadBalancerController: {} }))
      .toThrow(/awsLoadBalancerController.*not needed on EKS Auto Mode.*Drop awsLoadBalancerController/s);
  });
});

describe('exposure that cannot work fails at synth', () => {
  test('without a controller, load balancers and ingresses name the fix', () => {
    const built = cluster();
    const site = built.cluster.site;
    expect(site.awsLoadBalancers).toBe(false);
    expect(() => new InferenceService(built.cluster, 'Lb', { site, name: 'lb', image: 'img:1', modelVersion: 'v1', exposure: ServiceExposure.internalLoadBalancer() }))
      .toThrow(/needs a load balancer class.*awsLoadBalancerController/s);
    expect(() => new InferenceService(built.cluster, 'Ing', { site, name: 'ing', image: 'img:1', modelVersion: 'v1', exposure: ServiceExposure.ingressWithCertificate('llm.example.com', CERTIFICATE) }))
      .toThrow(/needs an ingress class/);
  });

  test('a TLS Secret on an ALB is rejected: the listener would have no certificate', () => {
    const built = cluster({ awsLoadBalancerController: {} });
    const site = built.cluster.site;
    expect(() => new InferenceService(built.cluster, 'Ing', { site, name: 'ing', image: 'img:1', modelVersion: 'v1', exposure: ServiceExposure.ingress('llm.example.com', 'llm-tls') }))
      .toThrow(/exposure.tlsSecretName.*"llm-tls".*ignored by the application load balancers.*ingressWithCertificate/s);
  });

  test('an ACM certificate on a site whose classes are not AWS load balancers is rejected', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'OnPrem'), 'Lab', { ingressClassName: 'nginx', loadBalancerClass: 'metallb' });
    expect(() => new InferenceService(site, 'Ing', { site, name: 'ing', image: 'img:1', modelVersion: 'v1', exposure: ServiceExposure.ingressWithCertificate('llm.lab.example', CERTIFICATE) }))
      .toThrow(/exposure.certificateArn.*does not declare awsLoadBalancers/s);
  });

  test('certificate ARNs and hosts are checked; tokens pass', () => {
    const built = cluster({ awsLoadBalancerController: {} });
    const site = built.cluster.site;
    const expose = (id: string, exposure: ServiceExposure) => new InferenceService(built.cluster, id, { site, name: id.toLowerCase(), image: 'img:1', modelVersion: 'v1', exposure });
    expect(() => expose('A', ServiceExposure.ingressWithCertificate('llm.example.com', 'arn:aws:iam::111122223333:server-certificate/x'))).toThrow(/exposure.certificateArn.*ARN of an ACM certificate/s);
    expect(() => expose('B', ServiceExposure.ingressWithCertificate('https://llm.example.com', CERTIFICATE))).toThrow(/exposure.host.*lowercase DNS name/s);
    const certificate = new acm.Certificate(built.stack, 'Cert', { domainName: 'llm.example.com' });
    expect(() => expose('C', ServiceExposure.internalLoadBalancerWithTls(certificate.certificateArn))).not.toThrow();
  });

  test('property: any host is accepted exactly when it is a lowercase DNS name', () => {
    const built = cluster({ awsLoadBalancerController: {} });
    const site = built.cluster.site;
    let n = 0;
    fc.assert(fc.property(fc.oneof(fc.domain(), fc.string({ maxLength: 40 }), fc.webUrl()), (host) => {
      const valid = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host);
      const build = () => new InferenceService(built.cluster, `S${n++}`, { site, name: `s${n}`, image: 'img:1', modelVersion: 'v1', exposure: ServiceExposure.ingressWithCertificate(host, CERTIFICATE) });
      if (valid) expect(build).not.toThrow();
      else expect(build).toThrow(/exposure.host/);
    }), { numRuns: 60 });
  });

  test('the harness rejects fields the CRD does not have (strict field validation)', () => {
    const errors = schemaErrors([{ apiVersion: 'eks.amazonaws.com/v1', kind: 'IngressClassParams', metadata: { name: 'x' }, spec: { scheme: 'internal', targetType: 'ip' } }]);
    expect(errors.join()).toMatch(/additional properties/);
  });
});
