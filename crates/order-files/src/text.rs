//! From bytes to text: UTF-8 (with or without BOM) or Windows-1250, the code page Excel
//! uses for "CSV (rozdzielany przecinkami)" on Polish Windows.

use std::str::FromStr;

use domain::Problem;

use crate::Format;

/// The text encoding of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 when the bytes are valid UTF-8, otherwise Windows-1250.
    #[default]
    Auto,
    /// UTF-8 only.
    Utf8,
    /// Windows-1250 only.
    Windows1250,
}

impl FromStr for Encoding {
    type Err = Problem;
    fn from_str(s: &str) -> Result<Self, Problem> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Self::Auto),
            "utf-8" | "utf8" => Ok(Self::Utf8),
            "windows-1250" | "cp1250" | "win1250" => Ok(Self::Windows1250),
            other => Err(Problem::new("problem-encoding").arg("value", other)),
        }
    }
}

/// Where the text could not be read, and why.
#[derive(Debug)]
pub(crate) struct DecodeError {
    pub line: usize,
    pub column: usize,
    pub problem: Problem,
}

fn position(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = &bytes[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line, column)
}

fn utf8(bytes: &[u8]) -> Result<String, DecodeError> {
    std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| {
        let at = e.valid_up_to();
        let (line, column) = position(bytes, at);
        DecodeError {
            line,
            column,
            problem: Problem::new("problem-file-not-utf8").arg("byte", format!("0x{:02X}", bytes[at])),
        }
    })
}

fn windows_1250(bytes: &[u8]) -> Result<String, DecodeError> {
    // Bytes 0x81, 0x83, 0x88, 0x90 and 0x98 have no character in Windows-1250; encoding_rs
    // passes them through as C1 controls, which no real text contains.
    if let Some(at) = bytes.iter().position(|b| matches!(b, 0x81 | 0x83 | 0x88 | 0x90 | 0x98)) {
        let (line, column) = position(bytes, at);
        return Err(DecodeError {
            line,
            column,
            problem: Problem::new("problem-file-not-1250").arg("byte", format!("0x{:02X}", bytes[at])),
        });
    }
    let (text, _) = encoding_rs::WINDOWS_1250.decode_without_bom_handling(bytes);
    Ok(text.into_owned())
}

/// Decodes a whole file.
pub(crate) fn decode(bytes: &[u8], encoding: Encoding, format: Format) -> Result<String, DecodeError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(DecodeError {
            line: 1,
            column: 1,
            problem: Problem::new("problem-file-utf16"),
        });
    }
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        let (line, column) = position(bytes, at);
        return Err(DecodeError {
            line,
            column,
            problem: Problem::new("problem-file-nul"),
        });
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let has_bom = body.len() != bytes.len();
    match encoding {
        Encoding::Utf8 => utf8(body),
        Encoding::Windows1250 if has_bom => Err(DecodeError {
            line: 1,
            column: 1,
            problem: Problem::new("problem-file-bom-1250"),
        }),
        Encoding::Windows1250 => windows_1250(body),
        Encoding::Auto => match utf8(body) {
            Ok(text) => Ok(text),
            // An XML file says its encoding in its declaration; a CSV file cannot, so an
            // invalid UTF-8 byte means Excel's Windows-1250.
            Err(e) if has_bom || (format == Format::Xml && !declares_1250(body)) => Err(e),
            Err(_) => windows_1250(body),
        },
    }
}

fn declares_1250(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(200)]).to_ascii_lowercase();
    head.starts_with("<?xml") && head.contains("windows-1250")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polish_letters_in_both_encodings() {
        let (cp, _, _) = encoding_rs::WINDOWS_1250.encode("Zażółć gęślą jaźń");
        assert_eq!(decode(&cp, Encoding::Auto, Format::Csv).unwrap(), "Zażółć gęślą jaźń");
        assert_eq!(
            decode("\u{feff}Łódź".as_bytes(), Encoding::Auto, Format::Csv).unwrap(),
            "Łódź"
        );
        let e = decode(&cp, Encoding::Utf8, Format::Csv).unwrap_err();
        assert_eq!((e.line, e.column), (1, 3));
        let e = decode(b"ok\nab\x81", Encoding::Auto, Format::Csv).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert!(decode(&[0xFF, 0xFE, b'a', 0], Encoding::Auto, Format::Csv).is_err());
    }
}
