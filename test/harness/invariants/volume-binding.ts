/**
 * A statically provisioned volume serves only when its claim binds it, and a claim that cannot
 * bind leaves every pod using it Pending with no error at apply time: the claim must name the
 * volume (`volumeName`), the volume must reserve the claim (`claimRef`), both must have the
 * same storage class (the empty class for static volumes, or a default class would provision
 * a new volume instead), the claim's access modes must be the volume's, and every pod's claim
 * must exist in its namespace. CSI volume handles must be unique per driver: two volumes with
 * one handle leave pods stuck mounting. A model server given a path under `/models` (where the
 * library puts model files, `/models/<service name>`) must mount that path: a wrong name only
 * shows when the server fails to find its model at start.
 */
import { AssemblyModel } from './assembly-model';
import { Invariant } from './invariant';
import { podsOf } from './kubernetes-objects';
import { KubernetesObject } from '../kubernetes-schemas';

/* eslint-disable @typescript-eslint/no-explicit-any */

function checkGroup(objects: KubernetesObject[]): string[] {
  const violations: string[] = [];
  const volumes = objects.filter((o) => o.kind === 'PersistentVolume');
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim');
  const ns = (o: KubernetesObject) => o.metadata?.namespace ?? 'default';
  for (const claim of claims) {
    const spec = claim.spec as any;
    const name = `PersistentVolumeClaim ${ns(claim)}/${claim.metadata?.name}`;
    if (spec.volumeName === undefined) continue;
    const volume = volumes.find((v) => v.metadata?.name === spec.volumeName);
    if (!volume) {
      violations.push(`${name} names PersistentVolume ${spec.volumeName}, which the app does not define: the claim stays Pending.`);
      continue;
    }
    const volumeSpec = volume.spec as any;
    if (volumeSpec.claimRef && (volumeSpec.claimRef.name !== claim.metadata?.name || (volumeSpec.claimRef.namespace ?? 'default') !== ns(claim))) {
      violations.push(`${name}: PersistentVolume ${spec.volumeName} is reserved for ${volumeSpec.claimRef.namespace}/${volumeSpec.claimRef.name}: the claim stays Pending.`);
    }
    if ((spec.storageClassName ?? undefined) !== (volumeSpec.storageClassName ?? undefined)) {
      violations.push(`${name} has storage class ${JSON.stringify(spec.storageClassName)}, PersistentVolume ${spec.volumeName} ${JSON.stringify(volumeSpec.storageClassName)}: they never bind.`);
    }
    if (!(spec.accessModes ?? []).every((m: string) => (volumeSpec.accessModes ?? []).includes(m))) {
      violations.push(`${name} asks for access modes ${JSON.stringify(spec.accessModes)}, which PersistentVolume ${spec.volumeName} does not offer: they never bind.`);
    }
  }
  const handles = new Map<string, string>();
  for (const volume of volumes) {
    const csi = (volume.spec as any).csi;
    if (!csi) continue;
    const key = `${csi.driver}/${csi.volumeHandle}`;
    if (handles.has(key)) violations.push(`PersistentVolumes ${handles.get(key)} and ${volume.metadata?.name} share the ${csi.driver} volume handle ${csi.volumeHandle}: pods mounting them get stuck.`);
    handles.set(key, String(volume.metadata?.name));
  }
  for (const pod of objects.flatMap(podsOf)) {
    for (const container of pod.spec.containers ?? []) {
      const mounts: string[] = (container.volumeMounts ?? []).map((m: any) => m.mountPath);
      for (const arg of [...container.command ?? [], ...container.args ?? []]) {
        const path = String(arg).split('=').pop()!;
        if (path.startsWith('/models/') && !mounts.some((m) => path === m || path.startsWith(`${m.replace(/\/$/, '')}/`))) {
          violations.push(`${pod.owner.kind} ${pod.namespace}/${pod.owner.metadata?.name}: container ${container.name} is given ${path}, which none of its volumes mounts (${mounts.join(', ') || 'none'}): the server finds no model there.`);
        }
      }
    }
    for (const volume of pod.spec.volumes ?? []) {
      const claimName = volume.persistentVolumeClaim?.claimName;
      if (claimName && !claims.some((c) => c.metadata?.name === claimName && ns(c) === pod.namespace)) {
        violations.push(`${pod.owner.kind} ${pod.namespace}/${pod.owner.metadata?.name} mounts claim ${claimName}, which its namespace does not hold: its pods stay Pending.`);
      }
    }
  }
  return violations;
}

export const volumesBind: Invariant = {
  id: 'volumes-bind',
  description: 'every statically provisioned volume and its claim bind, every claim a pod mounts exists, and model paths given to a server are mounted',
  check(model: AssemblyModel): string[] {
    return model.manifestTargets().flatMap((target) => checkGroup(target.units.flatMap((u) => u.objects)).map((v) => `${target.label}: ${v}`));
  },
};
