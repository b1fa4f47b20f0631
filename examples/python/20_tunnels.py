"""README "Tunnels": bring a local process online with
``inkbox.tunnels.connect(...)`` (forward to a local HTTP server, or to an
in-process ASGI app), then the REST part (a passthrough tunnel: list, get,
update metadata, sign a CSR).

Against the local emulator the tunnel's zone is the emulator itself
(``localhost:{port}``, cleartext HTTP/2) and its public side answers on the
same port for the Host ``{handle}.localhost``: the "third party" below
sends its request there. Against Inkbox it goes to ``listener.public_url``.

For the passthrough tunnel (TLS terminated by the agent) ``connect`` keeps
its own P-256 key under ``~/.inkbox/tunnels/my-app-pt/`` and signs a
certificate for it when needed; the "third party" then speaks TLS to the
tunnel (against the emulator: SNI ``my-app-pt.localhost`` on the emulator's
port; its certificates come from a fake CA, so the served leaf is checked
against ``cert_fingerprint_sha256`` instead of a chain).

The CSR for the passthrough tunnel is made with the openssl command (or the
`cryptography` package when openssl is missing); its CN is the tunnel's
public host.
"""

import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import urllib.request

from _emulator import ACTIVE, BASE_URL
from _receiver import Receiver
from inkbox import Inkbox


def make_csr(common_name: str) -> bytes:
    if shutil.which("openssl"):
        with tempfile.TemporaryDirectory() as tmp:
            return subprocess.run(
                ["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", os.path.join(tmp, "key.pem"), "-subj", f"/CN={common_name}"],
                check=True, capture_output=True,
            ).stdout
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    ).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM)


def third_party_post(listener, path: str, body: bytes) -> tuple[int, bytes]:
    """A request from the internet to the tunnel's public URL."""
    url = (BASE_URL if ACTIVE else listener.public_url) + path
    req = urllib.request.Request(url, data=body, method="POST")
    if ACTIVE:
        req.add_header("Host", listener.public_host)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, resp.read()


def third_party_tls_post(listener, path: str, body: bytes) -> tuple[str, bytes]:
    """A TLS request from the internet to a passthrough tunnel: (status line, served leaf DER)."""
    host = listener.public_host
    ctx = ssl.create_default_context()
    if ACTIVE:  # the emulator's fake CA signs nothing verifiable: pin the leaf instead
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        addr = ("127.0.0.1", int(BASE_URL.rsplit(":", 1)[1]))
    else:
        addr = (host, 443)
    with socket.create_connection(addr, timeout=30) as raw, ctx.wrap_socket(raw, server_hostname=host) as tls:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        tls.sendall(head.encode() + body)
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
        return data.split(b"\r\n", 1)[0].decode(), tls.getpeercert(binary_form=True) or b""


async def asgi_app(scope, receive, send):
    """Stands in for the README's FastAPI app (any ASGI app works)."""
    body = (await receive())["body"]
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"app saw " + scope["path"].encode() + b": " + body})


with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox, Receiver({"/hooks/order": lambda body, headers: 200}) as local_app:
    inkbox.create_identity("my-app")  # every identity comes with an (edge) tunnel

    # Forward to a local HTTP server (edge mode — Inkbox terminates TLS)
    listener = inkbox.tunnels.connect(
        name="my-app",
        forward_to=local_app.url,  # e.g. "http://127.0.0.1:8080"
    )
    print(listener.public_url)  # https://my-app.inkboxwire.com (emulator: http://my-app.localhost:PORT)

    def third_party() -> None:
        try:
            while not listener.connected:
                threading.Event().wait(0.05)
            status, _ = third_party_post(listener, "/hooks/order", b'{"order": 1}')
            print("public POST /hooks/order ->", status, "local app got", local_app.wait("/hooks/order"))
        finally:
            listener.close()

    threading.Thread(target=third_party).start()
    listener.wait()  # blocks until close()/Ctrl-C

    # Or forward to an in-process ASGI app (FastAPI / Starlette / yours);
    # the tunnel can also be named by id (identity.tunnel.id).
    tunnel_id = inkbox.get_identity("my-app").tunnel.id
    with inkbox.tunnels.connect(tunnel_id=tunnel_id, forward_to=asgi_app) as listener:
        status, body = third_party_post(listener, "/hello", b"hi")
        print("public POST /hello ->", status, body.decode())
        assert body == b"app saw /hello: hi"

    # Passthrough TLS — tls_mode is fixed at identity-create time:
    # 0.4.9 fails here: it calls tunnel.to_wire() on the plain dict
    # (AttributeError: 'dict' object has no attribute 'to_wire').
    inkbox.create_identity("my-app-pt", tunnel={"tls_mode": "passthrough"})

    tunnel = inkbox.get_identity("my-app-pt").tunnel
    tunnel_uuid = tunnel.id
    csr_bytes = make_csr(tunnel.public_host)

    inkbox.tunnels.list()
    inkbox.tunnels.get(tunnel_uuid)
    inkbox.tunnels.update(tunnel_uuid, metadata={"team": "gtm"})
    # Passthrough only:
    # 0.4.9 fails here: it puts the bytes into the JSON body as is
    # (TypeError: Object of type bytes is not JSON serializable).
    signed = inkbox.tunnels.sign_csr(tunnel_uuid, csr_pem=csr_bytes)

    tunnel = inkbox.tunnels.get(tunnel_uuid)
    print(tunnel.public_host, tunnel.tls_mode, tunnel.status, tunnel.metadata)
    print(signed.cert_fingerprint_sha256 if hasattr(signed, "cert_fingerprint_sha256") else signed)

    # Connect the passthrough tunnel. The certificate signed above is for
    # another key, so connect() signs a new one for the key it keeps.
    listener = inkbox.tunnels.connect(
        name="my-app-pt",
        forward_to=local_app.url,  # e.g. "http://127.0.0.1:8080"
    )

    def third_party_tls() -> None:
        try:
            while not listener.connected:
                threading.Event().wait(0.05)
            status_line, leaf = third_party_tls_post(listener, "/hooks/order", b'{"order": 2}')
            fingerprint = hashlib.sha256(leaf).hexdigest()
            assert fingerprint == inkbox.tunnels.get(tunnel_uuid).cert_fingerprint_sha256
            print("TLS POST /hooks/order ->", status_line, "local app got", local_app.wait("/hooks/order"))
        finally:
            listener.close()

    threading.Thread(target=third_party_tls).start()
    listener.wait()
