#!/usr/bin/env node
// The CDK app of `cdk synth` / `cdk deploy` (cdk.json runs it). Bundling builds every function
// with cargo-lambda for arm64, which must be on PATH (`make tools` puts it in .tools/venv/bin).
import { buildApp } from '../lib/app';

buildApp().app.synth();
