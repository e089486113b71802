"""PyPI ksef-client 0.20.0 (an independent KSeF 2.0 SDK) against the KSeF emulator.

Logs in with a KSeF token, opens an online session, sends one of the Ministry's sample
invoices, reads its KSeF number and downloads its UPO (by KSeF number, and through the
presigned link without a token), then closes the session. Prints one JSON line.

The emulator is called by a host name, as the SDK refuses presigned links on loopback
addresses; the name is mapped to 127.0.0.1 here, as /etc/hosts would.

Usage: third_party.py PORT TOKEN NIP INVOICE_XML_PATH
"""

import json
import socket
import sys
import time

HOST = "ksef-emulator.test"
_getaddrinfo = socket.getaddrinfo


def _resolve(host, *args, **kwargs):
    return _getaddrinfo("127.0.0.1" if host == HOST else host, *args, **kwargs)


socket.getaddrinfo = _resolve

from ksef_client import KsefClient, KsefClientOptions  # noqa: E402
from ksef_client.models import FormCode  # noqa: E402
from ksef_client.services.workflows import AuthCoordinator, OnlineSessionWorkflow  # noqa: E402

port, token, nip, invoice_path = sys.argv[1:5]
with open(invoice_path, "rb") as f:
    invoice = f.read()

options = KsefClientOptions(base_url=f"http://{HOST}:{port}", strict_presigned_url_validation=False)
with KsefClient(options) as client:
    token_cert = client.security.get_public_key_certificate("KsefTokenEncryption")
    auth = AuthCoordinator(client.auth).authenticate_with_ksef_token(
        token=token,
        public_certificate=token_cert.certificate,
        public_key_id=token_cert.public_key_id,
        context_identifier_type="Nip",
        context_identifier_value=nip,
        poll_interval_seconds=0.1,
    )
    access = auth.access_token
    key_cert = client.security.get_public_key_certificate("SymmetricKeyEncryption")
    session = OnlineSessionWorkflow(client.sessions).open_session(
        form_code=FormCode(system_code="FA (3)", schema_version="1-0E", value="FA"),
        public_certificate=key_cert.certificate,
        public_key_id=key_cert.public_key_id,
        access_token=access,
    )
    sent = session.send_invoice(invoice)
    for _ in range(100):
        status = client.sessions.get_session_invoice_status(
            session.reference_number, sent.reference_number, access_token=access
        )
        if status.status.code not in (100, 150):
            break
        time.sleep(0.05)
    ksef_number = status.ksef_number
    upo = client.sessions.get_session_invoice_upo_by_ksef(
        session.reference_number, ksef_number, access_token=access
    )
    link = status.upo_download_url
    presigned = client.http_client.request("GET", link, skip_auth=True, expected_status={200})
    client.sessions.close_online_session(session.reference_number, access_token=access)
    print(
        json.dumps(
            {
                "status": status.status.code,
                "ksef_number": ksef_number,
                "link_host": link.split("/")[2].split(":")[0],
                "upo": upo.decode("utf-8"),
                "upo_by_link_equal": presigned.content == upo,
            }
        )
    )
