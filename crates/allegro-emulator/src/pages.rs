//! HTML pages of the auth host: login, "Kontynuuj / Zmień konto", consent, device
//! verification, and the developer portal (seed 000, steps 4–10). They work without
//! JavaScript and label every field.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::control::{NewApp, register_app};
use crate::oauth::{AuthorizeRequest, Params, device_grant_by_user_code};
use crate::respond::{esc, html};
use crate::world::{AppKind, DeviceState, World};
use crate::{Emulator, world};

const SESSION_COOKIE: &str = "emu_session";

pub fn router() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/login", get(login_form).post(login_submit))
        .route("/logout", get(logout))
        .route("/skojarz-aplikacje", get(device_page).post(device_decision))
        .route("/apps", get(apps_list).post(apps_create))
        .route("/apps/new", get(apps_new))
        .route("/apps/{client_id}", get(app_details))
}

/// The seller logged in in this browser, if any.
pub fn session_seller(world: &World, headers: &HeaderMap) -> Option<usize> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    let value = cookies
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v)?;
    world.browser_sessions.get(value).copied()
}

/// The login page that returns to `return_to` (a local path) afterwards.
pub fn login_url(return_to: &str) -> String {
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("return", return_to)
        .finish();
    format!("/login?{q}")
}

fn safe_return(raw: Option<&str>) -> String {
    // Only same-site paths: the login form must not become an open redirect. Browsers read
    // `/\evil` as `//evil` (another host), and drop tabs and newlines inside a URL.
    match raw {
        Some(r)
            if r.starts_with('/')
                && !r.starts_with("//")
                && !r.contains('\\')
                && !r.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            r.to_owned()
        }
        _ => "/apps".to_owned(),
    }
}

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Allegro (emulator)</title>
<style>
body{{font-family:"Open Sans",Arial,sans-serif;background:#f5f5f5;color:#222;margin:0}}
header{{background:#fff;border-bottom:1px solid #e5e5e5;padding:12px 24px}}
header b{{color:#ff5a00;font-size:24px;letter-spacing:-1px}} header small{{color:#767676;margin-left:8px}}
main{{max-width:640px;margin:32px auto;background:#fff;padding:24px 32px;box-shadow:0 1px 2px rgba(0,0,0,.15)}}
h1{{font-size:22px;font-weight:600}} label{{display:block;margin:14px 0 4px;font-weight:600}}
input[type=text],input[type=password],textarea{{width:100%;box-sizing:border-box;padding:10px;border:1px solid #bbb;font-size:15px}}
button,.button{{background:#ff5a00;color:#fff;border:0;padding:11px 22px;font-size:14px;font-weight:600;text-transform:uppercase;cursor:pointer;text-decoration:none;display:inline-block}}
button.secondary,.button.secondary{{background:#fff;color:#222;border:1px solid #999}}
.error{{background:#fdecea;border-left:4px solid #d93025;padding:10px 12px;margin:12px 0}}
.note{{color:#555;font-size:13px}} ul.scopes li{{margin:6px 0}} table{{border-collapse:collapse;width:100%}}
td,th{{text-align:left;vertical-align:top;padding:8px;border-bottom:1px solid #eee}} code{{background:#f0f0f0;padding:2px 4px}}
fieldset{{border:1px solid #ddd;margin:12px 0}} .actions{{margin-top:20px;display:flex;gap:12px}}
</style></head>
<body><header><b>allegro</b><small>emulator offline</small></header><main>{body}</main></body></html>"#,
        title = esc(title)
    )
}

/// Allegro's "Nie możemy wyświetlić strony" page with an error number (FAQ, GH#8282).
pub fn error_page(status: StatusCode, reason: &str, number: u32) -> Response {
    html(
        status,
        layout(
            "Nie możemy wyświetlić strony",
            &format!(
                "<h1>Nie możemy wyświetlić strony</h1><div class=\"error\" role=\"alert\">{}</div><p class=\"note\">Numer błędu: {number}</p>",
                esc(reason)
            ),
        ),
    )
}

async fn login_form(RawQuery(raw): RawQuery) -> Response {
    let params = Params::parse(raw.as_deref().unwrap_or_default());
    login_page(&safe_return(params.get("return")), None, "")
}

fn login_page(return_to: &str, error: Option<&str>, login: &str) -> Response {
    let error = error
        .map(|e| format!("<div class=\"error\" role=\"alert\">{}</div>", esc(e)))
        .unwrap_or_default();
    html(
        StatusCode::OK,
        layout(
            "Zaloguj się",
            &format!(
                r#"<h1>Zaloguj się</h1>{error}
<form method="post" action="/login">
<input type="hidden" name="return" value="{ret}">
<label for="login">Login lub e-mail</label><input type="text" id="login" name="login" value="{login}" autocomplete="username" required autofocus>
<label for="password">Hasło</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">Zaloguj się</button></div>
</form>
<p class="note">Zalogowanie oznacza akceptację Regulaminu Allegro.</p>"#,
                ret = esc(return_to),
                login = esc(login)
            ),
        ),
    )
}

async fn login_submit(State(emu): State<Arc<Emulator>>, body: Bytes) -> Response {
    let form = Params::parse(&String::from_utf8_lossy(&body));
    let return_to = safe_return(form.get("return"));
    let login = form.get("login").unwrap_or_default().trim().to_lowercase();
    let password = form.get("password").unwrap_or_default();
    let mut world = emu.world.write();
    let found = world
        .seller_by_login
        .get(&login)
        .copied()
        .or_else(|| world.sellers.iter().position(|s| s.email.eq_ignore_ascii_case(&login)));
    let Some(seller) = found.filter(|&s| world.sellers[s].password == password) else {
        return login_page(
            &return_to,
            Some("Nieprawidłowy login lub hasło."),
            form.get("login").unwrap_or_default(),
        );
    };
    let session = world.random_token(40);
    world.browser_sessions.insert(session.clone(), seller);
    // Continue straight to consent after a fresh login.
    let target = if return_to.starts_with("/auth/oauth/authorize?") && !return_to.contains("emu_continue=1") {
        format!("{return_to}&emu_continue=1")
    } else {
        return_to
    };
    let mut response = Redirect::to(&target).into_response();
    let cookie = format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

async fn logout(State(emu): State<Arc<Emulator>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let params = Params::parse(raw.as_deref().unwrap_or_default());
    if let Some(cookies) = headers.get(header::COOKIE).and_then(|v| v.to_str().ok()) {
        let mut world = emu.world.write();
        for (k, v) in cookies.split(';').filter_map(|c| c.trim().split_once('=')) {
            if k == SESSION_COOKIE {
                world.browser_sessions.remove(v);
            }
        }
    }
    let mut response = Redirect::to(&login_url(&safe_return(params.get("return")))).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("emu_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
    response
}

/// Seed 004: "Kontynuuj" as the remembered user, or "Zmień konto".
pub fn continue_page(continue_url: &str, this_page: &str, login: &str) -> Response {
    let change = format!(
        "/logout?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("return", this_page)
            .finish()
    );
    html(
        StatusCode::OK,
        layout(
            "Kontynuuj",
            &format!(
                r#"<h1>Jesteś zalogowany jako <span id="current-login">{login}</span></h1>
<p>Czy chcesz kontynuować jako ten użytkownik?</p>
<div class="actions"><a class="button" id="continue" href="{cont}">Kontynuuj</a>
<a class="button secondary" id="change-account" href="{change}">Zmień konto</a></div>"#,
                login = esc(login),
                cont = esc(continue_url),
                change = esc(&change)
            ),
        ),
    )
}

fn scope_list(scopes: &[String]) -> String {
    let mut out = String::from("<ul class=\"scopes\">");
    for (group, list) in allegro_api_types::scopes::groups() {
        let lines: Vec<&str> = list
            .iter()
            .filter(|s| scopes.iter().any(|g| g == s.name))
            .map(|s| s.description_pl)
            .collect();
        if !lines.is_empty() {
            out.push_str(&format!(
                "<li><b>{}</b><br>{}.</li>",
                esc(group),
                esc(&lines.join(", "))
            ));
        }
    }
    out.push_str("</ul>");
    out
}

/// Seed 000 step 11: "Czy chcesz powiązać konto z …?" with "Tak, powiąż" / "Nie, anuluj".
pub fn consent_page(request: &AuthorizeRequest, login: &str) -> Response {
    let hidden: String = Params::parse(&request.to_query())
        .pairs()
        .iter()
        .map(|(k, v)| format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", esc(k), esc(v)))
        .collect();
    html(
        StatusCode::OK,
        layout(
            "Powiąż konto",
            &format!(
                r#"<h1>Czy chcesz powiązać konto <span id="current-login">{login}</span> z {app}?</h1>
<p>Po wyrażeniu zgody aplikacja będzie mogła wykonywać działania w Twoim imieniu. Ich listę znajdziesz poniżej.</p>
<h2>Uprawnienia aplikacji</h2>{scopes}
<form method="post" action="/auth/oauth/authorize/decision">{hidden}
<div class="actions"><button type="submit" class="secondary" name="decision" value="deny" id="deny">Nie, anuluj</button>
<button type="submit" name="decision" value="approve" id="approve">Tak, powiąż</button></div></form>"#,
                login = esc(login),
                app = esc(&request.app_name),
                scopes = scope_list(&request.scopes),
            ),
        ),
    )
}

async fn device_page(State(emu): State<Arc<Emulator>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let raw = raw.unwrap_or_default();
    let params = Params::parse(&raw);
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let this_page = if raw.is_empty() {
        "/skojarz-aplikacje".to_owned()
    } else {
        format!("/skojarz-aplikacje?{raw}")
    };
    let Some(seller) = session_seller(&world, &headers) else {
        return Redirect::to(&login_url(&this_page)).into_response();
    };
    let login = world.sellers[seller].login.clone();
    let Some(code) = params.get("code").filter(|c| !c.trim().is_empty()) else {
        return device_code_form(&login, None);
    };
    let Some(grant) = device_grant_by_user_code(&mut world, code, now) else {
        return device_code_form(
            &login,
            Some("Kod jest nieprawidłowy lub wygasł. Sprawdź kod wyświetlony w aplikacji."),
        );
    };
    let (client_id, scopes, user_code) = (grant.client_id.clone(), grant.scopes.clone(), grant.user_code.clone());
    let app_name = world.apps.get(&client_id).map(|a| a.name.clone()).unwrap_or_default();
    html(
        StatusCode::OK,
        layout(
            "Powiąż aplikację",
            &format!(
                r#"<h1>Czy chcesz powiązać konto <span id="current-login">{login}</span> z {app}?</h1>
<p>Kod: <code>{code}</code></p><h2>Uprawnienia aplikacji</h2>{scopes}
<form method="post" action="/skojarz-aplikacje"><input type="hidden" name="code" value="{code}">
<div class="actions"><button type="submit" class="secondary" name="decision" value="deny" id="deny">Nie, anuluj</button>
<button type="submit" name="decision" value="approve" id="approve">Tak, powiąż</button></div></form>"#,
                login = esc(&login),
                app = esc(&app_name),
                code = esc(&user_code),
                scopes = scope_list(&scopes)
            ),
        ),
    )
}

fn device_code_form(login: &str, error: Option<&str>) -> Response {
    let error = error
        .map(|e| format!("<div class=\"error\" role=\"alert\">{}</div>", esc(e)))
        .unwrap_or_default();
    html(
        StatusCode::OK,
        layout(
            "Powiąż aplikację",
            &format!(
                r#"<h1>Powiąż aplikację z kontem {login}</h1>{error}
<form method="get" action="/skojarz-aplikacje"><label for="code">Kod z aplikacji</label>
<input type="text" id="code" name="code" placeholder="XXX XXX XXX" required autofocus>
<div class="actions"><button type="submit">Dalej</button></div></form>"#,
                login = esc(login)
            ),
        ),
    )
}

async fn device_decision(State(emu): State<Arc<Emulator>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = Params::parse(&String::from_utf8_lossy(&body));
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let Some(seller) = session_seller(&world, &headers) else {
        return Redirect::to(&login_url("/skojarz-aplikacje")).into_response();
    };
    let login = world.sellers[seller].login.clone();
    let approve = form.get("decision") == Some("approve");
    let Some(grant) = device_grant_by_user_code(&mut world, form.get("code").unwrap_or_default(), now) else {
        return device_code_form(
            &login,
            Some("Kod jest nieprawidłowy lub wygasł. Sprawdź kod wyświetlony w aplikacji."),
        );
    };
    grant.state = if approve {
        DeviceState::Approved(seller)
    } else {
        DeviceState::Denied
    };
    let message = if approve {
        "Gotowe! Konto zostało powiązane. Wróć do aplikacji."
    } else {
        "Anulowano. Aplikacja nie otrzymała dostępu do konta."
    };
    html(
        StatusCode::OK,
        layout("Powiąż aplikację", &format!("<h1 id=\"result\">{}</h1>", esc(message))),
    )
}

fn require_login(world: &World, headers: &HeaderMap, here: &str) -> Result<usize, Response> {
    session_seller(world, headers).ok_or_else(|| Redirect::to(&login_url(here)).into_response())
}

async fn apps_list(State(emu): State<Arc<Emulator>>, headers: HeaderMap) -> Response {
    let world = emu.world.read();
    let seller = or_respond!(require_login(&world, &headers, "/apps"));
    let mut apps: Vec<&world::App> = world.apps.values().filter(|a| a.owner == Some(seller)).collect();
    apps.sort_by_key(|a| a.created_at_ms);
    let rows: String = apps
        .iter()
        .map(|a| {
            format!(
                "<tr><td>{}</td><td>{}</td><td><a class=\"button secondary\" href=\"/apps/{}\">Szczegóły</a></td></tr>",
                esc(&a.name),
                a.kind.grant(),
                esc(&a.client_id)
            )
        })
        .collect();
    html(
        StatusCode::OK,
        layout(
            "Twoje aplikacje",
            &format!(
                r#"<h1>Twoje aplikacje</h1><p><a class="button" href="/apps/new" id="register">Zarejestruj aplikację</a></p>
<table><thead><tr><th>Nazwa</th><th>Typ</th><th></th></tr></thead><tbody>{rows}</tbody></table>
<p class="note">Możesz zarejestrować najwyżej 5 aplikacji na jednym koncie.</p>"#
            ),
        ),
    )
}

async fn apps_new(State(emu): State<Arc<Emulator>>, headers: HeaderMap) -> Response {
    let world = emu.world.read();
    if let Err(r) = require_login(&world, &headers, "/apps/new") {
        return r;
    }
    new_app_form(&Params::parse(""), &[])
}

fn new_app_form(values: &Params, errors: &[String]) -> Response {
    let errors: String = errors
        .iter()
        .map(|e| format!("<div class=\"error\" role=\"alert\">{}</div>", esc(e)))
        .collect();
    let checked = |name: &str, value: &str| {
        if values.all(name).contains(&value) {
            " checked"
        } else {
            ""
        }
    };
    let device_checked = checked("type", "device_code");
    let browser_checked = if device_checked.is_empty() { " checked" } else { "" };
    let mut groups = String::new();
    for (group, scopes) in allegro_api_types::scopes::groups() {
        groups.push_str(&format!("<fieldset><legend>{}</legend>", esc(group)));
        for s in scopes {
            let id = s.name.replace(':', "-");
            groups.push_str(&format!(
                "<div><input type=\"checkbox\" name=\"scope\" id=\"{id}\" value=\"{name}\"{c}> <label for=\"{id}\" style=\"display:inline;font-weight:400\">{name} – {desc}</label></div>",
                name = esc(s.name),
                desc = esc(s.description_pl),
                c = checked("scope", s.name)
            ));
        }
        groups.push_str("</fieldset>");
    }
    html(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        layout(
            "Rejestracja aplikacji",
            &format!(
                r#"<h1>Rejestracja aplikacji</h1>{errors}
<form method="post" action="/apps">
<label for="name">Nazwa aplikacji</label><input type="text" id="name" name="name" value="{name}" maxlength="50" required>
<p class="note">Uwaga: Nie możesz zmienić nazwy aplikacji po rejestracji</p>
<label for="description">Opis aplikacji (opcjonalnie)</label><textarea id="description" name="description">{description}</textarea>
<fieldset><legend>Wybierz rodzaj aplikacji</legend>
<div><input type="radio" name="type" id="type-browser" value="authorization_code"{browser_checked}> <label for="type-browser" style="display:inline;font-weight:400">Aplikacja ma dostęp do przeglądarki, w której użytkownik loguje się do Allegro (np. aplikacja na serwerze albo plik wykonywalny) – OAuth grant type: authorization_code</label></div>
<div><input type="radio" name="type" id="type-device" value="device_code"{device_checked}> <label for="type-device" style="display:inline;font-weight:400">Aplikacja działa w środowisku bez dostępu do przeglądarki lub klawiatury (np. aplikacja konsolowa lub na urządzeniu typu telewizor) – OAuth grant type: device_code</label></div>
</fieldset>
<label for="redirect_uris">Adresy URI do przekierowania</label><textarea id="redirect_uris" name="redirect_uris" rows="3">{uris}</textarea>
<p class="note">Możesz podać wiele adresów (od nowej linii). Adres URI musi zawierać protokół (rekomendowany HTTPS). Nie może zawierać fragmentów URI, ścieżek względnych, ani być prywatnym adresem IP.</p>
<h2>Uprawnienia aplikacji</h2>{groups}
<div><input type="checkbox" name="terms" id="terms" value="1"{terms}> <label for="terms" style="display:inline">Znam i akceptuję regulamin REST API Allegro</label></div>
<div class="actions"><button type="submit" id="submit">Zarejestruj</button></div>
</form>"#,
                name = esc(values.get("name").unwrap_or_default()),
                description = esc(values.get("description").unwrap_or_default()),
                uris = esc(values.get("redirect_uris").unwrap_or_default()),
                terms = checked("terms", "1"),
            ),
        ),
    )
}

async fn apps_create(State(emu): State<Arc<Emulator>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = Params::parse(&String::from_utf8_lossy(&body));
    let seller = {
        let world = emu.world.read();
        or_respond!(require_login(&world, &headers, "/apps/new"))
    };
    let mut errors = Vec::new();
    if form.get("terms") != Some("1") {
        errors.push("Zaakceptuj regulamin REST API Allegro.".to_owned());
    }
    let scopes: Vec<String> = form.all("scope").into_iter().map(str::to_owned).collect();
    if scopes.is_empty() {
        errors.push("Zaznacz co najmniej jedno uprawnienie.".to_owned());
    }
    if !errors.is_empty() {
        return new_app_form(&form, &errors);
    }
    let request = NewApp {
        name: form.get("name").unwrap_or_default().to_owned(),
        description: form.get("description").map(str::to_owned),
        redirect_uris: form
            .get("redirect_uris")
            .unwrap_or_default()
            .lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
        app_type: Some(form.get("type").unwrap_or("authorization_code").to_owned()),
        scopes: Some(scopes),
    };
    match register_app(&emu, request, Some(seller)) {
        Ok((client_id, _)) => Redirect::to(&format!("/apps/{client_id}")).into_response(),
        Err(e) => new_app_form(&form, &[e]),
    }
}

async fn app_details(
    State(emu): State<Arc<Emulator>>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let world = emu.world.read();
    let here = format!("/apps/{client_id}");
    let seller = or_respond!(require_login(&world, &headers, &here));
    let Some(app) = world.apps.get(&client_id).filter(|a| a.owner == Some(seller)) else {
        return error_page(StatusCode::NOT_FOUND, "Nie znaleziono aplikacji.", 4040);
    };
    let show = Params::parse(raw.as_deref().unwrap_or_default()).get("pokaz") == Some("1");
    let secret = if show {
        format!(
            "<code id=\"client-secret\">{}</code> <a href=\"{here}\" id=\"toggle-secret\">UKRYJ</a>",
            esc(&app.client_secret)
        )
    } else {
        format!(
            "<code id=\"client-secret\">••••••••••••••••</code> <a href=\"{here}?pokaz=1\" id=\"toggle-secret\">POKAŻ</a>"
        )
    };
    let kind = match app.kind {
        AppKind::AuthorizationCode => "Aplikacja ma dostęp do przeglądarki (authorization_code)",
        AppKind::DeviceCode => "Aplikacja bez dostępu do przeglądarki (device_code)",
    };
    html(
        StatusCode::OK,
        layout(
            &app.name,
            &format!(
                r#"<h1>Aplikacja {name}</h1><table>
<tr><th>NAZWA</th><td>{name}</td></tr><tr><th>TYP</th><td>{kind}</td></tr>
<tr><th>CLIENT ID</th><td><code id="client-id">{id}</code></td></tr>
<tr><th>CLIENT SECRET</th><td>{secret}</td></tr>
<tr><th>ADRESY URI</th><td>{uris}</td></tr><tr><th>UPRAWNIENIA</th><td>{scopes}</td></tr></table>
<p><a href="/apps">← Twoje aplikacje</a></p>"#,
                name = esc(&app.name),
                id = esc(&app.client_id),
                uris = app
                    .redirect_uris
                    .iter()
                    .map(|u| esc(u))
                    .collect::<Vec<_>>()
                    .join("<br>"),
                scopes = app.scopes.iter().map(|u| esc(u)).collect::<Vec<_>>().join("<br>"),
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn returns_only_to_same_site_paths() {
        assert_eq!(super::safe_return(Some("/authorize?x=1")), "/authorize?x=1");
        for evil in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "https://evil.example",
            "/\n/evil",
        ] {
            assert_eq!(super::safe_return(Some(evil)), "/apps", "{evil:?}");
        }
    }
}
