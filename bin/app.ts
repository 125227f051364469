#!/usr/bin/env node
/**
 * The reference platform: what `npm run synth` builds. Hermetic: no lookups, credentials or
 * network; environment-agnostic stacks.
 */
import { App } from 'aws-cdk-lib';
import { buildReferencePlatform } from './reference-platform';

const app = new App();
buildReferencePlatform(app);
app.synth();
