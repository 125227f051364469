/**
 * EKS Pod Identity injects credentials only into pods created after the association exists:
 * a pod started earlier runs without AWS credentials until it is recreated. So every manifest
 * or Helm release that runs pods under an associated service account must deploy after the
 * association (a DependsOn path in one stack, or a stack dependency).
 */
import { AssemblyModel } from './assembly-model';
import { Invariant } from './invariant';
import { describeObject, podsOf } from './kubernetes-objects';

/**
 * The service accounts the pods of some releases run as, where known; any other release into a
 * namespace is assumed to use every service account there.
 * - `gateway-api-crds`: the library's vendored chart of Gateway API CRDs and admission
 *   policies creates no pods (gateway-exposure.test.ts checks that its templates hold no workload);
 * - `aws-efa-k8s-device-plugin`: its DaemonSet names no service account (aws/eks-charts
 *   v0.5.30 `templates/daemonset.yaml`), so it runs as `default`, without a token;
 * - `aws-load-balancer-controller` and `cluster-autoscaler`: the library names their service
 *   accounts in the release values (the only workloads of those charts).
 */
export const RELEASE_SERVICE_ACCOUNTS: Record<string, string[]> = {
  'gateway-api-crds': [],
  'aws-efa-k8s-device-plugin': ['default'],
  'aws-load-balancer-controller': ['aws-load-balancer-controller'],
  'cluster-autoscaler': ['cluster-autoscaler'],
};

export const podIdentityBeforePods: Invariant = {
  id: 'pod-identity-before-pods',
  description: 'every pod that uses a Pod Identity service account is applied after its association',
  check(model: AssemblyModel): string[] {
    const violations: string[] = [];
    for (const association of model.resources('AWS::EKS::PodIdentityAssociation')) {
      const { Namespace: namespace, ServiceAccount: serviceAccount, ClusterName: clusterName } = association.resource.Properties ?? {};
      const cluster = model.references(association.stack, clusterName)[0];
      if (!cluster || typeof namespace !== 'string' || typeof serviceAccount !== 'string') continue;
      for (const manifest of model.manifestsOf(cluster)) {
        const users = manifest.objects.flatMap(podsOf).filter((p) => p.namespace === namespace && p.serviceAccountName === serviceAccount);
        if (users.length === 0 || model.isOrderedAfter(manifest.resource!, association)) continue;
        violations.push(`${users.map((p) => describeObject(p!.owner)).join(', ')} (applied by ${model.describe(manifest.resource!)}) run as ${namespace}/${serviceAccount} `
          + `but may be created before its Pod Identity association ${model.describe(association)}: the pods would start without AWS credentials.`);
      }
      // A Helm release's service accounts are not visible here: any release into the namespace waits.
      for (const release of model.clusterResources(cluster, 'Custom::AWSCDK-EKS-HelmChart')) {
        if (release.resource.Properties?.Namespace !== namespace || model.isOrderedAfter(release, association)) continue;
        const accounts = RELEASE_SERVICE_ACCOUNTS[String(release.resource.Properties?.Release)];
        if (accounts && !accounts.includes(serviceAccount)) continue;
        violations.push(`Helm release ${release.resource.Properties?.Release} (${model.describe(release)}) installs into namespace ${namespace}, `
          + `where ${serviceAccount} has the Pod Identity association ${model.describe(association)}, but is not ordered after it.`);
      }
    }
    return violations;
  },
};
