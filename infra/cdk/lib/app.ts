// The app, made the same way by `cdk synth/deploy` (bin/paperflow.ts), by the offline synth that
// `make infra-test` runs (bin/synth-offline.ts) and by the unit tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PaperflowStack } from './paperflow-stack';

export const STACK_NAME = process.env.PAPERFLOW_STACK_NAME ?? 'paperflow';

/** The feature flags of cdk.json, for runs without the CDK CLI (which would read them itself). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'));
  return cdkJson.context ?? {};
}

/**
 * The app with its one stack, checked by cdk-nag's AwsSolutions pack: an unacknowledged finding
 * fails the synth. Every acknowledgement sits next to its resource, with its reason.
 */
export function buildApp(props: AppProps = {}): { app: App; stack: PaperflowStack } {
  const app = new App(props);
  const stack = new PaperflowStack(app, STACK_NAME, {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

/** An app that synthesizes offline: no bundling (so no cargo-lambda and no Docker), flags from cdk.json. */
export function buildOfflineApp(outdir?: string): { app: App; stack: PaperflowStack } {
  return buildApp({
    outdir,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
  });
}
