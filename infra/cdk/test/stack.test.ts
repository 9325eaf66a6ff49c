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

  it('gives each consumed queue a DLQ and, by default, a visibility timeout over 6x the consumer timeout plus its batching window', () => {
    for (const [queue, dlq] of [
      ['PdfRequestsQueue', 'PdfRequestsDeadLetterQueue'],
      ['ArchiveQueue', 'ArchiveDeadLetterQueue'],
    ]) {
      const props = json.Resources[queue].Properties;
      assert.deepEqual(props.RedrivePolicy, { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 });
      assert.deepEqual(props.VisibilityTimeout, { Ref: 'QueueVisibilityTimeout' });
    }
    assert.ok(json.Parameters.QueueVisibilityTimeout.Default > 6 * 30 + 5);
  });

  it('encrypts every queue with the customer-managed key that SNS may use', () => {
    for (const q of Object.values<any>(template.findResources('AWS::SQS::Queue'))) {
      assert.deepEqual(q.Properties.KmsMasterKeyId, { 'Fn::GetAtt': ['DataKey', 'Arn'] });
    }
    const statements = json.Resources.DataKey.Properties.KeyPolicy.Statement;
    const sns = statements.filter((s: any) => s.Principal?.Service === 'sns.amazonaws.com');
    assert.equal(sns.length, 3, 'one per topic, each limited by aws:SourceArn');
    for (const s of sns) assert.ok(s.Condition.ArnEquals['aws:SourceArn']);
  });

  it('encrypts the alarm topic with a key CloudWatch may use, and lets only this stage\'s alarms publish', () => {
    const topic = json.Resources.AlarmTopic.Properties;
    assert.deepEqual(topic.KmsMasterKeyId, { 'Fn::GetAtt': ['DataKey', 'Arn'] });
    const keyStatements = json.Resources.DataKey.Properties.KeyPolicy.Statement;
    assert.ok(keyStatements.some((s: any) => s.Principal?.Service === 'cloudwatch.amazonaws.com'));
    const publish = json.Resources.AlarmTopicPolicy.Properties.PolicyDocument.Statement.find(
      (s: any) => s.Effect === 'Allow' && s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    assert.ok(JSON.stringify(publish.Condition.ArnLike['aws:SourceArn']).includes(':alarm:paperflow-'));
  });

  it('subscribes the alarm e-mail only when AlarmEmail is given', () => {
    const sub = json.Resources.AlarmEmailSubscription;
    assert.equal(sub.Condition, 'HasAlarmEmail');
    assert.equal(sub.Properties.Protocol, 'email');
    assert.deepEqual(sub.Properties.Endpoint, { Ref: 'AlarmEmail' });
  });

  it('gives every SNS subscription a dead-letter queue', () => {
    const subs = Object.entries<any>(template.findResources('AWS::SNS::Subscription'));
    assert.equal(subs.length, 5);
    for (const [id, sub] of subs) assert.ok(sub.Properties.RedrivePolicy?.deadLetterTargetArn, id);
  });

  it('paces the mailer to SesMaxSendRate and caps the API', () => {
    assert.deepEqual(json.Resources.PdfMailerFunction.Properties.ReservedConcurrentExecutions, {
      'Fn::FindInMap': ['MailerPacing', { Ref: 'SesMaxSendRate' }, 'Concurrency'],
    });
    assert.deepEqual(json.Resources.InvoiceApiFunction.Properties.ReservedConcurrentExecutions, {
      Ref: 'ApiReservedConcurrency',
    });
    const mailer = json.Resources.PdfMailerRole.Properties.Policies[0].PolicyDocument.Statement;
    const ses = mailer.find((s: any) => JSON.stringify(s.Action).includes('ses:'));
    assert.deepEqual([...ses.Action].sort(), ['ses:SendEmail', 'ses:SendRawEmail']);
  });

  it('subscribes pdf-requests to invoice.finalized only, raw, and the archive to both topics', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      Endpoint: { 'Fn::GetAtt': ['PdfRequestsQueue', 'Arn'] },
      RawMessageDelivery: true,
      FilterPolicy: { type: [{ prefix: 'invoice.finalized.' }] },
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

  it('alarms on the depth of every dead-letter and failure queue, and every alarm notifies the alarm topic', () => {
    const alarms = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const depth = alarms
      .filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')
      .map((a) => a.Dimensions[0].Value['Fn::GetAtt'][0]);
    assert.deepEqual(depth.sort(), [
      'AlarmDeliveriesDeadLetterQueue',
      'ArchiveDeadLetterQueue',
      'MailerFailuresQueue',
      'PdfRequestsDeadLetterQueue',
    ]);
    for (const a of alarms) {
      assert.deepEqual(a.AlarmActions, [{ Ref: 'AlarmTopic' }], a.AlarmName);
      assert.deepEqual(a.OKActions, [{ Ref: 'AlarmTopic' }], a.AlarmName);
    }
  });

  it('has the parameters and outputs of the SAM template', () => {
    assert.deepEqual(Object.keys(json.Parameters).filter((p) => p !== 'BootstrapVersion').sort(), [
      'AlarmEmail',
      'ApiReservedConcurrency',
      'EinvoiceFormat',
      'MemorySize',
      'QueueVisibilityTimeout',
      'SenderAddress',
      'SesMaxSendRate',
      'Stage',
    ]);
    assert.deepEqual(Object.keys(json.Outputs).sort(), [
      'AlarmTopicArn',
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
