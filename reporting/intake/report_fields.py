"""The fields of a report's body and their labels, for the forms and for the pages.

A tip's and a disclosure's body are JSON objects keyed by these names
(docs/report-format.md). The public site's forms take their labels from here,
and the reporter's case page and the console label a decrypted body with
them, so a field has one name wherever it appears.
"""

from __future__ import annotations

from collections.abc import Mapping

from reporting.core.errors import Translatable, translatable
from reporting.core.models import IntakeType, PartKind

CONFLICTS = translatable("People who must not see this report")

TIP_FIELDS: Mapping[str, Translatable] = {
    "what_happened": translatable("What happened?"),
    "goods": translatable("Goods"),
    "parties": translatable("Parties"),
    "route": translatable("Route and countries"),
    "dates": translatable("When"),
    "payment": translatable("Payment"),
    "how_known": translatable("How do you know this?"),
    "conflicts": CONFLICTS,
}

DISCLOSURE_FIELDS: Mapping[str, Translatable] = {
    "company": translatable("Company"),
    "company_address": translatable("Company address"),
    "contact_name": translatable("Contact person"),
    "contact_role": translatable("Their position"),
    "contact_email": translatable("Their e-mail address"),
    "contact_phone": translatable("Their telephone number"),
    "violation": translatable("The violation"),
    "items": translatable("Items"),
    "licences": translatable("Licence numbers"),
    "parties": translatable("Parties"),
    "dates": translatable("Dates"),
    "corrective_actions": translatable("Corrective actions"),
    "conflicts": CONFLICTS,
    "certified": translatable(
        "I certify that this notification is true and complete to the best of my knowledge, "
        "and that I am authorised to make it on behalf of the company."
    ),
}

# A disclosure's later stages by the names the API and the forms give them
# (docs/submission.md), and the kinds they are stored as.
STAGE_KINDS: Mapping[str, PartKind] = {
    "full_narrative": PartKind.NARRATIVE,
    "supplement": PartKind.SUPPLEMENT,
}
STAGE_NAMES: Mapping[PartKind, str] = {kind: name for name, kind in STAGE_KINDS.items()}
STAGE_LABELS: Mapping[PartKind, Translatable] = {
    PartKind.NARRATIVE: translatable("Full narrative"),
    PartKind.SUPPLEMENT: translatable("Supplement"),
}

# A disclosure's later stages (the full narrative, supplements) add these.
LATER_STAGE_FIELDS: Mapping[str, Translatable] = {
    "narrative": translatable("Narrative"),
    "certified": translatable(
        "I certify that this is true and complete to the best of my knowledge, "
        "and that I am authorised to make it on behalf of the company."
    ),
}


def body_fields(intake_type: IntakeType) -> Mapping[str, Translatable]:
    """The first body's fields of a report of this type, in the order the form asks for them."""
    return TIP_FIELDS if intake_type is IntakeType.TIP else DISCLOSURE_FIELDS


# The roles a reporter can give a party, as the forms offer them and the
# console names them (the stored value is the key).
PARTY_ROLES: Mapping[str, Translatable] = {
    "buyer": translatable("Buyer"),
    "consignee": translatable("Consignee"),
    "end_user": translatable("End user"),
    "freight_forwarder": translatable("Freight forwarder"),
    "bank": translatable("Bank"),
    "intermediary": translatable("Intermediary or broker"),
    "other": translatable("Other"),
}
