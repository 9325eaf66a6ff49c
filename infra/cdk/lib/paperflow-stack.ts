// paperflow's whole stack as CDK: the same resources as infra/sam/template.yaml.
//
// Every resource that the SAM template names gets the same logical id here (`same()`), so that
// infra/tests/test_equivalence.py can compare the two templates property by property, and so
// that a resource means the same thing whichever tool deployed it.
//
// Least privilege: each function has its own role whose only policy is written out below; no
// grant*() helper is used for the functions, because those add actions the functions never call
// (sqs:GetQueueUrl on send, kms:Encrypt / kms:ReEncrypt*, ...).
import * as path from 'node:path';
import {
  CfnCondition,
  CfnMapping,
  CfnOutput,
  CfnParameter,
  CfnResource,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { RustFunction } from 'cargo-lambda-cdk';
import { Construct, IConstruct } from 'constructs';

/** The repository root: the Cargo workspace whose functions/ crates are deployed. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Give the CloudFormation resource behind `c` the logical id the SAM template uses. */
function same<T extends IConstruct>(c: T, logicalId: string): T {
  const cfn = (c instanceof CfnResource ? c : c.node.defaultChild) as CfnResource;
  cfn.overrideLogicalId(logicalId);
  return c;
}

function ack(c: IConstruct, id: string, reason: string): void {
  Validations.of(c).acknowledge({ id, reason });
}

/** A checkov skip, with its reason, in the resource's Metadata (as in the SAM template). */
function checkovSkip(c: IConstruct, skips: Array<[string, string]>): void {
  const cfn = (c instanceof CfnResource ? c : c.node.defaultChild) as CfnResource;
  cfn.addMetadata('checkov', { skip: skips.map(([id, comment]) => ({ id, comment })) });
}

const FUNCTION_CHECKOV_SKIPS: Array<[string, string]> = [
  [
    'CKV_AWS_116',
    'A function DLQ applies only to asynchronous invocations. The SQS consumers are invoked synchronously and redrive to their queue DLQ; the API answers its caller; the mailer has an on-failure destination (mailer-failures), which carries more context.',
  ],
  [
    'CKV_AWS_117',
    'No VPC: the functions reach only S3, SNS, SQS and SES through their public, IAM-authorized, TLS endpoints; a VPC would add NAT or endpoint cost and no boundary.',
  ],
  [
    'CKV_AWS_173',
    'The environment holds resource names and ARNs and the sender address, no secrets; Lambda encrypts it at rest with its service key.',
  ],
];

/** The queue consumers reserve no concurrency: their event source mapping bounds them. */
const CONSUMER_CHECKOV_SKIPS: Array<[string, string]> = [
  [
    'CKV_AWS_115',
    'No reserved concurrency for a queue consumer: its event source mapping MaximumConcurrency bounds it without taking capacity from the account pool (the invoice-api and the pdf-mailer reserve theirs).',
  ],
  ...FUNCTION_CHECKOV_SKIPS,
];

/**
 * The mailer's reserved concurrency for each SES send rate: floor(rate x 0.175 s), at least 1, where
 * 0.175 s is the mailer's modelled duration per notice (docs/CAPACITY.md). The same table as the SAM
 * template's Mappings.MailerPacing; scripts/capacity.py computes it.
 */
export const MAILER_PACING: Record<string, number> = {
  '1': 1,
  '2': 1,
  '5': 1,
  '10': 1,
  '14': 2,
  '20': 3,
  '50': 8,
  '100': 17,
  '200': 34,
  '500': 85,
};

const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
});

/** An on-failure destination that sends with the function's role, whose policy says so itself. */
class QueueDestination implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}
  bind(): lambda.DestinationConfig {
    return { destination: this.queue.queueArn };
  }
}

export class PaperflowStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { analyticsReporting: false, ...props });
    this.templateOptions.description =
      'paperflow: event-driven invoice PDFs (the same stack as infra/sam/template.yaml)';

    // --- parameters ----------------------------------------------------------------------------
    const stage = new CfnParameter(this, 'Stage', {
      type: 'String',
      default: 'dev',
      allowedPattern: '^[a-z][a-z0-9-]{0,15}$',
      description: 'Deployment stage; part of every topic, queue and alarm name (paperflow-STAGE-...).',
    }).valueAsString;
    const senderAddress = new CfnParameter(this, 'SenderAddress', {
      type: 'String',
      default: 'invoices@example.com',
      allowedPattern: '^[^@\\s]+@[^@\\s]+$',
      description:
        'The From address of the mailer (MAIL_FROM). Must be a verified SES email identity in this account and region; the mailer may send only as this identity.',
    }).valueAsString;
    const memorySize = new CfnParameter(this, 'MemorySize', {
      type: 'Number',
      default: 512,
      minValue: 128,
      maxValue: 10240,
      description: 'Memory of every function in MB (CPU share grows with it; 512 MB renders a 12-line invoice in ~1 ms).',
    }).valueAsNumber;
    const alarmEmail = new CfnParameter(this, 'AlarmEmail', {
      type: 'String',
      default: '',
      allowedPattern: '^$|^[^@\\s]+@[^@\\s]+$',
      description:
        'An e-mail address that every alarm notifies (SNS asks it to confirm the subscription once). Empty: no subscription; subscribe your on-call tool to the alarm topic (output AlarmTopicArn).',
    }).valueAsString;
    const sesMaxSendRate = new CfnParameter(this, 'SesMaxSendRate', {
      type: 'String',
      default: '14',
      allowedValues: Object.keys(MAILER_PACING),
      description:
        "The SES account's maximum send rate (e-mails per second: 1 in the sandbox, 14 on a new production account). The mailer's reserved concurrency is derived from it (Mappings MailerPacing; infra/README.md shows the arithmetic).",
    }).valueAsString;
    const apiReservedConcurrency = new CfnParameter(this, 'ApiReservedConcurrency', {
      type: 'Number',
      default: 20,
      minValue: 1,
      maxValue: 900,
      description:
        "Reserved concurrency of the invoice-api: its guaranteed share of the account's concurrency and its cap, so that a burst of API calls cannot starve the queue consumers.",
    }).valueAsNumber;
    const einvoiceFormat = new CfnParameter(this, 'EinvoiceFormat', {
      type: 'String',
      default: 'none',
      allowedValues: ['none', 'factur-x', 'xrechnung', 'peppol'],
      description:
        'The e-invoice made of an invoice that names none in its einvoice field (EINVOICE_FORMAT of the pdf-generator): none (the PDF alone), factur-x (one PDF/A-3b with the XML inside), xrechnung or peppol (the PDF and r{N}.xml beside it).',
    }).valueAsString;
    const queueVisibilityTimeout = new CfnParameter(this, 'QueueVisibilityTimeout', {
      type: 'Number',
      default: 210,
      minValue: 0,
      maxValue: 43200,
      description:
        "Visibility timeout in seconds of the pdf-requests and archive queues: how long a batch a consumer took stays hidden, so how long a failed or killed batch waits before it comes back. Keep the default when deploying: it is over 6 x the consumers' 30 s timeout plus their batching window, Lambda's advice for SQS event sources. Only the local stack's chaos and dead-letter runs lower it, so that a killed batch returns in seconds.",
    }).valueAsNumber;
    const mailerPacing = new CfnMapping(this, 'MailerPacing', {
      mapping: Object.fromEntries(Object.entries(MAILER_PACING).map(([rate, c]) => [rate, { Concurrency: c }])),
      lazy: false,
    });
    const hasAlarmEmail = new CfnCondition(this, 'HasAlarmEmail', {
      expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail, '')),
    });
    const name = (suffix: string) => `paperflow-${stage}-${suffix}`;

    // --- encryption ----------------------------------------------------------------------------
    const key = same(
      new kms.Key(this, 'DataKey', {
        description: 'paperflow data key: SQS queues, documents and archive buckets, log groups',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
      'DataKey',
    );
    // CloudWatch Logs encrypts this account's log groups with it, and no one else's.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    // The alarm topic: SNS encrypts it at rest and sends what it cannot deliver to an encrypted
    // dead-letter queue. By name: the topic is encrypted with this key, so a Ref would be circular.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          ArnEquals: { 'aws:SourceArn': `arn:${this.partition}:sns:${this.region}:${this.account}:${name('alarms')}` },
        },
      }),
    );
    // CloudWatch publishes alarms to the alarm topic, which this key encrypts: the AWS-managed SNS
    // key (alias/aws/sns) cannot be used by CloudWatch, so the alarm topic needs this one.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    same(new kms.Alias(this, 'DataKeyAlias', { aliasName: `alias/paperflow-${stage}-data`, targetKey: key }), 'DataKeyAlias');

    // --- buckets -------------------------------------------------------------------------------
    const accessLogs = same(
      new s3.Bucket(this, 'AccessLogsBucket', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        versioned: true,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [
          {
            id: 'expire-access-logs',
            expiration: Duration.days(90),
            noncurrentVersionExpiration: Duration.days(1),
            abortIncompleteMultipartUploadAfter: Duration.days(1),
          },
        ],
      }),
      'AccessLogsBucket',
    );
    checkovSkip(accessLogs, [['CKV_AWS_18', 'This is the access-log target itself; logging it into itself would loop.']]);

    const dataBucket = (id: string, logPrefix: string, lifecycleRules: s3.LifecycleRule[]) =>
      same(
        new s3.Bucket(this, id, {
          encryption: s3.BucketEncryption.KMS,
          encryptionKey: key,
          bucketKeyEnabled: true,
          objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          versioned: true,
          enforceSSL: true,
          serverAccessLogsBucket: accessLogs,
          serverAccessLogsPrefix: logPrefix,
          removalPolicy: RemovalPolicy.RETAIN,
          lifecycleRules,
        }),
        id,
      );
    const oldVersionsAndUploads: s3.LifecycleRule = {
      id: 'old-versions-and-uploads',
      noncurrentVersionExpiration: Duration.days(30),
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    };
    const documents = dataBucket('DocumentsBucket', 'documents/', [
      { id: 'expire-api-pdfs', prefix: 'api/', expiration: Duration.days(1) },
      // The invoice-api's idempotency window (lib/pipeline/src/submit.rs): one day.
      { id: 'expire-idempotency-records', prefix: 'idempotency/', expiration: Duration.days(1) },
      { id: 'expire-mail-claims', prefix: 'mail/', expiration: Duration.days(30) },
      oldVersionsAndUploads,
    ]);
    const archive = dataBucket('ArchiveBucket', 'archive/', [oldVersionsAndUploads]);
    same(accessLogs.policy!, 'AccessLogsBucketPolicy');
    same(documents.policy!, 'DocumentsBucketPolicy');
    same(archive.policy!, 'ArchiveBucketPolicy');

    // --- topics --------------------------------------------------------------------------------
    const topic = (id: string, suffix: string) => {
      const t = same(new sns.Topic(this, id, { topicName: name(suffix), enforceSSL: true }), id);
      // The AWS-managed SNS key, by alias, as in the SAM template (an imported alias would render
      // as an alias ARN).
      (t.node.defaultChild as sns.CfnTopic).kmsMasterKeyId = 'alias/aws/sns';
      return t;
    };
    const invoiceEvents = topic('InvoiceEventsTopic', 'invoice-events');
    const documentEvents = topic('DocumentEventsTopic', 'document-events');
    same(invoiceEvents.node.findChild('Policy'), 'InvoiceEventsTopicPolicy');
    same(documentEvents.node.findChild('Policy'), 'DocumentEventsTopicPolicy');
    // Every alarm of the stack notifies this topic; subscribe a person (AlarmEmail) or a pager to it.
    const alarmTopic = same(
      new sns.Topic(this, 'AlarmTopic', { topicName: name('alarms'), enforceSSL: true, masterKey: key }),
      'AlarmTopic',
    );
    // A topic policy replaces the default one, which let the account's alarms publish.
    alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alarmTopic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:${name('*')}` },
        },
      }),
    );
    same(alarmTopic.node.findChild('Policy'), 'AlarmTopicPolicy');

    // --- queues --------------------------------------------------------------------------------
    const queue = (id: string, suffix: string, more: Partial<sqs.QueueProps> = {}) =>
      same(
        new sqs.Queue(this, id, {
          queueName: name(suffix),
          encryption: sqs.QueueEncryption.KMS,
          encryptionMasterKey: key,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
          ...more,
        }),
        id,
      );
    const pdfRequestsDlq = queue('PdfRequestsDeadLetterQueue', 'pdf-requests-dlq');
    const pdfRequests = queue('PdfRequestsQueue', 'pdf-requests', {
      // By default (210 s) over 6 x the pdf-generator's 30 s timeout plus its 1 s batching window
      // (Lambda's advice for SQS event sources), with margin: a batch retried by Lambda inside
      // that time is never handed to a second poller.
      visibilityTimeout: Duration.seconds(queueVisibilityTimeout),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: pdfRequestsDlq, maxReceiveCount: 5 },
    });
    const archiveDlq = queue('ArchiveDeadLetterQueue', 'archive-dlq');
    const archiveQueue = queue('ArchiveQueue', 'archive', {
      // By default over 6 x the event-archiver's 30 s timeout plus its 5 s batching window, with
      // margin.
      visibilityTimeout: Duration.seconds(queueVisibilityTimeout),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: archiveDlq, maxReceiveCount: 5 },
    });
    const mailerFailures = queue('MailerFailuresQueue', 'mailer-failures');
    ack(
      mailerFailures,
      'AwsSolutions-SQS3',
      'mailer-failures is itself the terminal failure store: it is the on-failure destination of the pdf-mailer, keeps messages 14 days and has an alarm on its depth. A DLQ behind it would have no consumer.',
    );

    // Alarm e-mails SNS could not deliver (after its e-mail retries: up to 6 hours). Another
    // subscriber of the alarm topic (a pager) hears of them through this queue's own alarm.
    const alarmDeliveriesDlq = queue('AlarmDeliveriesDeadLetterQueue', 'alarm-deliveries-dlq');
    ack(
      alarmDeliveriesDlq,
      'AwsSolutions-SQS3',
      'alarm-deliveries-dlq is itself a dead-letter queue: the redrive target of the alarm e-mail subscription, alarmed on its depth.',
    );
    alarmDeliveriesDlq.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [alarmDeliveriesDlq.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': alarmTopic.topicArn } },
      }),
    );
    const alarmEmailSubscription = same(
      new sns.CfnSubscription(this, 'AlarmEmailSubscription', {
        topicArn: alarmTopic.topicArn,
        protocol: 'email',
        endpoint: alarmEmail,
        redrivePolicy: { deadLetterTargetArn: alarmDeliveriesDlq.queueArn },
      }),
      'AlarmEmailSubscription',
    );
    alarmEmailSubscription.cfnOptions.condition = hasAlarmEmail;

    // --- subscriptions -------------------------------------------------------------------------
    // What SNS cannot deliver to a queue (a KMS or policy error) waits where the queue's own
    // failures wait, in the same raw form: one redrive to the queue serves both.
    same(
      invoiceEvents.addSubscription(
        new subs.SqsSubscription(pdfRequests, {
          rawMessageDelivery: true,
          deadLetterQueue: pdfRequestsDlq,
          // Every major version: the pdf-generator answers an unknown one with a failed notice.
          filterPolicy: { type: sns.SubscriptionFilter.stringFilter({ matchPrefixes: ['invoice.finalized.'] }) },
        }),
      ),
      'PdfRequestsSubscription',
    );
    same(
      invoiceEvents.addSubscription(
        new subs.SqsSubscription(archiveQueue, { rawMessageDelivery: true, deadLetterQueue: archiveDlq }),
      ),
      'ArchiveInvoiceEventsSubscription',
    );
    same(
      documentEvents.addSubscription(
        new subs.SqsSubscription(archiveQueue, { rawMessageDelivery: true, deadLetterQueue: archiveDlq }),
      ),
      'ArchiveDocumentEventsSubscription',
    );
    // The queue policies exist once something was added to them (enforceSSL, the subscriptions).
    same(pdfRequests.node.findChild('Policy'), 'PdfRequestsQueuePolicy');
    same(archiveQueue.node.findChild('Policy'), 'ArchiveQueuePolicy');
    same(pdfRequestsDlq.node.findChild('Policy'), 'PdfRequestsDeadLetterQueuePolicy');
    same(archiveDlq.node.findChild('Policy'), 'ArchiveDeadLetterQueuePolicy');
    same(mailerFailures.node.findChild('Policy'), 'MailerFailuresQueuePolicy');
    same(alarmDeliveriesDlq.node.findChild('Policy'), 'AlarmDeliveriesDeadLetterQueuePolicy');

    // --- log groups ----------------------------------------------------------------------------
    const logGroup = (id: string) =>
      same(
        new logs.LogGroup(this, id, {
          retention: logs.RetentionDays.ONE_YEAR,
          encryptionKey: key,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        id,
      );

    // --- functions -----------------------------------------------------------------------------
    // The functions' fonts (scripts/build-fonts-layer.sh), mounted at /opt/fonts: DejaVu Sans,
    // without which they refuse to start, and the fallbacks for the scripts it lacks.
    const fallbackFonts = same(
      new lambda.LayerVersion(this, 'FallbackFontsLayer', {
        layerVersionName: 'paperflow-fallback-fonts',
        description: 'paperflow fallback fonts, mounted at /opt/fonts',
        code: lambda.Code.fromAsset(path.join(REPO_ROOT, 'target', 'fonts-layer')),
        compatibleArchitectures: [lambda.Architecture.ARM_64],
        // The runtime as RustFunction names it (no family), or CDK finds the two incompatible.
        compatibleRuntimes: [new lambda.Runtime('provided.al2023')],
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      'FallbackFontsLayer',
    );
    const withFallbackFonts = { PAPERFLOW_FALLBACK_FONTS: '/opt/fonts' };

    const rustFunction = (
      id: string,
      binary: string,
      timeoutSeconds: number,
      environment: Record<string, string>,
      statements: iam.PolicyStatement[],
      more: Partial<lambda.FunctionOptions> = {},
      checkovSkips: Array<[string, string]> = FUNCTION_CHECKOV_SKIPS,
    ) => {
      const prefix = id.replace(/Function$/, '');
      const lg = logGroup(`${prefix}LogGroup`);
      const role = same(
        new iam.Role(this, `${prefix}Role`, {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
          inlinePolicies: {
            [binary]: new iam.PolicyDocument({
              statements: [
                new iam.PolicyStatement({
                  actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                  resources: [lg.logGroupArn],
                }),
                ...statements,
              ],
            }),
          },
        }),
        `${prefix}Role`,
      );
      const fn = same(
        new RustFunction(this, id, {
          // The workspace manifest and the binary: `cargo lambda build --bin <binary>` from the root.
          manifestPath: path.join(REPO_ROOT, 'Cargo.toml'),
          binaryName: binary,
          runtime: 'provided.al2023',
          architecture: lambda.Architecture.ARM_64,
          memorySize,
          timeout: Duration.seconds(timeoutSeconds),
          role,
          logGroup: lg,
          environment,
          ...more,
        }),
        id,
      );
      const cfn = fn.node.defaultChild as lambda.CfnFunction;
      // Which crate the function is, as the SAM template says it (sam build reads the same keys).
      cfn.addMetadata('BuildMethod', 'rust-cargolambda');
      cfn.addMetadata('BuildProperties', { Binary: binary });
      checkovSkip(fn, checkovSkips);
      return fn;
    };

    const kmsForS3AndSqs = new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
    });
    const listDocuments = new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [documents.bucketArn] });
    const consume = (q: sqs.IQueue) =>
      new iam.PolicyStatement({
        actions: [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        resources: [q.queueArn],
      });
    const objects = (bucket: s3.IBucket, ...patterns: string[]) => patterns.map((p) => `${bucket.bucketArn}/${p}`);

    const invoiceApi = rustFunction(
      'InvoiceApiFunction',
      'invoice-api',
      29, // API Gateway's own integration limit.
      { DOCUMENTS_BUCKET: documents.bucketName, INVOICE_EVENTS_TOPIC_ARN: invoiceEvents.topicArn, ...withFallbackFonts },
      [
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: objects(documents, 'invoices/*', 'idempotency/*', 'api/*', 'themes/*'),
        }),
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: objects(documents, 'invoices/*.submitted.json', 'idempotency/*', 'api/*'),
        }),
        listDocuments,
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [invoiceEvents.topicArn] }),
        kmsForS3AndSqs,
      ],
      // Its guaranteed share and its cap: a burst of API calls cannot take the concurrency the
      // queue consumers need (infra/README.md, "Concurrency").
      { reservedConcurrentExecutions: apiReservedConcurrency, layers: [fallbackFonts] },
    );
    const pdfGenerator = rustFunction(
      'PdfGeneratorFunction',
      'pdf-generator',
      30,
      {
        DOCUMENTS_BUCKET: documents.bucketName,
        DOCUMENT_EVENTS_TOPIC_ARN: documentEvents.topicArn,
        EINVOICE_FORMAT: einvoiceFormat,
        // Where a record only a fix of the deployment can process goes at once.
        DEAD_LETTER_QUEUE_URL: pdfRequestsDlq.queueUrl,
        ...withFallbackFonts,
      },
      [
        consume(pdfRequests),
        new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: objects(documents, 'invoices/*') }),
        // The themes invoices name (lib/pipeline/src/themes.rs): read, never written.
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects(documents, 'themes/*') }),
        listDocuments,
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [documentEvents.topicArn] }),
        // A misconfigured record goes to the DLQ at once (lib/lambda/src/sqs_batch.rs).
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [pdfRequestsDlq.queueArn] }),
        kmsForS3AndSqs,
      ],
      { layers: [fallbackFonts] },
      CONSUMER_CHECKOV_SKIPS,
    );
    const pdfMailer = rustFunction(
      'PdfMailerFunction',
      'pdf-mailer',
      30,
      {
        DOCUMENTS_BUCKET: documents.bucketName,
        DOCUMENT_EVENTS_TOPIC_ARN: documentEvents.topicArn,
        MAIL_FROM: senderAddress,
      },
      [
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects(documents, 'invoices/*', 'mail/*') }),
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: objects(documents, 'mail/*') }),
        listDocuments,
        // SES v2 SendEmail with raw content is authorised as both actions; SendEmail alone would
        // be AccessDenied for every e-mail.
        new iam.PolicyStatement({
          actions: ['ses:SendEmail', 'ses:SendRawEmail'],
          resources: [`arn:${this.partition}:ses:${this.region}:${this.account}:identity/${senderAddress}`],
        }),
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [documentEvents.topicArn] }),
        // The on-failure destination is sent with the function's role.
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [mailerFailures.queueArn] }),
        kmsForS3AndSqs,
      ],
      {
        // Paced to SES's send rate: Lambda holds back the asynchronous events beyond this
        // concurrency and retries them for up to maxEventAge (infra/README.md, "Concurrency").
        reservedConcurrentExecutions: Token.asNumber(mailerPacing.findInMap(sesMaxSendRate, 'Concurrency')),
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        onFailure: new QueueDestination(mailerFailures),
      },
    );
    same(pdfMailer.node.findChild('EventInvokeConfig'), 'PdfMailerFunctionEventInvokeConfig');
    const eventArchiver = rustFunction(
      'EventArchiverFunction',
      'event-archiver',
      30,
      {
        ARCHIVE_BUCKET: archive.bucketName,
        // Where a record only a fix of the deployment can process goes at once.
        DEAD_LETTER_QUEUE_URL: archiveDlq.queueUrl,
      },
      [
        consume(archiveQueue),
        // events/date=.../type=.../<message id>.jsonl (lib/pipeline/src/store/layout.rs).
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: objects(archive, 'events/*') }),
        // A misconfigured record goes to the DLQ at once (lib/lambda/src/sqs_batch.rs).
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [archiveDlq.queueArn] }),
        kmsForS3AndSqs,
      ],
      {},
      CONSUMER_CHECKOV_SKIPS,
    );

    // Object-level wildcards: S3 object ARNs name keys, and the keys are invoice ids.
    const objectWildcards: Array<[lambda.Function, string[], string]> = [
      [
        invoiceApi,
        ['invoices/*', 'idempotency/*', 'api/*', 'themes/*', 'invoices/*.submitted.json'],
        'reads status records, PDFs to presign and themes, and writes only submission records, idempotency records and large direct PDFs',
      ],
      [pdfGenerator, ['invoices/*', 'themes/*'], 'reads and writes the invoices/ prefix it owns (PDFs, latest pointers, failure records), and reads themes'],
      [pdfMailer, ['invoices/*', 'mail/*'], 'reads PDFs, and reads and writes its once-per-notice claims under mail/'],
      [eventArchiver, ['events/*'], 'appends events under events/, partitioned by date and type'],
    ];
    for (const [fn, patterns, what] of objectWildcards) {
      const bucketId = fn === eventArchiver ? 'ArchiveBucket' : 'DocumentsBucket';
      for (const p of patterns) {
        ack(
          fn.role!,
          `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${p}]`,
          `S3 object ARNs name keys, and keys carry invoice ids or dates: the wildcard stays inside one key prefix of the paperflow ${bucketId === 'ArchiveBucket' ? 'archive' : 'documents'} bucket. The function ${what}.`,
        );
      }
    }

    // --- event sources -------------------------------------------------------------------------
    same(
      new lambda.EventSourceMapping(this, 'PdfGeneratorFunctionPdfRequests', {
        target: pdfGenerator,
        eventSourceArn: pdfRequests.queueArn,
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: 10,
      }),
      'PdfGeneratorFunctionPdfRequests',
    );
    same(
      new lambda.EventSourceMapping(this, 'EventArchiverFunctionArchive', {
        target: eventArchiver,
        eventSourceArn: archiveQueue.queueArn,
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      }),
      'EventArchiverFunctionArchive',
    );
    same(
      documentEvents.addSubscription(
        new subs.LambdaSubscription(pdfMailer, {
          // What SNS cannot hand to Lambda at all joins the mailer's other failures.
          deadLetterQueue: mailerFailures,
          filterPolicy: { type: sns.SubscriptionFilter.stringFilter({ allowlist: ['invoice.pdf.ready.v1'] }) },
        }),
      ),
      'PdfMailerFunctionPdfReady',
    );

    // --- HTTP API ------------------------------------------------------------------------------
    const httpApi = same(
      new apigwv2.HttpApi(this, 'HttpApi', {
        createDefaultStage: false,
        defaultAuthorizer: new HttpIamAuthorizer(),
      }),
      'HttpApi',
    );
    const accessLogGroup = logGroup('HttpApiAccessLogGroup');
    same(
      new apigwv2.HttpStage(this, 'HttpApiApiGatewayDefaultStage', {
        httpApi,
        stageName: '$default',
        autoDeploy: true,
        throttle: { burstLimit: 100, rateLimit: 50 },
        accessLogSettings: {
          destination: new apigwv2.LogGroupLogDestination(accessLogGroup),
          format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
        },
      }),
      'HttpApiApiGatewayDefaultStage',
    );
    const integration = new HttpLambdaIntegration('InvoiceApiIntegration', invoiceApi, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    httpApi.addRoutes({ path: '/v1/invoices/pdf', methods: [apigwv2.HttpMethod.ANY], integration });
    httpApi.addRoutes({ path: '/v1/invoices', methods: [apigwv2.HttpMethod.ANY], integration });
    httpApi.addRoutes({ path: '/v1/invoices/{id+}', methods: [apigwv2.HttpMethod.ANY], integration });

    // --- alarms: each notifies the alarm topic (and again when it is OK) -----------------------
    const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const GE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    type AlarmRow = [
      string,
      string,
      string,
      [string, string, Record<string, string>, string],
      number,
      number,
      cloudwatch.ComparisonOperator,
    ];
    const alarms: AlarmRow[] = [
      [
        'PdfRequestsDeadLetterAlarm',
        'pdf-requests-dlq-not-empty',
        'invoice.finalized events that failed 5 times, or that SNS could not deliver to pdf-requests; inspect, fix, then redrive to pdf-requests.',
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: pdfRequestsDlq.queueName }, 'Maximum'],
        0,
        1,
        GT,
      ],
      [
        'ArchiveDeadLetterAlarm',
        'archive-dlq-not-empty',
        'Events the archiver failed 5 times, or that SNS could not deliver to archive; inspect, fix, then redrive to archive.',
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: archiveDlq.queueName }, 'Maximum'],
        0,
        1,
        GT,
      ],
      [
        'MailerFailuresAlarm',
        'mailer-failures-not-empty',
        'invoice.pdf.ready notices the mailer failed 3 times, or that SNS could not hand to it; inspect and re-invoke.',
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: mailerFailures.queueName }, 'Maximum'],
        0,
        1,
        GT,
      ],
      [
        'AlarmDeliveriesDeadLetterAlarm',
        'alarm-deliveries-dlq-not-empty',
        'Alarm e-mails SNS could not deliver to AlarmEmail; check the address and its confirmation.',
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: alarmDeliveriesDlq.queueName }, 'Maximum'],
        0,
        1,
        GT,
      ],
      [
        'PdfRequestsAgeAlarm',
        'pdf-requests-oldest-message',
        "The oldest invoice.finalized waits over 30 minutes: the pdf-generator's mapping receives nothing (KMS, permissions, disabled) or cannot keep up. A failing message reaches the DLQ within 5 x 210 s; messages expire after 4 days.",
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: pdfRequests.queueName }, 'Maximum'],
        1800,
        1,
        GT,
      ],
      [
        'ArchiveAgeAlarm',
        'archive-oldest-message',
        "The oldest event to archive waits over 30 minutes: the event-archiver's mapping receives nothing or cannot keep up. Messages expire after 4 days.",
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: archiveQueue.queueName }, 'Maximum'],
        1800,
        1,
        GT,
      ],
      [
        'InvoiceApiErrorsAlarm',
        'invoice-api-errors',
        'The invoice-api failed as a function (panic, timeout, out of memory): callers got a 5xx from the gateway.',
        ['AWS/Lambda', 'Errors', { FunctionName: invoiceApi.functionName }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'InvoiceApiThrottlesAlarm',
        'invoice-api-throttles',
        'The invoice-api hit its reserved concurrency (ApiReservedConcurrency): callers were refused.',
        ['AWS/Lambda', 'Throttles', { FunctionName: invoiceApi.functionName }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'PdfGeneratorMisconfigurationsAlarm',
        'pdf-generator-misconfigured',
        "A dependency refused the pdf-generator for good (access denied, no such bucket or topic, a KMS key disabled): the record went to pdf-requests-dlq at once. Fix the deployment (the log line's code and message say what), then redrive.",
        ['paperflow', 'Misconfigurations', { function: 'pdf-generator' }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'EventArchiverMisconfigurationsAlarm',
        'event-archiver-misconfigured',
        'A dependency refused the event-archiver for good (access denied, no such bucket, a KMS key disabled): the record went to archive-dlq at once. Fix the deployment, then redrive.',
        ['paperflow', 'Misconfigurations', { function: 'event-archiver' }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'PdfMailerMisconfigurationsAlarm',
        'pdf-mailer-misconfigured',
        "A dependency refused the pdf-mailer for good (an unverified sender, access denied, a KMS key disabled): the notice fails Lambda's retries and lands in mailer-failures. Fix the deployment, then re-invoke.",
        ['paperflow', 'Misconfigurations', { function: 'pdf-mailer' }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'PdfGeneratorErrorsAlarm',
        'pdf-generator-errors',
        "The pdf-generator failed as a function (panic, timeout, out of memory); a record's own failure is reported per item and is not counted here.",
        ['AWS/Lambda', 'Errors', { FunctionName: pdfGenerator.functionName }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'PdfGeneratorThrottlesAlarm',
        'pdf-generator-throttles',
        "The pdf-generator was throttled: the account's concurrency is exhausted (its mapping's MaximumConcurrency alone never throttles it).",
        ['AWS/Lambda', 'Throttles', { FunctionName: pdfGenerator.functionName }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'EventArchiverErrorsAlarm',
        'event-archiver-errors',
        "The event-archiver failed as a function (panic, timeout, out of memory); a record's own failure is reported per item and is not counted here.",
        ['AWS/Lambda', 'Errors', { FunctionName: eventArchiver.functionName }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'EventArchiverThrottlesAlarm',
        'event-archiver-throttles',
        "The event-archiver was throttled: the account's concurrency is exhausted (its mapping's MaximumConcurrency alone never throttles it).",
        ['AWS/Lambda', 'Throttles', { FunctionName: eventArchiver.functionName }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'PdfMailerErrorsAlarm',
        'pdf-mailer-errors',
        'The pdf-mailer failed in each of 3 consecutive 5-minute periods: more than a retried blip (SES or S3 refusing, a misconfiguration).',
        ['AWS/Lambda', 'Errors', { FunctionName: pdfMailer.functionName }, 'Sum'],
        0,
        3,
        GT,
      ],
      [
        'PdfMailerThrottlesAlarm',
        'pdf-mailer-throttles',
        'The pdf-mailer was held at its reserved concurrency for 30 minutes: the e-mail backlog outgrows SesMaxSendRate (events are kept up to 6 hours).',
        ['AWS/Lambda', 'Throttles', { FunctionName: pdfMailer.functionName }, 'Sum'],
        0,
        6,
        GT,
      ],
      [
        'PdfMailerDroppedEventsAlarm',
        'pdf-mailer-dropped-events',
        'Lambda dropped asynchronous events of the pdf-mailer (too old, or retries exhausted) without a destination record.',
        ['AWS/Lambda', 'AsyncEventsDropped', { FunctionName: pdfMailer.functionName }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'PdfMailerDestinationFailuresAlarm',
        'pdf-mailer-destination-failures',
        'Lambda could not write a pdf-mailer failure to mailer-failures (permissions, KMS): that failure is lost.',
        ['AWS/Lambda', 'DestinationDeliveryFailures', { FunctionName: pdfMailer.functionName }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'HttpApi5xxAlarm',
        'api-5xx',
        'The HTTP API answered 5xx at least 5 times in 5 minutes (a dependency down, a misconfiguration, the function failing).',
        ['AWS/ApiGateway', '5xx', { ApiId: httpApi.apiId, Stage: '$default' }, 'Sum'],
        5,
        1,
        GE,
      ],
      [
        'InvoiceEventsDeliveryFailuresAlarm',
        'invoice-events-delivery-failures',
        "SNS failed deliveries from invoice-events; they wait in the subscriptions' dead-letter queues.",
        ['AWS/SNS', 'NumberOfNotificationsFailed', { TopicName: invoiceEvents.topicName }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'DocumentEventsDeliveryFailuresAlarm',
        'document-events-delivery-failures',
        "SNS failed deliveries from document-events; they wait in the subscriptions' dead-letter queues.",
        ['AWS/SNS', 'NumberOfNotificationsFailed', { TopicName: documentEvents.topicName }, 'Sum'],
        0,
        1,
        GT,
      ],
      [
        'AlarmTopicDeliveryFailuresAlarm',
        'alarms-delivery-failures',
        "SNS failed deliveries of alarms; the e-mail subscription's wait in alarm-deliveries-dlq.",
        ['AWS/SNS', 'NumberOfNotificationsFailed', { TopicName: alarmTopic.topicName }, 'Sum'],
        0,
        1,
        GT,
      ],
    ];
    const notify = new cwActions.SnsAction(alarmTopic);
    for (const [id, suffix, description, [namespace, metricName, dimensionsMap, statistic], threshold, evaluationPeriods, comparisonOperator] of alarms) {
      const alarm = same(
        new cloudwatch.Alarm(this, id, {
          alarmName: name(suffix),
          alarmDescription: description,
          metric: new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic, period: Duration.minutes(5) }),
          evaluationPeriods,
          threshold,
          comparisonOperator,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        id,
      );
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }

    // --- outputs -------------------------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the HTTP API (SigV4-signed requests, service execute-api)',
      value: Fn.sub('https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/'),
    });
    new CfnOutput(this, 'InvoiceEventsTopicArn', {
      description: 'Where producers publish invoice.finalized.v1',
      value: invoiceEvents.topicArn,
    });
    new CfnOutput(this, 'DocumentEventsTopicArn', {
      description: 'Where invoice.pdf.ready.v1, invoice.pdf.failed.v1 and invoice.emailed.v1 appear',
      value: documentEvents.topicArn,
    });
    new CfnOutput(this, 'DocumentsBucketName', {
      description: 'The rendered PDFs and status records',
      value: documents.bucketName,
    });
    new CfnOutput(this, 'ArchiveBucketName', { description: 'The event log', value: archive.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Every alarm of the stack notifies this topic; subscribe a pager or a chat to it',
      value: alarmTopic.topicArn,
    });
  }
}
