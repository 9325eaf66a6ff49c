//! What an invocation handles, named the same way wherever the local stack reports on one: a
//! kill's line in the fault log ([`crate::faults::KillSwitch`]) and the progress line of an
//! invocation that failed as a whole ([`crate::progress::Progress::Invoked`]'s `work`), whose
//! records the trigger delivers again. An account of a run (scripts/chaos.py) ties a second
//! copy of something (an e-mail, an archived message) to the kill or timeout that caused it by
//! these ids.

use serde_json::Value;

/// What an invocation handles, read from the event it is invoked with.
#[derive(Debug, Default, PartialEq)]
pub struct Work {
    /// Per record (an SQS message, an SNS notification): the id of the event it carries, or the
    /// message's own id when it carries no event (not JSON, say); for an HTTP request, the API
    /// gateway's request id.
    pub ids: Vec<String>,
    /// The events' subjects (invoice ids), each once.
    pub subjects: Vec<String>,
}

impl Work {
    /// Reads `payload`, a Lambda event of SQS, SNS or an API gateway; anything else names
    /// nothing.
    pub fn of(payload: &[u8]) -> Work {
        let mut work = Work::default();
        let Ok(event) = serde_json::from_slice::<Value>(payload) else {
            return work;
        };
        if let Some(records) = event.get("Records").and_then(Value::as_array) {
            for record in records {
                let (body, message_id) = match record.get("Sns") {
                    Some(sns) => (&sns["Message"], &sns["MessageId"]),
                    None => (&record["body"], &record["messageId"]),
                };
                let carried = body
                    .as_str()
                    .and_then(|body| paperflow_events::event_json(body).ok());
                let text = |value: Option<&Value>| {
                    value
                        .and_then(Value::as_str)
                        .filter(|text| !text.is_empty())
                        .map(str::to_owned)
                };
                if let Some(id) = text(carried.as_ref().and_then(|e| e.get("id")))
                    .or_else(|| text(Some(message_id)))
                {
                    work.ids.push(id);
                }
                if let Some(subject) = text(carried.as_ref().and_then(|e| e.get("subject")))
                    && !work.subjects.contains(&subject)
                {
                    work.subjects.push(subject);
                }
            }
        } else if let Some(request_id) = event
            .pointer("/requestContext/requestId")
            .and_then(Value::as_str)
        {
            work.ids.push(request_id.to_owned());
        }
        work
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ready_notice(id: &str, invoice: &str) -> String {
        json!({"specversion": "1.0", "id": id, "type": "invoice.pdf.ready.v1", "subject": invoice})
            .to_string()
    }

    #[test]
    fn a_mailer_invocation_names_the_notice_and_its_invoice() {
        let payload = json!({"Records": [{"Sns": {
            "MessageId": "sns-message-1",
            "Message": ready_notice("notice-7", "INV-7"),
        }}]});
        let work = Work::of(payload.to_string().as_bytes());
        assert_eq!(work.ids, ["notice-7"]);
        assert_eq!(work.subjects, ["INV-7"]);
    }

    #[test]
    fn a_batch_names_every_record_and_each_invoice_once() {
        let payload = json!({"Records": [
            {"messageId": "m-1", "body": ready_notice("e-1", "INV-1")},
            {"messageId": "m-2", "body": "not an event {"},
            {"messageId": "m-3", "body": ready_notice("e-3", "INV-1")},
        ]});
        let work = Work::of(payload.to_string().as_bytes());
        assert_eq!(work.ids, ["e-1", "m-2", "e-3"]);
        assert_eq!(work.subjects, ["INV-1"]);
    }

    #[test]
    fn a_request_names_its_request_id_and_noise_names_nothing() {
        let request = json!({"rawPath": "/v1/invoices", "requestContext": {"requestId": "req-1"}});
        assert_eq!(Work::of(request.to_string().as_bytes()).ids, ["req-1"]);
        assert_eq!(Work::of(b"not json"), Work::default());
    }
}
