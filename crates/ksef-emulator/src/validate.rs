//! What KSeF checks before it gives an invoice a number (research §A(b) "Invoice
//! verification"): UTF-8 without BOM, a prolog (if any) that says UTF-8, no processing
//! instructions, no discouraged code points, no DTD, and validity against the official
//! FA(3) schema — through libxml2's own XSD validator, not a hand-written subset.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::OnceLock;

use libxml::parser::Parser;
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};

/// The FA(3) schema and the ones it imports, as the Ministry publishes them.
const FA3: &str = include_str!("../xsd/schemat_FA(3)_v1-0E.xsd");
const STRUKTURY: &str = include_str!("../xsd/StrukturyDanych_v10-0E.xsd");
const ELEMENTARNE: &str = include_str!("../xsd/ElementarneTypyDanych_v10-0E.xsd");
const KODY: &str = include_str!("../xsd/KodyKrajow_v10-0E.xsd");

/// The schema imports its types by their crd.gov.pl URL; the emulator never goes online,
/// so the import is pointed at the copy written next to it.
const IMPORT_URL: &str = "http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/";

/// Writes the schemas to a folder named by their content (shared by every process that
/// uses the same schemas; each file written under a temporary name and renamed, so
/// concurrent processes never read a half-written one); returns the FA(3) path.
fn schema_path() -> Result<&'static PathBuf, String> {
    static PATH: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PATH.get_or_init(|| {
        use sha2::Digest as _;
        let fa3 = FA3.replace(&format!("schemaLocation=\"{IMPORT_URL}"), "schemaLocation=\"");
        let files = [
            ("fa3.xsd", fa3.as_str()),
            ("StrukturyDanych_v10-0E.xsd", STRUKTURY),
            ("ElementarneTypyDanych_v10-0E.xsd", ELEMENTARNE),
            ("KodyKrajow_v10-0E.xsd", KODY),
        ];
        let mut digest = sha2::Sha256::new();
        files.iter().for_each(|(_, text)| digest.update(text.as_bytes()));
        let id: String = digest.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("ksef-emulator-xsd-{id}"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        for (name, text) in files {
            let path = dir.join(name);
            if std::fs::read(&path).is_ok_and(|bytes| bytes == text.as_bytes()) {
                continue;
            }
            let partial = dir.join(format!("{name}.{}.partial", std::process::id()));
            std::fs::write(&partial, text).map_err(|e| format!("writing {}: {e}", partial.display()))?;
            std::fs::rename(&partial, &path).map_err(|e| format!("renaming to {}: {e}", path.display()))?;
        }
        Ok(dir.join("fa3.xsd"))
    })
    .as_ref()
    .map_err(Clone::clone)
}

thread_local! {
    // A libxml2 validation context is not thread-safe; each thread keeps its own.
    static VALIDATOR: RefCell<Option<SchemaValidationContext>> = const { RefCell::new(None) };
}

/// Validates `xml` against FA(3); the errors as libxml2 words them, with line numbers.
pub fn against_fa3(xml: &[u8]) -> Result<(), Vec<String>> {
    let doc = Parser::default()
        .parse_string(xml)
        .map_err(|e| vec![format!("XML nie jest poprawnie zbudowany: {e:?}")])?;
    VALIDATOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let path = schema_path().map_err(|e| vec![e])?;
            let mut parser = SchemaParserContext::from_file(&path.to_string_lossy());
            let ctx = SchemaValidationContext::from_parser(&mut parser).map_err(|errors| {
                errors
                    .into_iter()
                    .map(|e| format!("schemat FA(3): {}", e.message.unwrap_or_default().trim()))
                    .collect::<Vec<_>>()
            })?;
            *slot = Some(ctx);
        }
        let ctx = slot.as_mut().expect("validator set above");
        ctx.validate_document(&doc).map_err(|errors| {
            errors
                .into_iter()
                .take(20)
                .map(|e| {
                    let line = e.line.map(|l| format!("linia {l}: ")).unwrap_or_default();
                    format!("{line}{}", e.message.unwrap_or_default().trim())
                })
                .collect()
        })
    })
}

/// Characters KSeF refuses since API 2.4.0: #x7F–#x84, #x86–#x9F, #xFDD0–#xFDEF and the
/// last two code points of every plane.
fn discouraged(c: char) -> bool {
    let u = c as u32;
    (0x7F..=0x84).contains(&u) || (0x86..=0x9F).contains(&u) || (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE
}

/// The document checks before the schema: returns the text, or what is wrong.
pub fn document(xml: &[u8]) -> Result<&str, String> {
    if xml.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err("Plik zawiera znacznik BOM; wymagane jest kodowanie UTF-8 bez BOM.".to_owned());
    }
    let text =
        std::str::from_utf8(xml).map_err(|e| format!("Plik nie jest poprawnym UTF-8 (bajt {}).", e.valid_up_to()))?;
    let trimmed = text.trim_start();
    if let Some(rest) = trimmed.strip_prefix("<?xml") {
        let prolog = &rest[..rest.find("?>").unwrap_or(rest.len())];
        if let Some(at) = prolog.find("encoding") {
            let value = prolog[at + 8..]
                .trim_start_matches([' ', '='])
                .trim_start_matches(['"', '\''])
                .split(['"', '\''])
                .next()
                .unwrap_or_default();
            if !value.eq_ignore_ascii_case("utf-8") {
                return Err(format!(
                    "Deklaracja XML wskazuje kodowanie {value}; wymagane jest UTF-8."
                ));
            }
        }
    }
    let body = trimmed
        .strip_prefix("<?xml")
        .map_or(trimmed, |r| &r[r.find("?>").map_or(0, |i| i + 2)..]);
    if body.contains("<?") {
        return Err("Plik zawiera instrukcję przetwarzania (<?…?>), której KSeF nie przyjmuje.".to_owned());
    }
    if body.contains("<!DOCTYPE") || body.contains("<!ENTITY") {
        return Err("Plik zawiera deklarację DTD, której KSeF nie przyjmuje.".to_owned());
    }
    if let Some((line, c)) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.chars().find(|&c| discouraged(c)).map(|c| (i + 1, c)))
    {
        return Err(format!("Linia {line}: niedozwolony znak U+{:04X}.", c as u32));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../tests/data/fa3-sample.xml");

    #[test]
    fn a_ministry_sample_is_valid_and_a_broken_one_is_not() {
        against_fa3(SAMPLE.as_bytes()).unwrap();
        let broken = SAMPLE.replace("<P_2>", "<P_2X>").replace("</P_2>", "</P_2X>");
        let errors = against_fa3(broken.as_bytes()).unwrap_err();
        assert!(errors.iter().any(|e| e.contains("P_2X")), "{errors:?}");
    }

    #[test]
    fn document_checks_name_the_problem() {
        assert!(document(b"\xEF\xBB\xBF<a/>").unwrap_err().contains("BOM"));
        assert!(
            document(b"<?xml version=\"1.0\" encoding=\"windows-1250\"?><a/>")
                .unwrap_err()
                .contains("windows-1250")
        );
        assert!(
            document(b"<?xml version=\"1.0\"?><?pi x?><a/>")
                .unwrap_err()
                .contains("instrukcj")
        );
        assert!(
            document("<a>\u{85}\u{86}</a>".as_bytes())
                .unwrap_err()
                .contains("U+0086")
        );
        assert!(
            document(b"<!DOCTYPE a [<!ENTITY x \"y\">]><a/>")
                .unwrap_err()
                .contains("DTD")
        );
        assert!(document(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>").is_ok());
    }
}
