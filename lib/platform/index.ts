export * from './ai-platform-config';
export * from './ai-platform';
export * from './burst-routing';
export * from './cloudformation-limits';
