/**
 * Cross-resource invariants: what must be true across resources for a synthesized app to work
 * once deployed. `synthesizeClean` runs them on every app the test suite synthesizes.
 */
import { Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import { AssemblyModel, refKey } from './assembly-model';
import { crdsBeforeObjects } from './crd-order';
import { alarmsNotify, logGroupsRetainedAndEncrypted } from './hygiene';
import { Invariant } from './invariant';
import { keysAdmitTheirUsers } from './key-usage';
import { gatewayRoutesResolve } from './gateway-routes';
import { gpuResourcesAdvertised } from './gpu-resources';
import { nodeUserDataMerges } from './node-user-data';
import { kueueQueuesAdmit } from './kueue';
import { manifestFilesResolved } from './manifest-files';
import { metricsHaveProducers } from './metrics-produced';
import { networkPoliciesEnforcedAndSufficient } from './network-policy';
import { podIdentityBeforePods } from './pod-identity-order';
import { volumesBind } from './volume-binding';
import { EksSite, GpuCluster, KubernetesSiteBase, SitePlatform } from '../../../lib';

export { AssemblyModel } from './assembly-model';
export { Invariant } from './invariant';

/** What the construct tree says that the templates cannot: which sites are EKS, what their operators installed. */
export interface SiteFacts {
  readonly eksSiteNames: Set<string>;
  /** API groups installed outside the app, by cluster key (stack artifact id / logical id). */
  readonly declaredCrdGroups: Map<string, Set<string>>;
}

export function siteFacts(root: IConstruct): SiteFacts {
  const facts: SiteFacts = { eksSiteNames: new Set(), declaredCrdGroups: new Map() };
  for (const site of root.node.findAll().filter((c): c is KubernetesSiteBase => c instanceof KubernetesSiteBase)) {
    if (site.platform !== SitePlatform.EKS) continue;
    facts.eksSiteNames.add(site.siteName);
    const cluster = (site as EksSite).cluster;
    const cfnCluster = cluster.node.defaultChild as eks.CfnCluster | undefined;
    if (!cfnCluster) continue;
    const key = refKey({ stack: Stack.of(cfnCluster).artifactId, logicalId: Stack.of(cfnCluster).getLogicalId(cfnCluster) });
    const groups = facts.declaredCrdGroups.get(key) ?? new Set<string>();
    if (site.prometheusOperatorAvailable) groups.add('monitoring.coreos.com');
    // Declared on the site rather than installed by the app's GpuCluster.addKueue().
    if (site.kueueAvailable && !(cluster.node.scope instanceof GpuCluster && cluster.node.scope.kueue)) groups.add('kueue.x-k8s.io');
    if (site.inferencePoolAvailable) groups.add('inference.networking.k8s.io');
    facts.declaredCrdGroups.set(key, groups);
  }
  return facts;
}

export function invariantsFor(facts: SiteFacts): Invariant[] {
  return [
    podIdentityBeforePods,
    keysAdmitTheirUsers,
    networkPoliciesEnforcedAndSufficient,
    crdsBeforeObjects(facts.declaredCrdGroups),
    kueueQueuesAdmit,
    gatewayRoutesResolve,
    gpuResourcesAdvertised,
    nodeUserDataMerges,
    volumesBind,
    manifestFilesResolved,
    metricsHaveProducers,
    alarmsNotify,
    logGroupsRetainedAndEncrypted,
  ];
}

export interface InvariantViolation {
  readonly invariant: string;
  readonly message: string;
}

interface Acknowledgement {
  readonly invariant: string;
  readonly pattern: RegExp;
  readonly reason: string;
}

const acknowledgements = new WeakMap<IConstruct, Acknowledgement[]>();

/**
 * Accepts violations of one invariant whose message matches `pattern` in this app, for a
 * dependency the app documents but cannot contain (say which, and where it is documented).
 * Unmatched acknowledgements fail: they must not outlive the violation they excuse.
 */
export function acknowledgeInvariant(root: IConstruct, invariant: string, pattern: RegExp, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`acknowledgement of ${invariant} needs a real reason, got "${reason}"`);
  acknowledgements.set(root, [...(acknowledgements.get(root) ?? []), { invariant, pattern, reason }]);
}

/** Every violation of every invariant in the synthesized app, less acknowledged ones. */
export function checkInvariants(root: IConstruct, assembly: CloudAssembly, invariants?: Invariant[]): InvariantViolation[] {
  const facts = siteFacts(root);
  const model = new AssemblyModel(assembly, facts.eksSiteNames);
  const found = (invariants ?? invariantsFor(facts)).flatMap((invariant) => invariant.check(model).map((message) => ({ invariant: invariant.id, message })));
  if (invariants) return found;
  const acks = acknowledgements.get(root) ?? [];
  const matches = (v: InvariantViolation, a: Acknowledgement) => a.invariant === v.invariant && a.pattern.test(v.message);
  const unused = acks.filter((a) => !found.some((v) => matches(v, a)));
  return [
    ...found.filter((v) => !acks.some((a) => matches(v, a))),
    ...unused.map((a) => ({ invariant: a.invariant, message: `acknowledgement ${a.pattern} matches no violation any more: remove it ("${a.reason}").` })),
  ];
}

export function describeViolations(violations: readonly InvariantViolation[]): string {
  return violations.map((v) => `- [${v.invariant}] ${v.message}`).join('\n');
}
