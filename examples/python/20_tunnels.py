"""README "Tunnels": the REST part (create a passthrough tunnel, list, get,
update metadata, sign a CSR).

Not here: ``inkbox.tunnels.connect(...)`` / ``listener.wait()``. Those open
the data plane (an outbound HTTP/2 connection to the inkboxwire edge), which
the local emulator does not implement (tunnels data plane is out of its
scope), so the README's connect snippets cannot run against it. The
control-plane calls they rely on (the tunnel rows, the passthrough
certificate) are all exercised below.

The CSR for the passthrough tunnel is made with the openssl command (or the
`cryptography` package when openssl is missing); its CN is the tunnel's
public host.
"""

import os
import shutil
import subprocess
import tempfile

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


with Inkbox(
    api_key=os.environ["INKBOX_API_KEY"],
    base_url=os.environ.get("INKBOX_BASE_URL", "https://inkbox.ai"),
) as inkbox:
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
