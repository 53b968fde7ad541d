"""Signing the finished report with pyHanko: attached files first, then a PAdES B-B signature.

The attached files (card, sign-offs, manifest) and the signature field are
written in the same incremental update that the signature closes, so the
signature covers the whole file, attachments included.  The signature's
visible appearance, drawn by :func:`report_document.build_stamp` in the
report's own fonts, sits in the box the layout left for it on the last page.

This module imports pyHanko at its top: only the report functions import it,
when a report is signed.
"""

from __future__ import annotations

import io
import math
import tempfile
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import embed, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from countersign.services.identities.certificates import load_certificate
from countersign.services.identities.identities import SigningKey
from countersign.services.reports.attachments import Attachment
from countersign.services.reports.data import ReportData
from countersign.services.reports.pdf.document import BuiltReport, build_stamp

SIGNATURE_FIELD = "CountersignReportSignature"
"""The name of the report's signature field."""


def sign_report(
    built: BuiltReport,
    attachments: list[Attachment],
    data: ReportData,
    signing: SigningKey,
    reason: str,
) -> bytes:
    """Attach the files to the report and sign the whole of it with ``signing``'s key."""
    writer = IncrementalPdfFileWriter(io.BytesIO(built.pdf))
    for attachment in attachments:
        _embed(writer, attachment)
    box = _whole_points(built.signature_box)
    fields.append_signature_field(
        writer,
        fields.SigFieldSpec(
            SIGNATURE_FIELD,
            on_page=built.signature_page - 1,
            box=box,
        ),
    )
    identity = signing.identity
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        contact_info=identity.email,
    )
    x1, y1, x2, y2 = box
    with tempfile.TemporaryDirectory(prefix="countersign-stamp-") as folder:
        # pyHanko imports the appearance from a PDF file; it is read while signing.
        appearance = Path(folder) / "stamp.pdf"
        appearance.write_bytes(build_stamp(data, x2 - x1, y2 - y1))
        output = io.BytesIO()
        # Room for the CMS signature, given rather than estimated by a trial signature: an
        # ECDSA signature and its attributes take under 2 KiB besides the certificates.
        reserved = 4096 + 2 * sum(
            len(pem) for pem in (identity.certificate_pem, identity.chain_pem)
        )
        signers.PdfSigner(metadata, _signer(signing), stamp_style=_stamp(appearance)).sign_pdf(
            writer, output=output, bytes_reserved=reserved
        )
    return output.getvalue()


def _embed(writer: IncrementalPdfFileWriter, attachment: Attachment) -> None:
    """Carry ``attachment`` inside the PDF as an embedded file."""
    stream = embed.EmbeddedFileObject.from_file_data(
        writer,
        attachment.data,
        mime_type=attachment.media_type,
        params=embed.EmbeddedFileParams(),
    )
    embed.embed_file(
        writer,
        embed.FileSpec(
            file_spec_string=attachment.name,
            file_name=attachment.name,
            embedded_data=stream,
            description=attachment.description,
        ),
    )


def _signer(signing: SigningKey) -> signers.SimpleSigner:
    """pyHanko's signer for the identity's key, its certificate and chain."""
    identity = signing.identity
    chain = [asn1_certificate(pem) for pem in pem_blocks(identity.chain_pem)]
    return signers.SimpleSigner(
        signing_cert=asn1_certificate(identity.certificate_pem),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            signing.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
    )


def _stamp(appearance: Path) -> StaticStampStyle:
    """The signature's appearance: the stamp PDF at ``appearance``, unscaled, no border."""
    return StaticStampStyle.from_pdf_file(
        str(appearance),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(),
            inner_content_scaling=layout.InnerScaling.NO_SCALING,
        ),
    )


def _whole_points(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """The signature box in whole points, inside the frame the layout drew."""
    x1, y1, x2, y2 = box
    return (math.ceil(x1), math.ceil(y1), math.floor(x2), math.floor(y2))


def asn1_certificate(pem: str) -> asn1_x509.Certificate:
    """A PEM certificate as pyHanko's (asn1crypto's) certificate object."""
    der = load_certificate(pem).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(der)


def pem_blocks(text: str) -> list[str]:
    """The PEM certificates in ``text`` (a chain), each as its own PEM text."""
    marker = "-----END CERTIFICATE-----"
    return [block + marker for block in text.split(marker) if "-----BEGIN" in block]
