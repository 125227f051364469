export * from './ai-platform-config';
export { AiPlatform, DEFAULT_MODEL_ZONE, DEFAULT_STREAM_ZONE } from './ai-platform';
export * from './burst-routing';
export * from './cloudformation-limits';
