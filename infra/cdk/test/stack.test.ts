// Unit tests of the CDK app: node's test runner through tsx (TypeScript 7's native compiler does not
// run under ts-node or ts-jest). Run: npm test (make infra-test does).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildOfflineApp } from '../lib/app';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'paperflow-cdk-'));
}

describe('PaperflowStack', () => {
  let template: Template;
  let json: any;

  before(() => {
    const { stack } = buildOfflineApp(tmpdir());
    template = Template.fromStack(stack);
    json = template.toJSON();
  });

  it('has the four Rust functions on provided.al2023 / arm64 with their binaries', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    const binaries: string[] = [];
    for (const fn of Object.values<any>(template.findResources('AWS::Lambda::Function'))) {
      assert.equal(fn.Properties.Runtime, 'provided.al2023');
      assert.deepEqual(fn.Properties.Architectures, ['arm64']);
      assert.equal(fn.Properties.Handler, 'bootstrap');
      assert.deepEqual(fn.Properties.MemorySize, { Ref: 'MemorySize' });
      assert.ok(fn.Properties.LoggingConfig.LogGroup, 'each function logs to its own log group');
      binaries.push(fn.Metadata.BuildProperties.Binary);
    }
    assert.deepEqual(binaries.sort(), ['event-archiver', 'invoice-api', 'pdf-generator', 'pdf-mailer']);
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 29 }); // the API's
  });

  it('feeds the queue consumers in batches that report item failures', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    for (const esm of Object.values<any>(template.findResources('AWS::Lambda::EventSourceMapping'))) {
      assert.deepEqual(esm.Properties.FunctionResponseTypes, ['ReportBatchItemFailures']);
      assert.equal(esm.Properties.BatchSize, 10);
    }
  });

  it('gives each consumed queue a DLQ and a visibility timeout of 6x the consumer timeout', () => {
    for (const [queue, dlq] of [
      ['PdfRequestsQueue', 'PdfRequestsDeadLetterQueue'],
      ['ArchiveQueue', 'ArchiveDeadLetterQueue'],
    ]) {
      const props = json.Resources[queue].Properties;
      assert.deepEqual(props.RedrivePolicy, { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 });
      assert.ok(props.VisibilityTimeout >= 6 * 30);
    }
  });

  it('encrypts every queue with the customer-managed key that SNS may use', () => {
    for (const q of Object.values<any>(template.findResources('AWS::SQS::Queue'))) {
      assert.deepEqual(q.Properties.KmsMasterKeyId, { 'Fn::GetAtt': ['DataKey', 'Arn'] });
    }
    const statements = json.Resources.DataKey.Properties.KeyPolicy.Statement;
    const sns = statements.filter((s: any) => s.Principal?.Service === 'sns.amazonaws.com');
    assert.equal(sns.length, 2, 'one per topic, each limited by aws:SourceArn');
    for (const s of sns) assert.ok(s.Condition.ArnEquals['aws:SourceArn']);
  });

  it('subscribes pdf-requests to invoice.finalized only, raw, and the archive to both topics', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': ['PdfRequestsQueue', 'Arn'] },
      RawMessageDelivery: true,
      FilterPolicy: { type: ['invoice.finalized.v1'] },
    });
    for (const topic of ['InvoiceEventsTopic', 'DocumentEventsTopic']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        TopicArn: { Ref: topic },
        Endpoint: { 'Fn::GetAtt': ['ArchiveQueue', 'Arn'] },
        RawMessageDelivery: true,
        FilterPolicy: Match.absent(),
      });
    }
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      FilterPolicy: { type: ['invoice.pdf.ready.v1'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['MailerFailuresQueue', 'Arn'] } } },
    });
  });

  it('serves the three routes with IAM authorization only', () => {
    const routes = Object.values<any>(template.findResources('AWS::ApiGatewayV2::Route'));
    assert.deepEqual(routes.map((r) => r.Properties.RouteKey).sort(), [
      'ANY /v1/invoices',
      'ANY /v1/invoices/pdf',
      'ANY /v1/invoices/{id+}',
    ]);
    for (const r of routes) assert.equal(r.Properties.AuthorizationType, 'AWS_IAM');
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: Match.objectLike({ DestinationArn: { 'Fn::GetAtt': ['HttpApiAccessLogGroup', 'Arn'] } }),
    });
  });

  it('grants no data action on "*", no s3:PutObjectAcl, and nothing outside the roles', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    for (const [id, role] of Object.entries<any>(template.findResources('AWS::IAM::Role'))) {
      assert.equal(role.Properties.ManagedPolicyArns, undefined, `${id} has a managed policy`);
      for (const policy of role.Properties.Policies) {
        for (const st of policy.PolicyDocument.Statement) {
          const actions = [st.Action].flat();
          const resources = [st.Resource].flat();
          assert.ok(!actions.includes('s3:PutObjectAcl'), id);
          assert.ok(!actions.some((a: string) => a.endsWith(':*')), `${id}: ${actions}`);
          assert.ok(!resources.includes('*'), `${id}: Resource "*" for ${actions}`);
        }
      }
    }
  });

  it('blocks public access, enforces TLS and versions every bucket', () => {
    for (const [id, b] of Object.entries<any>(template.findResources('AWS::S3::Bucket'))) {
      assert.deepEqual(b.Properties.PublicAccessBlockConfiguration, {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      }, id);
      assert.equal(b.Properties.VersioningConfiguration.Status, 'Enabled', id);
      assert.ok(b.Properties.LifecycleConfiguration.Rules.length > 0, id);
    }
    template.resourceCountIs('AWS::S3::BucketPolicy', 3);
    for (const p of Object.values<any>(template.findResources('AWS::S3::BucketPolicy'))) {
      assert.ok(
        p.Properties.PolicyDocument.Statement.some(
          (s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        ),
      );
    }
  });

  it('alarms on the depth of every dead-letter and failure queue', () => {
    const watched = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.Dimensions[0].Value['Fn::GetAtt'][0],
    );
    assert.deepEqual(watched.sort(), ['ArchiveDeadLetterQueue', 'MailerFailuresQueue', 'PdfRequestsDeadLetterQueue']);
  });

  it('has the parameters and outputs of the SAM template', () => {
    assert.deepEqual(Object.keys(json.Parameters).filter((p) => p !== 'BootstrapVersion').sort(), [
      'MemorySize',
      'SenderAddress',
      'Stage',
    ]);
    assert.deepEqual(Object.keys(json.Outputs).sort(), [
      'ApiUrl',
      'ArchiveBucketName',
      'DocumentEventsTopicArn',
      'DocumentsBucketName',
      'InvoiceEventsTopicArn',
    ]);
  });
});

describe('cdk-nag', () => {
  it('synthesizes with zero unacknowledged AwsSolutions findings', () => {
    const outdir = tmpdir();
    buildOfflineApp(outdir).app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    for (const plugin of report.pluginReports ?? []) {
      const open = (plugin.violations ?? []).filter((v: any) => !v.suppressed && !v.acknowledged);
      assert.deepEqual(open, [], `${plugin.pluginName}: unacknowledged findings`);
    }
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const { app, stack } = buildOfflineApp(tmpdir());
    // A queue without a DLQ and without TLS enforcement: AwsSolutions-SQS3 and -SQS4.
    new sqs.Queue(stack as Stack, 'Unreviewed', { retentionPeriod: Duration.days(1) });
    // The synth prints the report before it throws; keep that expected report out of the test log.
    const printError = console.error;
    console.error = () => {};
    try {
      assert.throws(() => app.synth(), /AwsSolutions-SQS3|Validation failed/);
    } finally {
      console.error = printError;
    }
  });
});
