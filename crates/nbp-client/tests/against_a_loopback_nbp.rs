//! The client against a loopback server answering as api.nbp.pl documents it (a range of
//! table-A rates; 404 "Brak danych" when there is none): no test leaves loopback.

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use nbp_client::{MidRate, NbpClient, NbpError};

async fn rates(Path((code, start, end)): Path<(String, String, String)>) -> Response {
    // Rates published on business days only: Friday 2026-11-20, then Monday 2026-11-23.
    let published = match code.as_str() {
        "eur" => [
            ("2026-11-19", "4.2901", "225"),
            ("2026-11-20", "4.2954", "226"),
            ("2026-11-23", "4.3010", "227"),
        ],
        // The forint with six decimals, as NBP publishes it.
        _ => [
            ("2026-11-19", "0.011602", "225"),
            ("2026-11-20", "0.011625", "226"),
            ("2026-11-23", "0.011631", "227"),
        ],
    };
    let rows: Vec<_> = published
        .iter()
        .filter(|(d, _, _)| *d >= start.as_str() && *d <= end.as_str())
        .map(|(d, mid, no)| format!(r#"{{"no":"{no}/A/NBP/2026","effectiveDate":"{d}","mid":{mid}}}"#))
        .collect();
    if !["eur", "huf"].contains(&code.as_str()) || rows.is_empty() {
        return (StatusCode::NOT_FOUND, "404 NotFound - Not Found - Brak danych").into_response();
    }
    (
        [("content-type", "application/json; charset=utf-8")],
        format!(
            r#"{{"table":"A","currency":"?","code":"{}","rates":[{}]}}"#,
            code.to_uppercase(),
            rows.join(",")
        ),
    )
        .into_response()
}

#[tokio::test]
async fn the_rate_of_the_last_business_day_before_the_date() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route("/api/exchangerates/rates/a/{code}/{start}/{end}/", get(rates));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let nbp = NbpClient::new(&base);
    // Sunday 2026-11-22 → Friday's table.
    let sunday = nbp.rate_before("EUR", "2026-11-22".parse().unwrap()).await.unwrap();
    assert_eq!(
        sunday,
        MidRate {
            currency: "EUR".into(),
            table: "226/A/NBP/2026".into(),
            effective_date: "2026-11-20".parse().unwrap(),
            rate: domain::NbpRate::parse("4.2954").unwrap(),
        }
    );
    // Tuesday → Monday's; never the day itself.
    assert_eq!(
        nbp.rate_before("eur", "2026-11-24".parse().unwrap())
            .await
            .unwrap()
            .rate
            .to_string(),
        "4.301"
    );
    assert_eq!(
        nbp.rate_before("EUR", "2026-11-23".parse().unwrap())
            .await
            .unwrap()
            .rate
            .to_string(),
        "4.2954"
    );
    // Six decimals kept: never cut to four.
    assert_eq!(
        nbp.rate_before("HUF", "2026-11-22".parse().unwrap())
            .await
            .unwrap()
            .rate
            .to_string(),
        "0.011625"
    );
    assert!(matches!(
        nbp.rate_before("CZK", "2026-11-22".parse().unwrap()).await,
        Err(NbpError::NoRate { .. })
    ));
    let down = NbpClient::new("http://127.0.0.1:1");
    assert!(matches!(
        down.rate_before("EUR", "2026-11-22".parse().unwrap()).await,
        Err(NbpError::Unavailable { .. })
    ));
}
