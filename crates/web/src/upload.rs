//! Files sent from a page (multipart forms): read whole within the upload limit, with a page
//! naming the limit when a file is over it.

use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::i18n::Tr;

/// A multipart upload: its text fields and its `file` (name, content type, bytes).
pub(crate) struct Upload {
    pub(crate) fields: std::collections::HashMap<String, String>,
    pub(crate) file: Option<(String, Option<String>, axum::body::Bytes)>,
}

/// The page for a file over the upload limit (413), naming the limit.
fn too_large(tr: &Tr, limit_bytes: usize) -> Response {
    let mb = (limit_bytes / (1024 * 1024)).max(1).to_string();
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        axum::response::Html(crate::views::simple_page(
            tr,
            &tr.t("error-title"),
            &tr.args("upload-too-large", &[("limit", &mb)]),
        )),
    )
        .into_response()
}

/// Reads a multipart form: its `file` and its other fields; a part over `limit_bytes` is the
/// 413 page that names the limit.
pub(crate) async fn read_upload(mut form: Multipart, tr: &Tr, limit_bytes: usize) -> Result<Upload, Response> {
    let mut upload = Upload {
        fields: std::collections::HashMap::new(),
        file: None,
    };
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(str::to_owned);
                match field.bytes().await {
                    Ok(bytes) if name == "file" => {
                        upload.file = Some((file_name.unwrap_or_default(), content_type, bytes));
                    }
                    Ok(bytes) => {
                        upload.fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
                    }
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large(tr, limit_bytes)),
                    Err(e) => return Err((StatusCode::BAD_REQUEST, e.body_text()).into_response()),
                }
            }
            Ok(None) => return Ok(upload),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large(tr, limit_bytes)),
            Err(e) => return Err((e.status(), e.body_text()).into_response()),
        }
    }
}
