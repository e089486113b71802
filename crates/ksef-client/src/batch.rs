//! Batch sessions (research §B): the invoices in a ZIP, split into parts of at most
//! 100 MB before encryption, each encrypted with the session key and PUT to its presigned
//! link (no token), then the session is closed and KSeF processes the package — for
//! volumes the online limits (180 invoices an hour) cannot carry.

use std::io::Write as _;

use ksef_api_types::{
    BatchFileInfo, BatchFilePartInfo, EncryptionInfo, FormCode, OpenBatchSessionRequest, OpenBatchSessionResponse,
    PublicKeyCertificateUsage, ReferenceNumber,
};

use crate::client::Call;
use crate::limiter::Group;
use crate::{KsefError, Login, crypto};

/// Bytes of the ZIP per part, before encryption (KSeF allows 100 000 000).
pub const PART_BYTES: usize = 100_000_000;

/// A ZIP holding `invoices` as `(file name, bytes)`, stored without compression of the
/// names' order (deflated content).
fn zip(invoices: &[(String, Vec<u8>)]) -> Result<Vec<u8>, KsefError> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in invoices {
        writer
            .start_file(name.as_str(), options)
            .and_then(|()| writer.write_all(bytes).map_err(zip::result::ZipError::Io))
            .map_err(|e| KsefError::Invalid(format!("paczka ZIP: {e}")))?;
    }
    writer
        .finish()
        .map(std::io::Cursor::into_inner)
        .map_err(|e| KsefError::Invalid(format!("paczka ZIP: {e}")))
}

impl Login {
    /// Sends `invoices` (`(file name, exact bytes)`) as one batch session and closes it;
    /// the session's number, whose status and invoices tell the outcome.
    pub async fn send_batch(
        &self,
        form: FormCode,
        invoices: &[(String, Vec<u8>)],
        offline_mode: bool,
    ) -> Result<ReferenceNumber, KsefError> {
        let package = zip(invoices)?;
        let (key, iv) = crypto::session_key();
        let parts: Vec<Vec<u8>> = package
            .chunks(PART_BYTES)
            .map(|chunk| crypto::aes_encrypt(&key, &iv, chunk))
            .collect();
        let (rsa_key, key_id) = self
            .client
            .key_for(PublicKeyCertificateUsage::SymmetricKeyEncryption)
            .await?;
        let request = OpenBatchSessionRequest {
            form_code: form,
            batch_file: BatchFileInfo {
                file_size: package.len() as i64,
                file_hash: crypto::sha256_b64(&package),
                file_parts: parts
                    .iter()
                    .enumerate()
                    .map(|(i, p)| BatchFilePartInfo {
                        ordinal_number: i as i32 + 1,
                        file_size: p.len() as i64,
                        file_hash: crypto::sha256_b64(p),
                    })
                    .collect(),
            },
            encryption: EncryptionInfo {
                encrypted_symmetric_key: crypto::oaep_encrypt(&rsa_key, &key)?,
                initialization_vector: crypto::b64(&iv),
                public_key_id: Some(key_id),
            },
            offline_mode,
        };
        let opened: OpenBatchSessionResponse = self
            .json(|t| Call::post("/sessions/batch", Group::BatchSession, &self.nip, Some(t)).body(&request))
            .await?;
        for upload in &opened.part_upload_requests {
            let index = usize::try_from(upload.ordinal_number - 1).unwrap_or(usize::MAX);
            let part = parts
                .get(index)
                .ok_or_else(|| KsefError::Invalid(format!("KSeF podał nieznaną część {}", upload.ordinal_number)))?;
            self.client
                .put_presigned(&upload.url, &upload.headers, part.clone())
                .await?;
        }
        let path = format!("/sessions/batch/{}/close", opened.reference_number);
        self.empty(|t| Call::post(path.clone(), Group::BatchSession, &self.nip, Some(t)))
            .await?;
        tracing::info!(nip = %self.nip, session = %opened.reference_number, invoices = invoices.len(), "KSeF batch session sent");
        Ok(opened.reference_number)
    }
}
