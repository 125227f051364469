/**
 * Managed node groups merge the launch template's user data with what EKS writes for nodes to
 * join the cluster, only in the form each AMI family reads: TOML for Bottlerocket (no bracketed
 * header with quoted keys, which EKS does not accept) and a MIME multi-part document for AL2023
 * (nodeadm reads `application/node.eks.aws` parts). User data in another form leaves the nodes
 * unable to join, which shows only as a node group stuck in CREATING.
 */
import { parse as parseToml } from 'smol-toml';
import { AssemblyModel, ModelResource } from './assembly-model';
import { Invariant } from './invariant';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The literal user data of a node group's launch template; undefined without any (or when it is not a literal). */
export function nodeGroupUserData(model: AssemblyModel, group: ModelResource): string | undefined {
  const reference = group.resource.Properties?.LaunchTemplate?.Id;
  const template = reference === undefined ? undefined : model.references(group.stack, reference).map((r) => model.resource(r)).find((r) => r?.Type === 'AWS::EC2::LaunchTemplate');
  const userData = template?.Properties?.LaunchTemplateData?.UserData;
  return typeof userData?.['Fn::Base64'] === 'string' ? userData['Fn::Base64'] : undefined;
}

/** Bottlerocket settings parsed; undefined when unreadable. */
export function bottlerocketSettings(text: string): any {
  try {
    return parseToml(text);
  } catch {
    return undefined;
  }
}

function checkBottlerocket(name: string, text: string): string[] {
  const violations: string[] = [];
  const quoted = text.split('\n').filter((line) => /^\s*\[[^\]]*"/.test(line));
  if (quoted.length > 0) violations.push(`${name}: Bottlerocket settings have a bracketed header with quoted keys (${quoted.join(', ')}), which EKS does not merge: the nodes never join.`);
  try {
    parseToml(text);
  } catch (e) {
    violations.push(`${name}: Bottlerocket settings are not valid TOML (${(e as Error).message.split('\n')[0]}): the nodes never join.`);
  }
  return violations;
}

function checkAl2023(name: string, text: string): string[] {
  const boundary = /^Content-Type: multipart\/mixed; boundary="([^"]+)"$/m.exec(text)?.[1];
  if (!text.startsWith('MIME-Version: 1.0\n') || boundary === undefined) {
    return [`${name}: AL2023 user data is not a MIME multi-part document, the only form EKS merges with its NodeConfig: the nodes never join.`];
  }
  const parts = text.split(`--${boundary}`);
  if (!text.trimEnd().endsWith(`--${boundary}--`) || parts.length < 3) {
    return [`${name}: AL2023 user data does not close its MIME boundary "${boundary}" after at least one part.`];
  }
  return parts.slice(1, -1).filter((part) => !/^\nContent-Type: (application\/node\.eks\.aws|text\/x-shellscript)/.test(part))
    .map((part) => `${name}: AL2023 user data has a part of type ${/Content-Type: ([^\n;]+)/.exec(part)?.[1] ?? 'none'}, which nodeadm does not read.`);
}

export const nodeUserDataMerges: Invariant = {
  id: 'node-user-data-merges',
  description: 'Launch template user data of managed node groups is in the form EKS merges: TOML without quoted-key headers for Bottlerocket, MIME multi-part with NodeConfig or shell parts for AL2023.',
  check: (model) => model.resources('AWS::EKS::Nodegroup').flatMap((group) => {
    const text = nodeGroupUserData(model, group);
    if (text === undefined) return [];
    const name = model.describe(group);
    return String(group.resource.Properties?.AmiType ?? '').startsWith('BOTTLEROCKET') ? checkBottlerocket(name, text) : checkAl2023(name, text);
  }),
};
