export * from './ai-platform-config';
export { AiPlatform } from './ai-platform';
export { BurstRouting, EndpointHealthCheck, RoutingMode, RoutingTarget } from './burst-routing';
export type { BurstRoutingProps, HeartbeatOptions } from './burst-routing';
export { CloudFormationLimitRule, CloudFormationLimits } from './cloudformation-limits';
export type { CloudFormationLimitsProps } from './cloudformation-limits';
export { Team } from './team';
export type { TeamDataAccess, TeamGpuQuota, TeamProps } from './team';
