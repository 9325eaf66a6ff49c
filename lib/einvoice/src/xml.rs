//! A small XML element tree, written out by `quick-xml`, and the number formats of e-invoices.
//!
//! The CII and UBL writers build their document as a tree of [`Element`]s, which keeps optional
//! business terms to one line each (`.leaf_opt(...)`), and [`Element::to_bytes`] hands it to
//! quick-xml's writer, which escapes every text and attribute. Nothing here knows about
//! invoices; the output is a pure function of the tree (same tree, same bytes).

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

/// One XML element: a qualified name (`ram:ID`), its attributes and either text or children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    name: &'static str,
    attributes: Vec<(&'static str, String)>,
    text: Option<String>,
    children: Vec<Element>,
}

impl Element {
    /// An empty element.
    pub(crate) fn new(name: &'static str) -> Element {
        Element {
            name,
            attributes: Vec::new(),
            text: None,
            children: Vec::new(),
        }
    }

    /// An element holding only `text`.
    pub(crate) fn text(name: &'static str, text: impl Into<String>) -> Element {
        Element {
            text: Some(text.into()),
            ..Element::new(name)
        }
    }

    /// This element with one more attribute.
    pub(crate) fn attr(mut self, name: &'static str, value: impl Into<String>) -> Element {
        self.attributes.push((name, value.into()));
        self
    }

    /// This element with one more child.
    pub(crate) fn child(mut self, child: Element) -> Element {
        self.children.push(child);
        self
    }

    /// This element with `child` appended when there is one.
    pub(crate) fn child_opt(self, child: Option<Element>) -> Element {
        match child {
            Some(child) => self.child(child),
            None => self,
        }
    }

    /// This element with every child of `children` appended, in order.
    pub(crate) fn children(mut self, children: impl IntoIterator<Item = Element>) -> Element {
        self.children.extend(children);
        self
    }

    /// This element with a text-only child `name`.
    pub(crate) fn leaf(self, name: &'static str, text: impl Into<String>) -> Element {
        self.child(Element::text(name, text))
    }

    /// This element with a text-only child `name` when `text` is given and not blank: an empty
    /// element is an error in the e-invoice formats (PEPPOL-EN16931-R008, CII-SR rules).
    pub(crate) fn leaf_opt(self, name: &'static str, text: Option<&str>) -> Element {
        match text {
            Some(text) if !text.trim().is_empty() => self.leaf(name, text),
            _ => self,
        }
    }

    /// The document: an XML declaration (UTF-8) and this element as its root, indented by two
    /// spaces, with a final line break.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
        // Writing into a Vec<u8> has no I/O that could fail.
        write_document(&mut writer, self).expect("writing XML into memory cannot fail");
        let mut bytes = writer.into_inner();
        bytes.push(b'\n');
        bytes
    }
}

fn write_document(writer: &mut Writer<Vec<u8>>, root: &Element) -> std::io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    write_element(writer, root)
}

fn write_element(writer: &mut Writer<Vec<u8>>, element: &Element) -> std::io::Result<()> {
    let start = writer.create_element(element.name).with_attributes(
        element
            .attributes
            .iter()
            .map(|(name, value)| (*name, value.as_str())),
    );
    match (&element.text, element.children.is_empty()) {
        (Some(text), _) => {
            start.write_text_content(BytesText::new(text))?;
        }
        (None, true) => {
            start.write_empty()?;
        }
        (None, false) => {
            start.write_inner_content(|writer| {
                element
                    .children
                    .iter()
                    .try_for_each(|child| write_element(writer, child))
            })?;
        }
    }
    Ok(())
}

/// An amount of `minor` units as a decimal with exactly `exponent` digits after the point:
/// `(123456, 2)` is `1234.56`, `(-5, 2)` is `-0.05`, `(1200, 0)` is `1200`.
pub(crate) fn decimal(minor: i64, exponent: u8) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{magnitude}");
    }
    let scale = 10u64.pow(u32::from(exponent));
    let width = usize::from(exponent);
    format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale)
}

/// A number of thousandths as the shortest decimal: `24000` is `24`, `1500` is `1.5`,
/// `-125` is `-0.125`.
pub(crate) fn thousandths(milli: i64) -> String {
    trimmed(decimal(milli, 3))
}

/// A tax rate in basis points as a percentage: `1900` is `19`, `550` is `5.5`, `0` is `0`.
pub(crate) fn percent(basis_points: u32) -> String {
    trimmed(decimal(i64::from(basis_points), 2))
}

fn trimmed(decimal: String) -> String {
    if decimal.contains('.') {
        decimal
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        decimal
    }
}

/// `YYYYMMDD`, the CII date format `102`.
pub(crate) fn date_102(date: time::Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `YYYY-MM-DD`, the UBL date.
pub(crate) fn date_iso(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_exactly_the_currency_digits() {
        assert_eq!(decimal(123_456, 2), "1234.56");
        assert_eq!(decimal(5, 2), "0.05");
        assert_eq!(decimal(-5, 2), "-0.05");
        assert_eq!(decimal(0, 2), "0.00");
        assert_eq!(decimal(1200, 0), "1200");
        assert_eq!(decimal(i64::MIN, 2), "-92233720368547758.08");
    }

    #[test]
    fn quantities_and_rates_are_the_shortest_decimal() {
        assert_eq!(thousandths(24_000), "24");
        assert_eq!(thousandths(1_500), "1.5");
        assert_eq!(thousandths(-125), "-0.125");
        assert_eq!(percent(1900), "19");
        assert_eq!(percent(550), "5.5");
        assert_eq!(percent(725), "7.25");
        assert_eq!(percent(0), "0");
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let root = Element::new("a")
            .attr("k", "\"<&>'")
            .leaf("b", "Smith & Sons <GmbH>");
        let xml = String::from_utf8(root.to_bytes()).expect("UTF-8");
        assert!(
            xml.contains("<b>Smith &amp; Sons &lt;GmbH&gt;</b>"),
            "{xml}"
        );
        assert!(xml.contains("k=\"&quot;&lt;&amp;&gt;&apos;\""), "{xml}");
    }

    #[test]
    fn blank_optional_text_writes_no_element() {
        let root = Element::new("r")
            .leaf_opt("a", Some(" "))
            .leaf_opt("b", None)
            .leaf_opt("c", Some("x"));
        assert_eq!(root, Element::new("r").leaf("c", "x"));
    }

    #[test]
    fn empty_elements_and_nesting_are_indented() {
        let root = Element::new("r").child(Element::new("e")).leaf("t", "x");
        let xml = String::from_utf8(root.to_bytes()).expect("UTF-8");
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>\n  <e/>\n  <t>x</t>\n</r>\n"
        );
    }
}
