//! Factur-X: the invoice PDF made one PDF/A-3b file that carries its CII XML.
//!
//! What this adds to the PDF the writer made, each because PDF/A-3 or Factur-X 1.0 requires it:
//! - an sRGB OutputIntent (`/S /GTS_PDFA1`) with the ICC profile embedded; the profile is built
//!   by the `moxcms` crate (declared ICC 4.2, see [`declare_icc_4_2`]), not copied into this
//!   repository;
//! - XMP metadata, uncompressed on the catalog: `pdfaid:part 3`, `pdfaid:conformance B`, the
//!   document information repeated in XMP as PDF/A wants it consistent, and the Factur-X
//!   extension schema declared in `pdfaExtension:schemas`;
//! - the XML as an embedded file `factur-x.xml` (`/Subtype /text#2Fxml`, `/Params` with size and
//!   date) in a file specification whose `/AFRelationship` is `/Alternative`, as Factur-X 1.0
//!   asks for the EN 16931 profile (`/Data` is for MINIMUM and BASIC WL), named in the catalog's
//!   `/Names /EmbeddedFiles` and `/AF`;
//! - PDF 1.7 in the header, the version PDF/A-3 is built on.
//!
//! Nothing here reads a clock or draws a random id: the dates are the invoice's and the `/ID`
//! is the writer's fingerprint, so the same invoice and XML always give the same bytes.
//! What PDF/A-3b asks of the pages themselves (fonts embedded with ToUnicode maps, no
//! transparency, no encryption, device grey under an output intent) the writer already does for
//! every PDF.

use crate::RenderError;
use crate::pdf::DocumentInfo;
use lopdf::{Dictionary, Document, Object, Stream, StringFormat};
use std::sync::OnceLock;

/// The name Factur-X gives the embedded XML.
pub const FACTUR_X_FILE_NAME: &str = "factur-x.xml";

/// The Factur-X profile whose XML is embedded, as the XMP names it (`fx:ConformanceLevel`).
const CONFORMANCE_LEVEL: &str = "EN 16931";

/// Factur-X's XMP namespace (`fx:`), fixed by the Factur-X 1.0 specification.
const FACTUR_X_NAMESPACE: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

/// Turns `pdf` into a Factur-X PDF/A-3b file with `xml` embedded.
pub(crate) fn make_factur_x(
    pdf: &mut Document,
    info: &DocumentInfo,
    xml: &[u8],
) -> Result<(), RenderError> {
    pdf.version = "1.7".to_owned();
    let catalog_id = pdf
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|error| RenderError(format!("the PDF has no catalog: {error}")))?;
    trim_info_to_xmp(pdf);

    let output_intent = output_intent(pdf)?;
    let date = info.date()?;
    let metadata = pdf.add_object(xmp_stream(info, &date));
    let file_spec = embed_xml(pdf, &date, xml);

    let catalog = pdf
        .get_object_mut(catalog_id)
        .and_then(Object::as_dict_mut)
        .map_err(|error| RenderError(format!("the PDF's catalog: {error}")))?;
    catalog.set("OutputIntents", Object::Array(vec![output_intent]));
    catalog.set("Metadata", Object::Reference(metadata));
    catalog.set("AF", Object::Array(vec![Object::Reference(file_spec)]));
    let names = Dictionary::from_iter([(
        "EmbeddedFiles",
        Object::Dictionary(Dictionary::from_iter([(
            "Names",
            Object::Array(vec![text(FACTUR_X_FILE_NAME), Object::Reference(file_spec)]),
        )])),
    )]);
    catalog.set("Names", Object::Dictionary(names));
    Ok(())
}

/// A PDF text string; PDF/A reads ASCII literals as PDFDocEncoding, which agrees with it.
fn text(value: &str) -> Object {
    Object::String(value.as_bytes().to_vec(), StringFormat::Literal)
}

/// Drops the document information entries the XMP does not repeat (the empty `/Keywords`, and
/// `/Trapped`), since PDF/A requires every entry there to have its equal in the XMP.
fn trim_info_to_xmp(pdf: &mut Document) {
    let Ok(info_id) = pdf.trailer.get(b"Info").and_then(Object::as_reference) else {
        return;
    };
    if let Ok(info) = pdf.get_object_mut(info_id).and_then(Object::as_dict_mut) {
        info.remove(b"Keywords");
        info.remove(b"Trapped");
    }
}

/// The sRGB ICC profile, built once per process.
fn srgb_profile() -> Result<&'static [u8], RenderError> {
    static PROFILE: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    PROFILE
        .get_or_init(|| {
            let mut profile = moxcms::ColorProfile::new_srgb();
            // The CICP tag is an ICC 4.4 addition that PDF 1.7 readers do not know.
            profile.cicp = None;
            let mut bytes = profile.encode().map_err(|error| format!("{error:?}"))?;
            declare_icc_4_2(&mut bytes)?;
            Ok(bytes)
        })
        .as_deref()
        .map_err(|error| RenderError(format!("building the sRGB ICC profile: {error}")))
}

/// Declares the profile as ICC 4.2 (ICC.1:2004-10), the newest version PDF 1.7 and so PDF/A-3
/// accept. moxcms stamps what it writes with its own newest version (4.4), but without the
/// CICP tag an sRGB profile holds only tags and types of ICC 4.0 (`XYZ`, `sf32`, `para`,
/// `mluc`), so the lower version is true of it. The header's profile id (an MD5 that would
/// cover the version) is left zero by moxcms, meaning "not computed", so nothing else changes.
///
/// moxcms also stamps the header's creation date with the clock, which made the same invoice
/// give other bytes a second later: the date is set to a fixed one, as every other date in
/// paperflow's PDFs comes from the document, never the clock.
fn declare_icc_4_2(profile: &mut [u8]) -> Result<(), String> {
    const VERSION: std::ops::Range<usize> = 8..12;
    const CREATED: std::ops::Range<usize> = 24..36;
    const PROFILE_ID: std::ops::Range<usize> = 84..100;
    // 2026-01-01 00:00:00: year, month, day, hours, minutes, seconds, big-endian u16 each.
    const FIXED_CREATION_DATE: [u8; 12] = [0x07, 0xEA, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0];
    if profile.len() < 128 || profile[PROFILE_ID].iter().any(|&byte| byte != 0) {
        return Err("moxcms wrote a profile with a header this code does not expect".into());
    }
    profile[VERSION].copy_from_slice(&[4, 0x20, 0, 0]);
    profile[CREATED].copy_from_slice(&FIXED_CREATION_DATE);
    Ok(())
}

/// The PDF/A output intent: the colours are meant for an sRGB screen.
fn output_intent(pdf: &mut Document) -> Result<Object, RenderError> {
    let profile = srgb_profile()?;
    let icc = Stream::new(
        Dictionary::from_iter([("N", Object::Integer(3))]),
        profile.to_vec(),
    );
    let icc_id = pdf.add_object(icc);
    Ok(Object::Dictionary(Dictionary::from_iter([
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        ("OutputConditionIdentifier", text("sRGB IEC61966-2.1")),
        ("Info", text("sRGB IEC61966-2.1")),
        ("DestOutputProfile", Object::Reference(icc_id)),
    ])))
}

/// The XML as an embedded file in a file specification that says what it is to the PDF.
fn embed_xml(pdf: &mut Document, date: &printpdf::OffsetDateTime, xml: &[u8]) -> lopdf::ObjectId {
    let params = Dictionary::from_iter([
        ("Size", Object::Integer(xml.len() as i64)),
        ("ModDate", text(&pdf_date(date))),
    ]);
    let file = Stream::new(
        Dictionary::from_iter([
            ("Type", Object::Name(b"EmbeddedFile".to_vec())),
            ("Subtype", Object::Name(b"text/xml".to_vec())),
            ("Params", Object::Dictionary(params)),
        ]),
        xml.to_vec(),
    );
    let file_id = pdf.add_object(file);
    let streams = Dictionary::from_iter([
        ("F", Object::Reference(file_id)),
        ("UF", Object::Reference(file_id)),
    ]);
    pdf.add_object(Dictionary::from_iter([
        ("Type", Object::Name(b"Filespec".to_vec())),
        ("F", text(FACTUR_X_FILE_NAME)),
        ("UF", text(FACTUR_X_FILE_NAME)),
        ("Desc", text("Factur-X invoice (EN 16931)")),
        ("AFRelationship", Object::Name(b"Alternative".to_vec())),
        ("EF", Object::Dictionary(streams)),
    ]))
}

/// The document's date as PDF writes dates, equal to the document information's.
fn pdf_date(date: &printpdf::OffsetDateTime) -> String {
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        date.year(),
        u8::from(date.month()),
        date.day(),
        date.hour(),
        date.minute(),
        date.second()
    )
}

/// The same date as XMP writes dates.
fn xmp_date(date: &printpdf::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        date.year(),
        u8::from(date.month()),
        date.day(),
        date.hour(),
        date.minute(),
        date.second()
    )
}

/// `value` safe inside XML text.
fn escaped(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            _ => escaped.push(ch),
        }
    }
    escaped
}

/// The XMP metadata stream, uncompressed as PDF/A requires.
fn xmp_stream(info: &DocumentInfo, date: &printpdf::OffsetDateTime) -> Stream {
    let packet = xmp_packet(info, date);
    let mut stream = Stream::new(
        Dictionary::from_iter([
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        packet.into_bytes(),
    );
    stream.allows_compression = false;
    stream
}

/// One property of the Factur-X extension schema, as `pdfaExtension:schemas` declares it.
fn extension_property(name: &str, description: &str) -> String {
    format!(
        r#"                <rdf:li rdf:parseType="Resource">
                  <pdfaProperty:name>{name}</pdfaProperty:name>
                  <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                  <pdfaProperty:category>external</pdfaProperty:category>
                  <pdfaProperty:description>{description}</pdfaProperty:description>
                </rdf:li>
"#
    )
}

/// The XMP packet: PDF/A identification, the document information, and Factur-X's own
/// properties with the extension schema that PDF/A requires for them.
fn xmp_packet(info: &DocumentInfo, date: &printpdf::OffsetDateTime) -> String {
    let date = xmp_date(date);
    let properties = [
        (
            "DocumentFileName",
            "The name of the embedded XML invoice file",
        ),
        (
            "DocumentType",
            "The type of the hybrid document in capital letters, INVOICE or ORDER",
        ),
        ("Version", "The version of the Factur-X XML schema"),
        (
            "ConformanceLevel",
            "The conformance level of the embedded Factur-X data",
        ),
    ]
    .map(|(name, description)| extension_property(name, description))
    .concat();
    format!(
        r#"<?xpacket begin="{bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
    <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
      <pdfaid:part>3</pdfaid:part>
      <pdfaid:conformance>B</pdfaid:conformance>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <dc:format>application/pdf</dc:format>
      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
      <dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
      <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
      <xmp:CreatorTool>{creator}</xmp:CreatorTool>
      <xmp:CreateDate>{date}</xmp:CreateDate>
      <xmp:ModifyDate>{date}</xmp:ModifyDate>
      <xmp:MetadataDate>{date}</xmp:MetadataDate>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
      <pdf:Producer>{creator}</pdf:Producer>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
      <pdfaExtension:schemas>
        <rdf:Bag>
          <rdf:li rdf:parseType="Resource">
            <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
            <pdfaSchema:namespaceURI>{namespace}</pdfaSchema:namespaceURI>
            <pdfaSchema:prefix>fx</pdfaSchema:prefix>
            <pdfaSchema:property>
              <rdf:Seq>
{properties}              </rdf:Seq>
            </pdfaSchema:property>
          </rdf:li>
        </rdf:Bag>
      </pdfaExtension:schemas>
    </rdf:Description>
    <rdf:Description rdf:about="" xmlns:fx="{namespace}">
      <fx:DocumentType>INVOICE</fx:DocumentType>
      <fx:DocumentFileName>{file_name}</fx:DocumentFileName>
      <fx:Version>1.0</fx:Version>
      <fx:ConformanceLevel>{level}</fx:ConformanceLevel>
    </rdf:Description>
  </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        bom = '\u{FEFF}',
        title = escaped(&info.title),
        author = escaped(&info.author),
        subject = escaped(&info.subject),
        creator = escaped(crate::pdf::CREATOR),
        namespace = FACTUR_X_NAMESPACE,
        file_name = FACTUR_X_FILE_NAME,
        level = CONFORMANCE_LEVEL,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_srgb_profile_is_an_icc_4_2_rgb_display_profile() {
        let profile = srgb_profile().expect("moxcms builds sRGB");
        assert_eq!(&profile[36..40], b"acsp", "the ICC signature");
        assert_eq!(
            &profile[8..12],
            &[4, 0x20, 0, 0],
            "ICC 4.2, as PDF 1.7 reads"
        );
        let parsed = moxcms::ColorProfile::new_from_slice(profile).expect("moxcms reads it back");
        assert!(parsed.cicp.is_none(), "no tag newer than PDF 1.7 knows");
        assert_eq!(&profile[12..16], b"mntr", "a display profile");
        assert_eq!(&profile[16..20], b"RGB ", "of RGB data");
        let size = u32::from_be_bytes([profile[0], profile[1], profile[2], profile[3]]);
        assert_eq!(size as usize, profile.len(), "its header states its size");
        assert_eq!(
            &profile[24..36],
            &[0x07, 0xEA, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0],
            "a fixed creation date, never the clock's: the same invoice, the same bytes"
        );
    }

    #[test]
    fn xmp_text_is_escaped() {
        assert_eq!(
            escaped("A & B <C> \"D\""),
            "A &amp; B &lt;C&gt; &quot;D&quot;"
        );
    }
}
