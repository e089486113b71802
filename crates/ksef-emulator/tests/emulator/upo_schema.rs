//! UPOs against the official `upo-v4-3.xsd`, checked by xmllint (a validator we did not
//! write): an invoice's UPO and a session's page in the production profile; in the test
//! profile only the receiver's name differs (TEST's own quirk, research §A(i)).

use std::process::Command;

use ksef_emulator::{Profile, Settings};
use reqwest::Method;

use crate::common::{Api, NIP};

pub fn shared() -> std::path::PathBuf {
    std::env::var_os("ALLEGRO_BRIDGE_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(crate::common::manifest_dir()).join("../../../shared"))
}

/// Validates `xml` with xmllint against `upo-v4-3.xsd`; xmllint's words on failure.
pub fn xmllint_upo(xml: &[u8]) -> Result<(), String> {
    let file = std::env::temp_dir().join(format!("upo-{}.xml", rand::random::<u64>()));
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(shared().join("ksef/api/upo-v4-3.xsd"))
        .arg(&file)
        .output()
        .expect("xmllint is installed (.ci/setup installs libxml2-utils)");
    std::fs::remove_file(&file).ok();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test]
async fn upos_validate_against_the_official_schema() {
    let api = Api::new(Settings {
        profile: Profile::Prod,
        ..Settings::default()
    })
    .await;
    let (access, _) = api.login(&["InvoiceWrite"]).await;
    let s = api.open(&access).await;
    let mut last = serde_json::Value::Null;
    for i in 0..3 {
        // The Ministry's sample buyer NIP passes the checksum, so prod accepts these.
        last = api
            .send(&access, &s, api.send_body(&s, &api.invoice(&format!("FV/X/{i}"))))
            .await;
        assert_eq!(last["status"]["code"], 200, "{last}");
    }
    let upo = api
        .call(
            Method::GET,
            &format!(
                "/sessions/{}/invoices/{}/upo",
                s.reference,
                last["referenceNumber"].as_str().unwrap()
            ),
            Some(&access),
            None,
        )
        .await
        .bytes()
        .await
        .unwrap();
    xmllint_upo(&upo).unwrap();
    let text = String::from_utf8(upo.to_vec()).unwrap();
    assert!(text.contains(&format!(
        "<TrybWysylki>{}</TrybWysylki>",
        last["invoicingMode"].as_str().unwrap()
    )));
    assert!(text.contains(&format!("<Nip>{NIP}</Nip>")));
    api.call(
        Method::POST,
        &format!("/sessions/online/{}/close", s.reference),
        Some(&access),
        None,
    )
    .await;
    let (_, status) = api
        .json(Method::GET, &format!("/sessions/{}", s.reference), Some(&access), None)
        .await;
    let page_link = status["upo"]["pages"][0]["downloadUrl"].as_str().unwrap();
    let page = reqwest::get(page_link).await.unwrap().bytes().await.unwrap();
    xmllint_upo(&page).unwrap();
    let text = String::from_utf8(page.to_vec()).unwrap();
    assert_eq!(text.matches("<Dokument>").count(), 3);
    assert!(text.contains("<CalkowitaLiczbaDokumentow>3</CalkowitaLiczbaDokumentow>"));

    // The test profile's UPOs validate too.
    let upo = one_invoice_upo(Settings::default(), "FV/T/0").await;
    xmllint_upo(&upo).unwrap();

    // Mimicking TEST: the receiver's name is TEST's, which the XSD's fixed value refuses;
    // with that one value replaced the UPO is valid, exactly as the Ministry's TEST samples.
    let upo = one_invoice_upo(
        Settings {
            test_receiver_name_in_upo: true,
            ..Settings::default()
        },
        "FV/T/1",
    )
    .await;
    let text = String::from_utf8(upo.to_vec()).unwrap();
    assert!(text.contains("Ministerstwo Finansów - środowisko testowe (TE)"));
    assert!(xmllint_upo(text.as_bytes()).is_err());
    xmllint_upo(
        text.replace(
            "Ministerstwo Finansów - środowisko testowe (TE)",
            "Ministerstwo Finansów",
        )
        .as_bytes(),
    )
    .unwrap();
}

/// The UPO of one invoice sent to a fresh emulator with `settings`, by its link.
async fn one_invoice_upo(settings: Settings, number: &str) -> Vec<u8> {
    let api = Api::new(settings).await;
    let (access, _) = api.login(&["InvoiceWrite"]).await;
    let s = api.open(&access).await;
    let st = api.send(&access, &s, api.send_body(&s, &api.invoice(number))).await;
    reqwest::get(st["upoDownloadUrl"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}
