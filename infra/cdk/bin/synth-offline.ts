// Synthesizes the app offline into cdk.out (or the folder given), as `make infra-test` does:
// no bundling, so no cargo-lambda, no Docker and no AWS account. cdk-nag runs as in a real synth;
// an unacknowledged finding makes the synth, and so this script, fail.
import * as path from 'node:path';
import { buildOfflineApp, STACK_NAME } from '../lib/app';

const outdir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'cdk.out'));
const assembly = buildOfflineApp(outdir).app.synth();
const stack = assembly.getStackByName(STACK_NAME);
console.log(`cdk synth (offline, cdk-nag AwsSolutions): ${path.relative(process.cwd(), path.join(outdir, stack.templateFile))}`);
