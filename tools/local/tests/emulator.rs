//! What the local stack asks of the emulator instead of assuming it, against a real moto: its
//! account (STS GetCallerIdentity) and the services it lacks (none: moto has SES v2). The
//! result against moto must be what the stack assumed before it asked (account 123456789012,
//! every function runs), so the moto-based stack is unchanged.

use paperflow_local::emulator::Emulator;
use paperflow_local::spec::StackContext;
use paperflow_local::template;
use paperflow_tests::moto::Moto;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

#[tokio::test]
async fn moto_reports_the_account_the_template_always_assumed_and_lacks_no_service() {
    let moto = Moto::start();
    {
        let emulator = Emulator::existing(moto.endpoint(), "us-east-1")
            .await
            .expect("a loopback endpoint");
        assert_eq!(
            emulator.name(),
            "the emulator",
            "moto has no LocalStack health route"
        );
        let account = emulator.account().await.expect("moto answers STS");
        assert_eq!(account, StackContext::default().account_id);
        assert_eq!(
            emulator.missing_services().await.expect("moto answers"),
            vec![]
        );
    }
}

#[tokio::test]
async fn an_emulator_that_is_not_there_is_an_error_naming_its_endpoint() {
    let moto = Moto::start();
    let endpoint = moto.endpoint().to_owned();
    drop(moto);
    {
        let emulator = Emulator::existing(&endpoint, "us-east-1")
            .await
            .expect("a loopback endpoint");
        let error = emulator.account().await.expect_err("nothing answers");
        assert!(error.contains(&endpoint), "{error}");
        assert!(error.contains("GetCallerIdentity"), "{error}");
    }
}

#[test]
fn the_template_in_another_account_names_every_resource_in_it_and_only_the_mailer_needs_ses() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../infra/sam/template.yaml");
    let context = StackContext {
        account_id: "000000000000".to_owned(),
        ..StackContext::default()
    };
    let spec = template::load(&path, &context, &BTreeMap::new()).expect("the real template");
    let arns = spec
        .topics
        .iter()
        .map(|topic| topic.arn.as_str())
        .chain(spec.queues.iter().map(|queue| queue.arn.as_str()))
        .chain(spec.functions.iter().map(|function| function.arn.as_str()));
    for arn in arns {
        assert_eq!(arn.split(':').nth(4), Some("000000000000"), "{arn}");
    }
    for function in &spec.functions {
        for value in function.environment.values() {
            assert!(
                !value.contains("123456789012"),
                "{}: {value}",
                function.binary
            );
        }
    }
    let needing_ses: Vec<&str> = spec
        .functions_calling("ses")
        .iter()
        .map(|function| function.binary.as_str())
        .collect();
    assert_eq!(needing_ses, ["pdf-mailer"]);
    let without = spec.without_functions(&BTreeSet::from(["PdfMailerFunction".to_owned()]));
    let left: Vec<&str> = without
        .functions
        .iter()
        .map(|f| f.binary.as_str())
        .collect();
    assert!(
        !left.contains(&"pdf-mailer") && left.len() == spec.functions.len() - 1,
        "{left:?}"
    );
    assert_eq!(
        without.queues.len(),
        spec.queues.len(),
        "the resources stay"
    );
}
