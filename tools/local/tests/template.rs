//! `template`: the real `infra/sam/template.yaml` resolves to the topology the local stack runs,
//! and what it cannot run is refused with the place named.

use paperflow_local::spec::{DestinationKind, FunctionSpec, StackContext, StackSpec};
use paperflow_local::template::{self, TemplateError};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

const ACCOUNT: &str = "123456789012";

fn template_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../infra/sam/template.yaml")
}

fn load_with(overrides: &[(&str, &str)]) -> StackSpec {
    let overrides: BTreeMap<String, String> = overrides
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    template::load(&template_path(), &StackContext::default(), &overrides)
        .expect("the real template resolves")
}

fn load() -> StackSpec {
    load_with(&[])
}

fn function<'a>(spec: &'a StackSpec, binary: &str) -> &'a FunctionSpec {
    spec.functions
        .iter()
        .find(|function| function.binary == binary)
        .unwrap_or_else(|| panic!("a function with binary {binary}"))
}

fn bucket(spec: &StackSpec, logical_id: &str) -> String {
    spec.buckets
        .iter()
        .find(|bucket| bucket.logical_id == logical_id)
        .map(|bucket| bucket.name.clone())
        .unwrap_or_else(|| panic!("bucket {logical_id}"))
}

fn sqs_arn(name: &str) -> String {
    format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{name}")
}

fn sns_arn(name: &str) -> String {
    format!("arn:aws:sns:us-east-1:{ACCOUNT}:{name}")
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

#[test]
fn parameters_take_their_defaults() {
    let spec = load();
    assert_eq!(
        spec.parameters,
        env(&[
            ("AlarmEmail", ""),
            ("ApiReservedConcurrency", "20"),
            ("EinvoiceFormat", "none"),
            ("MemorySize", "512"),
            ("QueueVisibilityTimeout", "210"),
            ("SesMaxSendRate", "14"),
            ("SenderAddress", "invoices@example.com"),
            ("Stage", "dev"),
        ])
    );
}

#[test]
fn buckets_get_stable_generated_names() {
    let spec = load();
    let names: Vec<&str> = spec.buckets.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "paperflow-local-accesslogsbucket",
            "paperflow-local-documentsbucket",
            "paperflow-local-archivebucket"
        ]
    );
}

#[test]
fn every_function_gets_its_binary_timeout_memory_and_exact_environment() {
    let spec = load();
    assert_eq!(spec.functions.len(), 4);
    let documents = bucket(&spec, "DocumentsBucket");
    let archive = bucket(&spec, "ArchiveBucket");
    let document_events = sns_arn("paperflow-dev-document-events");
    assert_eq!(
        document_events,
        "arn:aws:sns:us-east-1:123456789012:paperflow-dev-document-events"
    );

    let api = function(&spec, "invoice-api");
    assert_eq!(api.logical_id, "InvoiceApiFunction");
    assert_eq!(api.name, "paperflow-local-InvoiceApiFunction");
    assert_eq!(
        api.arn,
        "arn:aws:lambda:us-east-1:123456789012:function:paperflow-local-InvoiceApiFunction"
    );
    assert_eq!((api.timeout_s, api.memory_mb), (29, 512));
    assert_eq!(
        api.environment,
        env(&[
            ("DOCUMENTS_BUCKET", &documents),
            (
                "INVOICE_EVENTS_TOPIC_ARN",
                &sns_arn("paperflow-dev-invoice-events")
            ),
            ("PAPERFLOW_FALLBACK_FONTS", "/opt/fonts"),
        ])
    );

    let generator = function(&spec, "pdf-generator");
    assert_eq!((generator.timeout_s, generator.memory_mb), (30, 512));
    assert_eq!(
        generator.environment,
        env(&[
            (
                "DEAD_LETTER_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/123456789012/paperflow-dev-pdf-requests-dlq"
            ),
            ("DOCUMENTS_BUCKET", &documents),
            ("DOCUMENT_EVENTS_TOPIC_ARN", &document_events),
            ("EINVOICE_FORMAT", "none"),
            ("PAPERFLOW_FALLBACK_FONTS", "/opt/fonts"),
        ])
    );

    let mailer = function(&spec, "pdf-mailer");
    assert_eq!((mailer.timeout_s, mailer.memory_mb), (30, 512));
    assert_eq!(
        mailer.environment,
        env(&[
            ("DOCUMENTS_BUCKET", &documents),
            ("DOCUMENT_EVENTS_TOPIC_ARN", &document_events),
            ("MAIL_FROM", "invoices@example.com"),
        ])
    );

    let archiver = function(&spec, "event-archiver");
    assert_eq!((archiver.timeout_s, archiver.memory_mb), (30, 512));
    assert_eq!(
        archiver.environment,
        env(&[
            ("ARCHIVE_BUCKET", &archive),
            (
                "DEAD_LETTER_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/123456789012/paperflow-dev-archive-dlq"
            ),
        ])
    );
}

#[test]
fn sqs_sources_carry_batching_partial_failures_and_concurrency() {
    let spec = load();
    let generator = function(&spec, "pdf-generator");
    assert_eq!(generator.sqs_sources.len(), 1);
    let source = &generator.sqs_sources[0];
    assert_eq!(source.event_id, "PdfRequests");
    assert_eq!(source.queue_arn, sqs_arn("paperflow-dev-pdf-requests"));
    assert_eq!((source.batch_size, source.batching_window_s), (10, 1));
    assert!(source.report_batch_item_failures);
    assert_eq!(source.maximum_concurrency, Some(10));
    assert!(source.enabled);

    let archiver = function(&spec, "event-archiver");
    assert_eq!(archiver.sqs_sources.len(), 1);
    let source = &archiver.sqs_sources[0];
    assert_eq!(source.queue_arn, sqs_arn("paperflow-dev-archive"));
    assert_eq!((source.batch_size, source.batching_window_s), (10, 5));
    assert!(source.report_batch_item_failures);
    assert_eq!(source.maximum_concurrency, Some(5));

    for binary in ["invoice-api", "pdf-mailer"] {
        assert!(function(&spec, binary).sqs_sources.is_empty(), "{binary}");
    }
}

#[test]
fn the_mailer_is_subscribed_to_ready_notices_with_an_on_failure_queue() {
    let spec = load();
    let mailer = function(&spec, "pdf-mailer");
    assert_eq!(mailer.sns_sources.len(), 1);
    let source = &mailer.sns_sources[0];
    assert_eq!(source.event_id, "PdfReady");
    assert_eq!(source.topic_arn, sns_arn("paperflow-dev-document-events"));
    assert_eq!(
        source.filter_policy,
        Some(json!({"type": ["invoice.pdf.ready.v1"]}))
    );
    assert_eq!(source.filter_policy_scope, None);

    let config = &mailer.async_invoke;
    assert_eq!(config.maximum_retry_attempts, 2);
    assert_eq!(config.maximum_event_age_s, 21_600);
    let destination = config
        .on_failure
        .as_ref()
        .expect("an on-failure destination");
    assert_eq!(destination.kind, DestinationKind::Sqs);
    assert_eq!(destination.arn, sqs_arn("paperflow-dev-mailer-failures"));

    // The others keep Lambda's defaults and have no destination.
    let generator = function(&spec, "pdf-generator");
    assert_eq!(generator.async_invoke.maximum_retry_attempts, 2);
    assert!(generator.async_invoke.on_failure.is_none());
}

#[test]
fn the_three_http_routes_go_to_the_invoice_api() {
    let spec = load();
    assert_eq!(spec.http_apis.len(), 1);
    assert_eq!(spec.http_apis[0].logical_id, "HttpApi");
    assert_eq!(spec.http_apis[0].stage, "$default");
    let api = function(&spec, "invoice-api");
    let routes: Vec<(&str, &str, &str, &str, Option<&str>)> = api
        .http_routes
        .iter()
        .map(|route| {
            (
                route.api_logical_id.as_str(),
                route.method.as_str(),
                route.path.as_str(),
                route.payload_format_version.as_str(),
                route.authorizer.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            ("HttpApi", "ANY", "/v1/invoices/pdf", "2.0", Some("AWS_IAM")),
            ("HttpApi", "ANY", "/v1/invoices", "2.0", Some("AWS_IAM")),
            (
                "HttpApi",
                "ANY",
                "/v1/invoices/{id+}",
                "2.0",
                Some("AWS_IAM")
            ),
        ]
    );
    for binary in ["pdf-generator", "pdf-mailer", "event-archiver"] {
        assert!(function(&spec, binary).http_routes.is_empty(), "{binary}");
    }
}

#[test]
fn queues_redrive_to_their_own_dead_letter_queue() {
    let spec = load();
    let names: Vec<&str> = spec.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "paperflow-dev-pdf-requests-dlq",
            "paperflow-dev-pdf-requests",
            "paperflow-dev-archive-dlq",
            "paperflow-dev-archive",
            "paperflow-dev-mailer-failures",
            "paperflow-dev-alarm-deliveries-dlq"
        ]
    );
    for (queue, dead_letter) in [
        (
            "paperflow-dev-pdf-requests",
            "paperflow-dev-pdf-requests-dlq",
        ),
        ("paperflow-dev-archive", "paperflow-dev-archive-dlq"),
    ] {
        let queue = spec.queue_by_arn(&sqs_arn(queue)).expect("the queue");
        assert_eq!(queue.visibility_timeout_s, 210);
        assert_eq!(queue.message_retention_s, 345_600);
        let redrive = queue.redrive.as_ref().expect("a redrive policy");
        assert_eq!(redrive.dead_letter_arn, sqs_arn(dead_letter));
        assert_eq!(redrive.max_receive_count, 5);
    }
    for dead_letter in [
        "paperflow-dev-pdf-requests-dlq",
        "paperflow-dev-archive-dlq",
        "paperflow-dev-mailer-failures",
        "paperflow-dev-alarm-deliveries-dlq",
    ] {
        let queue = spec.queue_by_arn(&sqs_arn(dead_letter)).expect("the queue");
        assert!(queue.redrive.is_none());
        assert_eq!(queue.visibility_timeout_s, 30, "SQS's default");
        assert_eq!(queue.message_retention_s, 1_209_600);
    }
}

#[test]
fn the_three_subscriptions_deliver_raw_and_pdf_requests_filters() {
    let spec = load();
    let subscriptions: Vec<(&str, String, String, bool)> = spec
        .subscriptions
        .iter()
        .map(|s| {
            (
                s.logical_id.as_str(),
                s.topic_arn.clone(),
                s.queue_arn.clone(),
                s.raw_message_delivery,
            )
        })
        .collect();
    let invoice_events = sns_arn("paperflow-dev-invoice-events");
    let document_events = sns_arn("paperflow-dev-document-events");
    assert_eq!(
        subscriptions,
        [
            (
                "PdfRequestsSubscription",
                invoice_events.clone(),
                sqs_arn("paperflow-dev-pdf-requests"),
                true
            ),
            (
                "ArchiveInvoiceEventsSubscription",
                invoice_events,
                sqs_arn("paperflow-dev-archive"),
                true
            ),
            (
                "ArchiveDocumentEventsSubscription",
                document_events,
                sqs_arn("paperflow-dev-archive"),
                true
            ),
        ]
    );
    assert_eq!(
        spec.subscriptions[0].filter_policy,
        Some(json!({"type": [{"prefix": "invoice.finalized."}]}))
    );
    assert_eq!(spec.subscriptions[1].filter_policy, None);
    assert_eq!(spec.subscriptions[2].filter_policy, None);
}

#[test]
fn roles_keys_logs_alarms_and_policies_are_listed_as_not_emulated() {
    let spec = load();
    let listed: BTreeMap<&str, &str> = spec
        .not_emulated
        .iter()
        .map(|n| (n.logical_id.as_str(), n.resource_type.as_str()))
        .collect();
    for (logical_id, kind) in [
        ("DataKey", "AWS::KMS::Key"),
        ("DataKeyAlias", "AWS::KMS::Alias"),
        ("InvoiceApiRole", "AWS::IAM::Role"),
        ("PdfGeneratorRole", "AWS::IAM::Role"),
        ("PdfMailerRole", "AWS::IAM::Role"),
        ("EventArchiverRole", "AWS::IAM::Role"),
        ("PdfRequestsDeadLetterAlarm", "AWS::CloudWatch::Alarm"),
        ("ArchiveDeadLetterAlarm", "AWS::CloudWatch::Alarm"),
        ("MailerFailuresAlarm", "AWS::CloudWatch::Alarm"),
        ("PdfGeneratorLogGroup", "AWS::Logs::LogGroup"),
        ("DocumentsBucketPolicy", "AWS::S3::BucketPolicy"),
        ("InvoiceEventsTopicPolicy", "AWS::SNS::TopicPolicy"),
        ("PdfRequestsQueuePolicy", "AWS::SQS::QueuePolicy"),
    ] {
        assert_eq!(listed.get(logical_id), Some(&kind), "{logical_id}");
    }
    assert!(spec.not_emulated.iter().all(|n| !n.reason.is_empty()));
    // Created resources are never in the list.
    assert!(!listed.contains_key("DocumentsBucket"));
    assert!(!listed.contains_key("PdfGeneratorFunction"));
}

#[test]
fn properties_without_local_effect_are_said_out_loud() {
    let spec = load();
    let said = |logical_id: &str, property: &str| {
        spec.no_local_effect
            .iter()
            .any(|entry| entry.logical_id == logical_id && entry.property == property)
    };
    assert!(said("DocumentsBucket", "BucketEncryption"));
    assert!(said("DocumentsBucket", "LifecycleConfiguration"));
    assert!(said("DocumentsBucket", "LoggingConfiguration"));
    assert!(said("PdfRequestsQueue", "KmsMasterKeyId"));
    assert!(said("InvoiceEventsTopic", "KmsMasterKeyId"));
    assert!(said("PdfGeneratorFunction", "Architectures"));
    assert!(said("PdfGeneratorFunction", "Role"));
    assert!(said("HttpApi", "Auth"));
    assert!(said("HttpApi", "AccessLogSettings"));
    assert!(
        !said("PdfRequestsQueue", "RedrivePolicy"),
        "a used property"
    );
}

#[test]
fn outputs_are_resolved() {
    let spec = load();
    assert_eq!(
        spec.outputs.get("InvoiceEventsTopicArn"),
        Some(&sns_arn("paperflow-dev-invoice-events"))
    );
    assert_eq!(
        spec.outputs.get("DocumentsBucketName"),
        Some(&"paperflow-local-documentsbucket".to_owned())
    );
    let api_url = spec.outputs.get("ApiUrl").expect("ApiUrl");
    let id = api_url
        .strip_prefix("https://")
        .and_then(|rest| rest.strip_suffix(".execute-api.us-east-1.amazonaws.com/"))
        .expect("the API's URL");
    assert_eq!(id.len(), 10);
    assert!(
        id.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    // Stable: the same id on every run.
    assert_eq!(load().outputs.get("ApiUrl"), Some(api_url));
}

#[test]
fn a_stage_override_renames_topics_and_queues() {
    let spec = load_with(&[("Stage", "prod")]);
    assert_eq!(
        spec.parameters.get("Stage").map(String::as_str),
        Some("prod")
    );
    let generator = function(&spec, "pdf-generator");
    assert_eq!(
        generator.environment.get("DOCUMENT_EVENTS_TOPIC_ARN"),
        Some(&sns_arn("paperflow-prod-document-events"))
    );
    assert_eq!(
        generator.sqs_sources[0].queue_arn,
        sqs_arn("paperflow-prod-pdf-requests")
    );
    assert!(
        spec.queues
            .iter()
            .all(|q| q.name.starts_with("paperflow-prod-"))
    );
    assert!(
        spec.topics
            .iter()
            .all(|t| t.name.starts_with("paperflow-prod-"))
    );
}

#[test]
fn the_stack_context_goes_into_names_and_arns() {
    let context = StackContext {
        stack_name: "other".to_owned(),
        region: "eu-west-1".to_owned(),
        account_id: "000000000000".to_owned(),
    };
    let spec = template::load(&template_path(), &context, &BTreeMap::new()).expect("a spec");
    assert_eq!(
        spec.topics[0].arn,
        "arn:aws:sns:eu-west-1:000000000000:paperflow-dev-invoice-events"
    );
    assert_eq!(spec.buckets[1].name, "other-documentsbucket");
}

fn error_of(result: Result<StackSpec, TemplateError>) -> String {
    match result {
        Ok(_) => panic!("the template was accepted"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn a_bad_override_breaks_the_allowed_pattern() {
    let overrides = BTreeMap::from([("Stage".to_owned(), "Prod_1".to_owned())]);
    let error = error_of(template::load(
        &template_path(),
        &StackContext::default(),
        &overrides,
    ));
    assert!(
        error.starts_with("Parameters.Stage.AllowedPattern:"),
        "{error}"
    );
    assert!(error.contains("Prod_1"), "{error}");
}

#[test]
fn a_number_parameter_is_held_to_its_bounds() {
    let overrides = BTreeMap::from([("MemorySize".to_owned(), "64".to_owned())]);
    let error = error_of(template::load(
        &template_path(),
        &StackContext::default(),
        &overrides,
    ));
    assert!(
        error.starts_with("Parameters.MemorySize.MinValue:"),
        "{error}"
    );
}

#[test]
fn an_override_of_an_unknown_parameter_is_refused() {
    let overrides = BTreeMap::from([("Stgae".to_owned(), "prod".to_owned())]);
    let error = error_of(template::load(
        &template_path(),
        &StackContext::default(),
        &overrides,
    ));
    assert!(error.contains("Stgae"), "{error}");
    assert!(error.contains("not a parameter"), "{error}");
}

fn parse(yaml: &str) -> Result<StackSpec, TemplateError> {
    template::parse(yaml, &StackContext::default(), &BTreeMap::new())
}

const QUEUE_AND_FUNCTION: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../../functions/worker
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: QUEUE
"#;

#[test]
fn a_minimal_template_gets_lambda_and_sqs_defaults() {
    let spec = parse(&QUEUE_AND_FUNCTION.replace("QUEUE", "!GetAtt [Jobs, Arn]")).expect("a spec");
    let worker = &spec.functions[0];
    assert_eq!(worker.binary, "worker", "named after CodeUri");
    assert_eq!(worker.name, "paperflow-local-Worker");
    assert_eq!((worker.timeout_s, worker.memory_mb), (3, 128));
    let source = &worker.sqs_sources[0];
    assert_eq!(source.queue_arn, sqs_arn("paperflow-local-Jobs"));
    assert_eq!((source.batch_size, source.batching_window_s), (10, 0));
    assert!(!source.report_batch_item_failures);
    assert_eq!(source.maximum_concurrency, None);
    assert_eq!(spec.queues[0].visibility_timeout_s, 30);
    assert_eq!(spec.queues[0].message_retention_s, 345_600);
}

#[test]
fn long_form_intrinsics_are_read_too() {
    let spec = parse(&QUEUE_AND_FUNCTION.replace("QUEUE", r#"{"Fn::GetAtt": "Jobs.Arn"}"#))
        .expect("a spec");
    assert_eq!(
        spec.functions[0].sqs_sources[0].queue_arn,
        sqs_arn("paperflow-local-Jobs")
    );
    let spec = parse(&QUEUE_AND_FUNCTION.replace(
        "QUEUE",
        r#"{"Fn::Sub": ["arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Name}", {"Name": {"Fn::GetAtt": [Jobs, QueueName]}}]}"#,
    ))
    .expect("a spec");
    assert_eq!(
        spec.functions[0].sqs_sources[0].queue_arn,
        sqs_arn("paperflow-local-Jobs")
    );
}

#[test]
fn fn_if_is_refused_with_its_place() {
    let error = error_of(parse(
        &QUEUE_AND_FUNCTION.replace("QUEUE", "!If [IsProd, !GetAtt Jobs.Arn, other]"),
    ));
    assert_eq!(
        error,
        "Resources.Worker.Properties.Events.Jobs.Properties.Queue: Fn::If is not supported by the local stack"
    );
    let error = error_of(parse(
        &QUEUE_AND_FUNCTION.replace("QUEUE", r#"{"Fn::Join": ["", [a, b]]}"#),
    ));
    assert!(error.contains("Fn::Join is not supported"), "{error}");
}

#[test]
fn a_queue_outside_the_template_is_refused() {
    let error = error_of(parse(
        &QUEUE_AND_FUNCTION.replace("QUEUE", "arn:aws:sqs:us-east-1:123456789012:elsewhere"),
    ));
    assert!(
        error.starts_with("Resources.Worker.Properties.Events.Jobs.Properties.Queue:"),
        "{error}"
    );
    assert!(error.contains("not a queue of this template"), "{error}");
}

#[test]
fn an_unknown_resource_type_is_refused() {
    let error = error_of(parse(
        r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
"#,
    ));
    assert_eq!(
        error,
        "Resources.Table.Type: type AWS::DynamoDB::Table of resource Table is not supported by the local stack"
    );
}

#[test]
fn an_unknown_property_is_refused() {
    let error = error_of(parse(
        r#"
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
"#,
    ));
    assert!(
        error.starts_with("Resources.Jobs.Properties.FifoQueue: property FifoQueue of AWS::SQS::Queue Jobs is not supported"),
        "{error}"
    );
}

#[test]
fn an_unknown_event_type_or_property_is_refused() {
    let error = error_of(parse(
        r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: worker
      Events:
        Nightly:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
"#,
    ));
    assert!(
        error.starts_with("Resources.Worker.Properties.Events.Nightly.Type: event type Schedule"),
        "{error}"
    );
    let error = error_of(parse(&QUEUE_AND_FUNCTION.replace(
        "Queue: QUEUE",
        "Queue: !GetAtt Jobs.Arn\n            FilterCriteria: {}",
    )));
    assert!(
        error.starts_with("Resources.Worker.Properties.Events.Jobs.Properties.FilterCriteria:"),
        "{error}"
    );
}

#[test]
fn a_parameter_without_default_or_value_is_refused() {
    let error = error_of(parse(
        r#"
Parameters:
  Stage:
    Type: String
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "jobs-${Stage}"
"#,
    ));
    assert!(error.starts_with("Parameters.Stage:"), "{error}");
    assert!(error.contains("no Default"), "{error}");
}

#[test]
fn a_lambda_destination_is_refused() {
    let error = error_of(parse(
        r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: worker
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: Lambda
            Destination: arn:aws:lambda:us-east-1:123456789012:function:other
"#,
    ));
    assert!(
        error.starts_with(
            "Resources.Worker.Properties.EventInvokeConfig.DestinationConfig.OnFailure.Type:"
        ),
        "{error}"
    );
    assert!(
        error.contains("Lambda destinations are not supported"),
        "{error}"
    );
}

#[test]
fn unknown_conditions_rules_and_other_transforms_are_refused() {
    let error = error_of(parse(
        r#"
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Condition: IsProd
"#,
    ));
    assert_eq!(
        error,
        "Resources.Jobs.Condition: IsProd is not a condition of the template's Conditions"
    );
    let error = error_of(parse(
        "Rules: {}
Resources: {}
",
    ));
    assert!(error.starts_with("Rules:"), "{error}");
    let error = error_of(parse("Transform: AWS::LanguageExtensions\nResources: {}\n"));
    assert!(error.starts_with("Transform:"), "{error}");
}

#[test]
fn an_http_subscription_is_refused() {
    let error = error_of(parse(
        r#"
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Mail:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: https
      Endpoint: https://example.com/hook
"#,
    ));
    assert!(
        error.starts_with("Resources.Mail.Properties.Protocol: protocol https"),
        "{error}"
    );
}

#[test]
fn an_unsupported_get_att_is_refused() {
    let error = error_of(parse(
        r#"
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !GetAtt Topic.Nope
"#,
    ));
    assert!(
        error.starts_with("Resources.Jobs.Properties.QueueName: Fn::GetAtt Topic.Nope"),
        "{error}"
    );
}

#[test]
fn a_name_that_refers_to_itself_is_a_cycle() {
    let error = error_of(parse(
        r#"
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !GetAtt Topic.TopicName
"#,
    ));
    assert!(error.contains("circular reference"), "{error}");
}

#[test]
fn a_reference_to_nothing_is_refused() {
    let error = error_of(parse(
        r#"
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${Missing}-events"
"#,
    ));
    assert!(
        error.starts_with("Resources.Topic.Properties.TopicName:"),
        "{error}"
    );
    assert!(error.contains("Missing"), "{error}");
}

#[test]
fn globals_merge_into_functions_with_the_functions_values_winning() {
    let spec = parse(
        r#"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        SHARED: one
        OVERRIDDEN: global
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: worker/
      MemorySize: 1024
      Environment:
        Variables:
          OVERRIDDEN: own
"#,
    )
    .expect("a spec");
    let worker = &spec.functions[0];
    assert_eq!(worker.binary, "worker");
    assert_eq!((worker.timeout_s, worker.memory_mb), (10, 1024));
    assert_eq!(
        worker.environment,
        env(&[("OVERRIDDEN", "own"), ("SHARED", "one")])
    );
}

#[test]
fn yaml_anchors_and_sub_escapes_work() {
    let spec = parse(
        r#"
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: &name events
      Tags:
        - Key: name
          Value: *name
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Topic.TopicName}-${!literal}"
"#,
    );
    // `${!literal}` is CloudFormation's escape for a literal `${literal}`; SQS refuses such a
    // name in AWS, but resolving is what is tested here.
    let spec = spec.expect("a spec");
    assert_eq!(spec.topics[0].name, "events");
    assert_eq!(spec.queues[0].name, "events-${literal}");
}

#[test]
fn a_route_without_its_own_authorizer_gets_the_apis_default() {
    let spec = parse(
        r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: AWS_IAM
  Implicit:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: implicit
      Events:
        Open:
          Type: HttpApi
          Properties:
            Method: get
            Path: /open
  Explicit:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: explicit
      Events:
        Default:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Method: post
            Path: /things
        Public:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Method: GET
            Path: /health
            Auth:
              Authorizer: NONE
"#,
    )
    .expect("a spec");
    let apis: Vec<(&str, &str)> = spec
        .http_apis
        .iter()
        .map(|api| (api.logical_id.as_str(), api.stage.as_str()))
        .collect();
    assert_eq!(apis, [("Api", "v1"), ("ServerlessHttpApi", "$default")]);
    let implicit = &spec.functions[0].http_routes[0];
    assert_eq!(
        (implicit.api_logical_id.as_str(), implicit.method.as_str()),
        ("ServerlessHttpApi", "GET")
    );
    assert_eq!(implicit.authorizer, None);
    let explicit = &spec.functions[1].http_routes;
    assert_eq!(explicit[0].authorizer.as_deref(), Some("AWS_IAM"));
    assert_eq!(explicit[1].authorizer, None, "NONE opts out");
}

#[test]
fn the_alarm_topic_is_created_and_the_alarm_email_skipped_without_an_address() {
    let spec = load();
    let topics: Vec<&str> = spec.topics.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        topics,
        [
            "paperflow-dev-invoice-events",
            "paperflow-dev-document-events",
            "paperflow-dev-alarms"
        ]
    );
    assert_eq!(
        spec.outputs.get("AlarmTopicArn"),
        Some(&sns_arn("paperflow-dev-alarms"))
    );
    // AlarmEmail is empty by default: HasAlarmEmail is false, so the subscription does not exist.
    assert!(
        spec.not_emulated
            .iter()
            .all(|n| n.logical_id != "AlarmEmailSubscription")
    );
    assert!(
        spec.subscriptions
            .iter()
            .all(|s| s.logical_id != "AlarmEmailSubscription")
    );
}

#[test]
fn an_alarm_email_subscription_is_named_as_not_emulated() {
    let spec = load_with(&[("AlarmEmail", "oncall@example.com")]);
    let listed = spec
        .not_emulated
        .iter()
        .find(|n| n.logical_id == "AlarmEmailSubscription")
        .expect("the e-mail subscription is listed");
    assert_eq!(listed.resource_type, "AWS::SNS::Subscription");
    assert!(
        listed.reason.contains("no mail server"),
        "{}",
        listed.reason
    );
    assert_eq!(spec.subscriptions.len(), 3, "only the queue subscriptions");
}

#[test]
fn reserved_concurrency_and_sns_event_redrives_are_said_to_have_no_local_effect() {
    let spec = load();
    let reason = |logical_id: &str, property: &str| {
        spec.no_local_effect
            .iter()
            .find(|entry| entry.logical_id == logical_id && entry.property == property)
            .map(|entry| entry.reason.clone())
            .unwrap_or_else(|| panic!("{logical_id}.{property} is reported"))
    };
    // The mailer's value comes from Fn::FindInMap: resolved, then reported.
    for function in ["PdfMailerFunction", "InvoiceApiFunction"] {
        let why = reason(function, "ReservedConcurrentExecutions");
        assert!(why.contains("one instance per function"), "{why}");
    }
    let why = reason(
        "PdfMailerFunction",
        "Events.PdfReady.Properties.RedrivePolicy",
    );
    assert!(why.contains("no dead-letter queue"), "{why}");
}

/// A queue whose visibility timeout comes from `VALUE`, in a template with a parameter, a
/// mapping and conditions.
const WITH_CONDITIONS: &str = r#"
Parameters:
  Stage:
    Type: String
    Default: dev
  Size:
    Type: Number
    Default: 2
Mappings:
  Timeouts:
    dev: {Visibility: 45}
    prod: {Visibility: 90}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsNotProd: !Not [!Condition IsProd]
  IsBigInUsEast: !And [!Equals [!Ref Size, 2], !Equals [!Ref "AWS::Region", us-east-1]]
  IsProdOrBig: {"Fn::Or": [{Condition: IsProd}, {Condition: IsBigInUsEast}]}
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: VALUE
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
  NotProd:
    Type: AWS::SQS::Queue
    Condition: IsNotProd
  ProdOrBig:
    Type: AWS::SQS::Queue
    Condition: IsProdOrBig
Outputs:
  ProdQueue:
    Condition: IsProd
    Value: !Ref ProdOnly
"#;

fn parse_with(yaml: &str, overrides: &[(&str, &str)]) -> Result<StackSpec, TemplateError> {
    let overrides: BTreeMap<String, String> = overrides
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    template::parse(yaml, &StackContext::default(), &overrides)
}

fn queue_ids(spec: &StackSpec) -> Vec<&str> {
    spec.queues.iter().map(|q| q.logical_id.as_str()).collect()
}

#[test]
fn a_resource_whose_condition_is_false_is_left_out() {
    let template = WITH_CONDITIONS.replace("VALUE", "30");
    let spec = parse_with(&template, &[]).expect("a spec");
    assert_eq!(queue_ids(&spec), ["Jobs", "NotProd", "ProdOrBig"]);
    assert!(spec.outputs.is_empty(), "the output's condition is false");

    let spec = parse_with(&template, &[("Stage", "prod"), ("Size", "3")]).expect("a spec");
    assert_eq!(queue_ids(&spec), ["Jobs", "ProdOnly", "ProdOrBig"]);
    assert_eq!(
        spec.outputs.get("ProdQueue"),
        Some(
            &"https://sqs.us-east-1.amazonaws.com/123456789012/paperflow-local-ProdOnly".to_owned()
        )
    );

    let spec = parse_with(&template, &[("Size", "3")]).expect("a spec");
    assert_eq!(
        queue_ids(&spec),
        ["Jobs", "NotProd"],
        "neither prod nor big"
    );
}

#[test]
fn a_reference_to_a_resource_left_out_is_refused() {
    let template = WITH_CONDITIONS.replace("VALUE", "30").replace(
        "  ProdOrBig:\n    Type: AWS::SQS::Queue\n    Condition: IsProdOrBig",
        "  ProdOrBig:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt ProdOnly.QueueName",
    );
    let error = error_of(parse_with(&template, &[]));
    assert_eq!(
        error,
        "Resources.ProdOrBig.Properties.QueueName: ProdOnly is not created: its condition IsProd is false (CloudFormation refuses this reference too)"
    );
    let error = error_of(parse_with(
        &template.replace("!GetAtt ProdOnly.QueueName", "!Sub \"${ProdOnly}-copy\""),
        &[],
    ));
    assert!(
        error.ends_with("ProdOnly is not created: its condition IsProd is false (CloudFormation refuses this reference too)"),
        "{error}"
    );
}

#[test]
fn bad_conditions_are_refused_with_their_place() {
    let template = WITH_CONDITIONS.replace("VALUE", "30");
    let refused = |from: &str, to: &str| error_of(parse_with(&template.replace(from, to), &[]));
    assert_eq!(
        refused(
            "!Not [!Condition IsProd]",
            "!Not [!Condition IsProd, !Condition IsProd]"
        ),
        "Conditions.IsNotProd.Fn::Not: takes a list of one condition"
    );
    assert_eq!(
        refused("!Equals [!Ref Stage, prod]", "!Equals [!Ref Jobs, prod]"),
        "Conditions.IsProd.Fn::Equals[0]: a condition may refer only to parameters and pseudo parameters, not to resource Jobs"
    );
    assert_eq!(
        refused("!Equals [!Ref Stage, prod]", "!Not [!Condition IsNotProd]"),
        "Conditions.IsProd: circular condition: IsProd → IsNotProd → IsProd"
    );
    assert_eq!(
        refused("!Condition IsProd]", "!Condition IsStaging]"),
        "Conditions.IsNotProd.Fn::Not[0].Condition: IsStaging is not a condition of the template's Conditions"
    );
}

#[test]
fn fn_find_in_map_reads_the_mappings() {
    let value = "!FindInMap [Timeouts, !Ref Stage, Visibility]";
    let template = WITH_CONDITIONS.replace("VALUE", value);
    let spec = parse_with(&template, &[]).expect("a spec");
    assert_eq!(spec.queues[0].visibility_timeout_s, 45);
    let spec = parse_with(&template, &[("Stage", "prod")]).expect("a spec");
    assert_eq!(spec.queues[0].visibility_timeout_s, 90);
}

#[test]
fn fn_find_in_map_names_the_missing_map_or_key() {
    let refused = |value: &str, overrides: &[(&str, &str)]| {
        error_of(parse_with(
            &WITH_CONDITIONS.replace("VALUE", value),
            overrides,
        ))
    };
    let place = "Resources.Jobs.Properties.VisibilityTimeout";
    assert_eq!(
        refused(
            "!FindInMap [Timeouts, !Ref Stage, Visibility]",
            &[("Stage", "test")]
        ),
        format!("{place}: Fn::FindInMap: Mappings.Timeouts has no top-level key \"test\"")
    );
    assert_eq!(
        refused("!FindInMap [Timeouts, dev, Delay]", &[]),
        format!("{place}: Fn::FindInMap: Mappings.Timeouts.dev has no second-level key \"Delay\"")
    );
    assert_eq!(
        refused("!FindInMap [Sizes, dev, Visibility]", &[]),
        format!("{place}: Fn::FindInMap: Mappings has no map \"Sizes\"")
    );
    assert_eq!(
        refused("!FindInMap [Timeouts, dev]", &[]),
        format!("{place}: Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]")
    );
}
