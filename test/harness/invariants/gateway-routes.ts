/**
 * A Gateway API route serves only when every reference in it resolves, and the API server
 * accepts dangling references silently: an HTTPRoute whose parent Gateway (or listener) does
 * not exist is never attached, a backend Service that does not exist (or lacks the port)
 * answers 500, a Service that selects no pods answers 503, a Gateway whose class nobody
 * defines is never programmed. On the AWS Load Balancer Controller's ALB implementation a
 * ClusterIP backend also needs a TargetGroupConfiguration with pod-IP targets (the controller
 * defaults to instance targets, which need a NodePort). So, per cluster (or written site):
 *
 * - every HTTPRoute parent is a Gateway of the same namespace with the named listener;
 * - every backend is a Service of the namespace with the port, selecting a workload's pods, or
 *   an InferencePool that selects pods listening on its target ports, with its picker's Service;
 * - not every backend of a rule has weight 0;
 * - on EKS, every Gateway's class is a GatewayClass of the cluster and its parameters exist;
 * - behind a `gateway.k8s.aws/alb` class, every ClusterIP backend has pod-IP targets.
 */
import { AssemblyModel } from './assembly-model';
import { Invariant } from './invariant';
import { podsOf } from './kubernetes-objects';
import { KubernetesObject } from '../kubernetes-schemas';

/* eslint-disable @typescript-eslint/no-explicit-any */

const GATEWAY_GROUP = 'gateway.networking.k8s.io/';
const ALB_GATEWAY_CONTROLLER = 'gateway.k8s.aws/alb';

function checkGroup(objects: KubernetesObject[], classesInApp: boolean): string[] {
  const violations: string[] = [];
  const ns = (o: KubernetesObject) => o.metadata?.namespace ?? 'default';
  const find = (kind: string, name: string, namespace?: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name && (namespace === undefined || ns(o) === namespace));
  const gatewayKind = (kind: string) => objects.filter((o) => o.kind === kind && String(o.apiVersion).startsWith(GATEWAY_GROUP));
  const pods = objects.flatMap(podsOf);

  const albGateways = new Set<string>();
  for (const gateway of gatewayKind('Gateway')) {
    const spec = gateway.spec as any;
    const gatewayClass = find('GatewayClass', spec.gatewayClassName);
    if (classesInApp && !gatewayClass) {
      violations.push(`Gateway ${ns(gateway)}/${gateway.metadata?.name} uses GatewayClass ${spec.gatewayClassName}, which the cluster does not define: no controller programs it.`);
    }
    if ((gatewayClass?.spec as any)?.controllerName === ALB_GATEWAY_CONTROLLER) albGateways.add(`${ns(gateway)}/${gateway.metadata?.name}`);
    const params = spec.infrastructure?.parametersRef;
    if (params && !find(params.kind, params.name, ns(gateway))) {
      violations.push(`Gateway ${ns(gateway)}/${gateway.metadata?.name} takes its parameters from ${params.kind} ${params.name}, which its namespace does not hold: the load balancer falls back to defaults (no certificate).`);
    }
  }

  for (const route of gatewayKind('HTTPRoute')) {
    const name = `HTTPRoute ${ns(route)}/${route.metadata?.name}`;
    const spec = route.spec as any;
    let behindAlb = false;
    for (const parent of spec.parentRefs ?? []) {
      const parentNamespace = parent.namespace ?? ns(route);
      const gateway = (parent.kind ?? 'Gateway') === 'Gateway' ? find('Gateway', parent.name, parentNamespace) : undefined;
      if (!gateway) {
        violations.push(`${name} attaches to Gateway ${parentNamespace}/${parent.name}, which does not exist: the route is never served.`);
        continue;
      }
      const listeners = ((gateway.spec as any).listeners ?? []).filter((l: any) => parent.sectionName === undefined || l.name === parent.sectionName);
      if (listeners.length === 0) violations.push(`${name} attaches to listener ${parent.sectionName} of Gateway ${parentNamespace}/${parent.name}, which has no such listener.`);
      if (listeners.length > 0 && parentNamespace !== ns(route) && listeners.every((l: any) => (l.allowedRoutes?.namespaces?.from ?? 'Same') === 'Same')) {
        violations.push(`${name} attaches to Gateway ${parentNamespace}/${parent.name}, whose listeners admit routes of their own namespace only.`);
      }
      if (albGateways.has(`${parentNamespace}/${parent.name}`)) behindAlb = true;
    }
    for (const [r, rule] of (spec.rules ?? []).entries()) {
      const backends = rule.backendRefs ?? [];
      if (backends.length > 0 && backends.every((b: any) => b.weight === 0)) violations.push(`${name}: every backend of rules[${r}] has weight 0: the rule answers 500.`);
      for (const backend of backends) {
        if (backend.kind === 'InferencePool' && backend.group === 'inference.networking.k8s.io') {
          violations.push(...inferencePoolViolations(name, find('InferencePool', backend.name, backend.namespace ?? ns(route)), backend.name, objects, pods));
          continue;
        }
        if ((backend.kind ?? 'Service') !== 'Service' || (backend.group ?? '') !== '') continue;
        const serviceNamespace = backend.namespace ?? ns(route);
        const service = find('Service', backend.name, serviceNamespace);
        if (!service) {
          violations.push(`${name} sends to Service ${serviceNamespace}/${backend.name}, which does not exist: requests fail.`);
          continue;
        }
        const serviceSpec = service.spec as any;
        if (!(serviceSpec.ports ?? []).some((p: any) => p.port === backend.port)) {
          violations.push(`${name} sends to port ${backend.port} of Service ${serviceNamespace}/${backend.name}, which does not expose it.`);
        }
        const selector: Record<string, string> = serviceSpec.selector ?? {};
        if (!pods.some((p) => p.namespace === serviceNamespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v))) {
          violations.push(`${name} sends to Service ${serviceNamespace}/${backend.name}, whose selector matches no pods of the app: requests fail with 503.`);
        }
        if (behindAlb && (serviceSpec.type ?? 'ClusterIP') === 'ClusterIP') {
          const ipTargets = objects.some((o) => o.kind === 'TargetGroupConfiguration' && ns(o) === serviceNamespace
            && (o.spec as any)?.targetReference?.name === backend.name && (o.spec as any)?.defaultConfiguration?.targetType === 'ip');
          if (!ipTargets) violations.push(`${name} sends to ClusterIP Service ${serviceNamespace}/${backend.name} behind an ALB Gateway without a TargetGroupConfiguration for ip targets: the controller's instance targets need a NodePort.`);
        }
      }
    }
  }
  return violations;
}

/**
 * An InferencePool backend serves when the pool exists, selects pods of the app that listen on
 * its target ports, and its endpoint picker's Service exists with the port the pool names.
 */
function inferencePoolViolations(route: string, pool: KubernetesObject | undefined, poolName: string, objects: KubernetesObject[], pods: ReturnType<typeof podsOf>): string[] {
  if (!pool) return [`${route} sends to InferencePool ${poolName}, which does not exist: requests fail.`];
  const spec = pool.spec as any;
  const namespace = pool.metadata?.namespace ?? 'default';
  const violations: string[] = [];
  const selected = pods.filter((p) => p.namespace === namespace && Object.entries(spec.selector?.matchLabels ?? {}).every(([k, v]) => p.labels[k] === v));
  if (selected.length === 0) violations.push(`InferencePool ${namespace}/${poolName} selects no pods of the app: its picker has no endpoint.`);
  for (const target of spec.targetPorts ?? []) {
    const listens = selected.some((p) => (p.spec.containers ?? []).some((c: any) => (c.ports ?? []).some((port: any) => port.containerPort === target.number)));
    if (selected.length > 0 && !listens) violations.push(`InferencePool ${namespace}/${poolName} targets port ${target.number}, on which its pods do not listen.`);
  }
  const picker = spec.endpointPickerRef;
  if (picker) {
    const service = objects.find((o) => o.kind === 'Service' && o.metadata?.name === picker.name && (o.metadata?.namespace ?? 'default') === namespace);
    if (!service || !((service.spec as any).ports ?? []).some((p: any) => p.port === picker.port?.number)) {
      violations.push(`InferencePool ${namespace}/${poolName} asks endpoint picker Service ${picker.name} on port ${picker.port?.number}, which ${service ? 'does not expose it' : 'does not exist'}: ${picker.failureMode === 'FailOpen' ? 'routing falls back to no picker' : 'requests fail'}.`);
    }
  }
  return violations;
}

export const gatewayRoutesResolve: Invariant = {
  id: 'gateway-routes-resolve',
  description: 'every Gateway API route, Gateway and backend reference resolves, with targets the controller can reach',
  check(model: AssemblyModel): string[] {
    // A written site's gateway class is declared by its operators, not in the app.
    return model.manifestTargets().flatMap((target) => checkGroup(target.units.flatMap((u) => u.objects), target.cluster !== undefined)
      .map((v) => `${target.label}: ${v}`));
  },
};
