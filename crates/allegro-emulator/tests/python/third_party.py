"""Drives two real PyPI clients against the emulator: allegro-auth 2.2.0 (auth-code login
with Basic auth, then a refresh) and allegro-api 0.1.0 (code exchange, /me, order list).

Usage: third_party.py BASE_URL CLIENT_ID CLIENT_SECRET REDIRECT_URI LOGIN PASSWORD
Prints one JSON line with what it saw; exits non-zero on any failure.
"""
import json
import os
import sys
import tempfile
from urllib.parse import parse_qs, urlencode, urlparse

import requests

base, client_id, secret, redirect_uri, login, password = sys.argv[1:7]
os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp())


def consent(authorize_url):
    """Plays the seller: login form, then 'Tak, powiąż'; returns the code."""
    s = requests.Session()
    r = s.get(authorize_url, allow_redirects=False)
    assert r.status_code == 303, r.status_code
    ret = parse_qs(urlparse(r.headers["location"]).query)["return"][0]
    r = s.post(base + "/login", data={"login": login, "password": password, "return": ret}, allow_redirects=False)
    assert r.status_code == 303, r.text
    consent_url = base + r.headers["location"]
    page = s.get(consent_url).text
    assert "Tak, powiąż" in page
    form = {k: v[0] for k, v in parse_qs(urlparse(consent_url).query).items() if k != "emu_continue"}
    form["decision"] = "approve"
    r = s.post(base + "/auth/oauth/authorize/decision", data=form, allow_redirects=False)
    q = parse_qs(urlparse(r.headers["location"]).query)
    return q["code"][0]


# --- allegro-auth 2.2.0: its constants point at allegro.pl; point them at the emulator.
import allegro_auth.client as auth_client
import allegro_auth.config as auth_config
import allegro_auth.token_manager as token_manager

auth_client.AUTH_URL = base + "/auth/oauth/authorize"
auth_client.TOKEN_URL = base + "/auth/oauth/token"
token_manager.TOKEN_FILE = auth_config.TOKEN_FILE = __import__("pathlib").Path(tempfile.mkdtemp()) / "tokens.json"

auth = auth_client.AllegroAuth(client_id, secret, redirect_uri)
import builtins

captured = {}


def fake_input(prompt):
    # allegro-auth prints the URL and asks for the code; the "user" answers it.
    url = auth_client.AUTH_URL + "?" + urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri})
    captured["code"] = consent(url)
    return captured["code"]


builtins.input = fake_input
access_token = auth.authenticate()
tokens = token_manager.read_tokens()
assert tokens is not None and tokens.access_token == access_token
# Force a refresh through the library: mark the stored token as expired.
stored = json.load(open(token_manager.TOKEN_FILE))
stored["date"] = "2000-01-01T00:00:00"
json.dump(stored, open(token_manager.TOKEN_FILE, "w"))
refreshed = auth.authenticate()
assert refreshed != access_token

# --- allegro-api 0.1.0
from allegro_api import AllegroAPI
from allegro_api.auth import OAuth2Client

OAuth2Client.TOKEN_URL = base + "/auth/oauth/token"
api = AllegroAPI(client_id=client_id, client_secret=secret)
api.base_url = base + "/"
api.oauth_client.token_url = base + "/auth/oauth/token"
api.oauth_client.redirect_uri = redirect_uri
code = consent(api.oauth_client.get_authorization_url(state="py-state").replace("https://allegro.pl", base))
token = api.oauth_client.exchange_code_for_token(code)
api.set_access_token(token.access_token)
api._token = token
me = api.user.get_me() if hasattr(api.user, "get_me") else api.get("/me")
orders = api.orders.list(limit=10) if hasattr(api.orders, "list") else api.get("/order/checkout-forms")
print(json.dumps({
    "auth_refreshed": refreshed != access_token,
    "me_login": me.get("login"),
    "orders": len(orders.get("checkoutForms", [])),
    "total": orders.get("totalCount"),
}))
