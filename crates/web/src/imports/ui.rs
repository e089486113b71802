//! The "Import" screens of seed 004: "Import Allegro" (Login allegro, Data zakupu od / do),
//! "Import CSV" and "Import XML", the recent imports, and one import's progress.

use app::{AppError, CurrentUser};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::WebState;
use crate::auth::UiUser;
use crate::error::page_error;
use crate::i18n::Tr;
use crate::views::{Chrome, render};

/// One import as a row of the list.
struct ImportRow {
    id: String,
    kind: String,
    account: String,
    scope: String,
    state: String,
    running: bool,
    fetched: i64,
    expected: Option<i64>,
    new: u64,
    updated: u64,
    unchanged: u64,
    error: Option<String>,
    created: String,
}

/// One column of the file layout, for the help table.
struct LayoutRow {
    name: &'static str,
    polish: &'static str,
    xml: &'static str,
    required: bool,
    help: &'static str,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    c: Chrome,
    accounts: Vec<(String, String)>,
    from: String,
    to: String,
    rows: Vec<ImportRow>,
    any_running: bool,
    range_error: Option<String>,
    /// The waybill file's refusal and its problems, or what it added.
    waybill_error: Option<String>,
    waybill_problems: Vec<String>,
    waybills_done: Option<String>,
    file_error: Option<String>,
    file_problems: Vec<String>,
    layout: Vec<LayoutRow>,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    row: ImportRow,
    account_id: String,
}

fn row(tr: &Tr, i: &store::Import, accounts: &[store::Account]) -> ImportRow {
    let day = |ms: Option<i64>| ms.map(domain::time::polish_day_text).unwrap_or_default();
    let account = accounts.iter().find(|a| a.id == i.account_id);
    let running = matches!(i.state, store::ImportState::Queued | store::ImportState::Running);
    // An import waiting on an account that needs a new login says so, not just "w kolejce".
    let waits_for_login = running
        && i.kind == store::ImportKind::Allegro
        && account.is_some_and(|a| a.status == domain::AccountStatus::NeedsRelogin);
    ImportRow {
        id: i.id.to_string(),
        kind: tr.t(&format!("import-kind-{}", i.kind.as_str())),
        account: account.map(|a| a.login.clone()).unwrap_or_default(),
        scope: match &i.file_name {
            Some(f) => f.clone(),
            None => format!("{} – {}", day(i.from_ms), day(i.to_ms)),
        },
        state: tr.t(&format!("import-state-{}", i.state.as_str())),
        running,
        fetched: i.fetched,
        expected: i.expected,
        new: i.counts.new,
        updated: i.counts.updated,
        unchanged: i.counts.unchanged,
        error: match (waits_for_login, account) {
            (true, Some(a)) => {
                Some(tr.problem(&app::Problem::new("problem-import-needs-relogin").arg("login", &a.login)))
            }
            _ => i.error.as_deref().map(|e| tr.stored(e)),
        },
        created: domain::time::polish_time_text(i.created_at_ms),
    }
}

fn today(state: &WebState) -> String {
    domain::time::polish_day_text(state.app.now_ms())
}

/// Problems shown on the page: the range form's, or the file's.
#[derive(Default)]
struct Problems {
    range: Option<String>,
    file: Option<String>,
    file_lines: Vec<String>,
    /// The waybill file's problems, or what it added.
    waybills: Option<String>,
    waybill_lines: Vec<String>,
    waybills_done: Option<String>,
}

async fn imports_page(state: &WebState, tr: &Tr, user: &CurrentUser, problems: Problems) -> Response {
    let result = async {
        let accounts = state.app.accounts(user).await?;
        let imports = state.app.imports(user).await?;
        Ok::<_, AppError>((accounts, imports))
    }
    .await;
    let (accounts, imports) = match result {
        Ok(v) => v,
        Err(e) => return page_error(tr, e),
    };
    let rows: Vec<ImportRow> = imports.iter().map(|i| row(tr, i, &accounts)).collect();
    render(&ImportsPage {
        c: Chrome::for_user(tr, user).with_relogin(&accounts),
        accounts: accounts
            .iter()
            .filter(|a| a.status == domain::AccountStatus::Active)
            .map(|a| (a.id.to_string(), a.login.clone()))
            .collect(),
        from: today(state),
        to: today(state),
        any_running: rows.iter().any(|r| r.running),
        rows,
        range_error: problems.range,
        waybill_error: problems.waybills,
        waybill_problems: problems.waybill_lines,
        waybills_done: problems.waybills_done,
        file_error: problems.file,
        file_problems: problems.file_lines,
        layout: app::order_files::FIELDS
            .iter()
            .map(|f| LayoutRow {
                name: f.name,
                polish: f.polish,
                xml: f.xml,
                required: f.required,
                help: f.help,
            })
            .collect(),
    })
}

fn unprocessable(mut r: Response) -> Response {
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

pub async fn imports(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    imports_page(&state, &tr, &user, Problems::default()).await
}

#[derive(Deserialize)]
pub struct RangeForm {
    account: String,
    from: String,
    to: String,
}

/// "Importuj": queue an import by purchase date; the worker runs it.
pub async fn start(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, Form(f): Form<RangeForm>) -> Response {
    let account = match f.account.parse() {
        Ok(a) => a,
        Err(_) => {
            let text = tr.t("import-choose-account");
            return unprocessable(
                imports_page(
                    &state,
                    &tr,
                    &user,
                    Problems {
                        range: Some(text),
                        ..Problems::default()
                    },
                )
                .await,
            );
        }
    };
    match state.app.start_import(&user, &account, &f.from, &f.to).await {
        Ok(import) => Redirect::to(&format!("/imports/{}", import.id)).into_response(),
        Err(AppError::Validation { field, problem }) => {
            let text = tr.invalid(field, &problem);
            unprocessable(
                imports_page(
                    &state,
                    &tr,
                    &user,
                    Problems {
                        range: Some(text),
                        ..Problems::default()
                    },
                )
                .await,
            )
        }
        Err(e) => page_error(&tr, e),
    }
}

/// A refused file in words: the headline and one line per problem.
fn refusal(tr: &Tr, errors: &app::order_files::FileErrors) -> (String, Vec<String>) {
    let total = (errors.errors.len() + errors.more).to_string();
    let text = tr.args("import-file-refused", &[("file", &errors.file), ("count", &total)]);
    let mut lines: Vec<String> = errors.errors.iter().map(|e| tr.file_error(&errors.file, e)).collect();
    if errors.more > 0 {
        lines.push(tr.args("import-more-problems", &[("count", &errors.more.to_string())]));
    }
    (text, lines)
}

/// "Wczytaj plik": a CSV or XML upload (multipart). The whole file is checked; on any
/// problem nothing is stored and every problem is listed with its line and column.
pub async fn upload(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, form: Multipart) -> Response {
    let upload = match crate::upload::read_upload(form, &tr, state.max_upload_bytes).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let account = upload.fields.get("account").cloned().unwrap_or_default();
    let encoding = upload.fields.get("encoding").cloned().unwrap_or_else(|| "auto".into());
    let file = upload.file;
    let refuse = |text: String, lines: Vec<String>| Problems {
        file: Some(text),
        file_lines: lines,
        ..Problems::default()
    };
    let Some((name, content_type, bytes)) = file.filter(|(n, _, b)| !n.is_empty() || !b.is_empty()) else {
        return unprocessable(imports_page(&state, &tr, &user, refuse(tr.t("import-choose-file"), vec![])).await);
    };
    let Ok(account) = account.parse() else {
        return unprocessable(imports_page(&state, &tr, &user, refuse(tr.t("import-choose-account"), vec![])).await);
    };
    let encoding = match crate::file_encoding(Some(&encoding), "") {
        Ok(e) => e,
        Err(p) => return unprocessable(imports_page(&state, &tr, &user, refuse(tr.problem(&p), vec![])).await),
    };
    let format = content_type.as_deref().and_then(crate::file_format);
    match state
        .app
        .import_file(&user, &account, &name, bytes, format, encoding)
        .await
    {
        Ok(import) => Redirect::to(&format!("/imports/{}", import.id)).into_response(),
        Err(app::ImportError::File(errors)) => {
            let (text, lines) = refusal(&tr, &errors);
            unprocessable(imports_page(&state, &tr, &user, refuse(text, lines)).await)
        }
        Err(app::ImportError::App(AppError::Validation { field, problem })) => {
            let text = tr.invalid(field, &problem);
            unprocessable(imports_page(&state, &tr, &user, refuse(text, vec![])).await)
        }
        Err(app::ImportError::App(e)) => page_error(&tr, e),
    }
}

/// "Wczytaj numery przesyłek": a CSV of `order id;carrier;waybill` (multipart). Every line
/// is checked first; on any problem nothing is added and every problem is listed.
pub async fn upload_waybills(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, form: Multipart) -> Response {
    let upload = match crate::upload::read_upload(form, &tr, state.max_upload_bytes).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let encoding = upload.fields.get("encoding").cloned().unwrap_or_else(|| "auto".into());
    let file = upload.file.map(|(name, _, bytes)| (name, bytes));
    let refuse = |text: String, lines: Vec<String>| Problems {
        waybills: Some(text),
        waybill_lines: lines,
        ..Problems::default()
    };
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() || !b.is_empty()) else {
        return unprocessable(imports_page(&state, &tr, &user, refuse(tr.t("import-choose-file"), vec![])).await);
    };
    let encoding = match crate::file_encoding(Some(&encoding), "") {
        Ok(e) => e,
        Err(p) => return unprocessable(imports_page(&state, &tr, &user, refuse(tr.problem(&p), vec![])).await),
    };
    match state.app.import_waybills(&user, &name, &bytes, encoding).await {
        Ok(r) => {
            let done = Problems {
                waybills_done: Some(tr.args(
                    "waybills-file-done",
                    &[("added", &r.added.to_string()), ("already", &r.already.to_string())],
                )),
                ..Problems::default()
            };
            imports_page(&state, &tr, &user, done).await
        }
        Err(app::ImportError::File(errors)) => {
            let (text, lines) = refusal(&tr, &errors);
            unprocessable(imports_page(&state, &tr, &user, refuse(text, lines)).await)
        }
        Err(app::ImportError::App(e)) => page_error(&tr, e),
    }
}

/// One import, refreshed live (htmx) while it runs.
pub async fn import(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<domain::ImportId>,
) -> Response {
    let result = async {
        let import = state.app.import(&user, &id).await?;
        let accounts = state.app.accounts(&user).await?;
        Ok::<_, AppError>((import, accounts))
    }
    .await;
    match result {
        Ok((import, accounts)) => render(&ImportPage {
            c: Chrome::for_user(&tr, &user),
            row: row(&tr, &import, &accounts),
            account_id: import.account_id.to_string(),
        }),
        Err(e) => page_error(&tr, e),
    }
}
