"""The answer to a request for access as PDF: the same data as the JSON export
(``workflows.inzage.resident_file``), laid out for the resident to read."""

from __future__ import annotations

from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib.units import cm
from reportlab.platypus import Flowable

from .pdf import CONTENT_WIDTH, PdfDocument, as_markup


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("Ja")
    if value is False:
        return _("Nee")
    return as_markup(value)


class InzagePdf(PdfDocument):
    def __init__(self, data: dict[str, Any], today: date) -> None:
        super().__init__(today)
        self.data = data

    def title(self) -> str:
        return _("Inzage in uw gegevens")

    def subtitle(self) -> str:
        resident = self.data["resident"]
        return _(
            "Alle gegevens die de gemeente in Trajectwijzer over %(name)s vastlegt, op %(date)s",
            name=f"{resident['given_name']} {resident['family_name']}",
            date=self.data["made_on"],
        )

    def story(self) -> list[Flowable]:
        resident = self.data["resident"]
        access_request = self.data["access_request"]
        story: list[Flowable] = [
            self.heading(_("Uw gegevens")),
            self.facts(
                [
                    (_("Zaaknummer van uw verzoek"), _plain(access_request["reference"])),
                    (_("Uw verzoek ontvangen op"), _plain(access_request["received_on"])),
                    (_("Naam"), _plain(f"{resident['given_name']} {resident['family_name']}")),
                    (_("BSN"), _plain(resident["bsn"])),
                    (_("Geboortedatum"), _plain(resident["birth_date"])),
                    (_("Adres"), _plain(resident["address"])),
                    (_("Postcode"), _plain(resident["postcode"])),
                    (_("Telefoonnummer"), _plain(resident["phone"])),
                    (_("Wijk of kern"), _plain(resident["wijk"])),
                    (_("Geregistreerd op"), _plain(resident["created_at"][:10])),
                    (_("Uw contactpersoon (gids)"), _plain(resident["contact_gids"])),
                ]
                + [
                    (label, _plain(resident[key]))
                    for key, label in (
                        ("moved_out_on", _("Verhuisd buiten de gemeente op")),
                        ("died_on", _("Overleden op")),
                    )
                    if resident.get(key)
                ]
            ),
            self.heading(_("Aanmeldingen")),
        ]
        requests = self.data["requests"]
        if requests:
            story.append(
                self.grid(
                    [_("Datum"), _("Domein"), _("Hulpvraag"), _("Uitkomst")],
                    [
                        [
                            _plain(r["request_date"]),
                            _plain(r["domain"]),
                            _plain(r["question"]),
                            _plain(r["outcome"]),
                        ]
                        for r in requests
                    ],
                    [2.5 * cm, 2 * cm, CONTENT_WIDTH - 8 * cm, 3.5 * cm],
                )
            )
        else:
            story.append(self.para(escape(_("Geen."))))
        for trajectory in self.data["trajectories"]:
            story += self._trajectory(trajectory)
        story.append(self.heading(_("Wie uw gegevens heeft ingezien of gewijzigd")))
        accesses = self.data["accesses"]
        if accesses:
            story.append(
                self.grid(
                    [_("Wanneer"), _("Wie"), _("Wat")],
                    [
                        [
                            _plain(a["at"][:16].replace("T", " ")),
                            _plain(f"{a['role'] or '—'}, {a['organisation']}"),
                            _plain(f"{a['action']} {a['object']} {a['object_id'] or ''}".strip()),
                        ]
                        for a in accesses
                    ],
                    [3.5 * cm, 5.5 * cm, CONTENT_WIDTH - 9 * cm],
                )
            )
        else:
            story.append(self.para(escape(_("Geen."))))
        return story

    def _trajectory(self, t: dict[str, Any]) -> list[Flowable]:
        rows = [
            (_("Profiel"), _plain(t["profile"])),
            (_("Intensiteit"), _plain(t["intensity"])),
            (_("Status"), _plain(t["state"])),
            (_("Aanbieder"), _plain(t["provider"])),
            (_("Gids"), _plain(t["gids"])),
            (_("Trajectprijs"), _plain(t["price"])),
            (_("Geplande periode"), _plain(f"{t['planned_start']} – {t['planned_end']}")),
            (_("Start zorg"), _plain(t["care_start"])),
            (_("Einde zorg"), _plain(t["care_end"])),
            (_("Resultaat behaald"), _plain(t["result_achieved"])),
        ]
        story: list[Flowable] = [
            self.heading(_("Traject %(id)s", id=t["id"])),
            self.facts(rows),
        ]
        if t["results"]:
            story.append(self.para("<b>" + escape(_("Afgesproken resultaten")) + "</b>"))
            for number, result in enumerate(t["results"], start=1):
                story.append(self.para(f"{number}. {_plain(result['description'])}"))
        if t["history"]:
            story.append(self.para("<b>" + escape(_("Verloop")) + "</b>"))
            story.append(
                self.grid(
                    [_("Wanneer"), _("Stap"), _("Toelichting")],
                    [
                        [
                            _plain(e["at"][:10]),
                            _plain(e["action"]),
                            _plain(" ".join(x for x in (e["reason"], e["details"]) if x)),
                        ]
                        for e in t["history"]
                    ],
                    [2.5 * cm, 4 * cm, CONTENT_WIDTH - 6.5 * cm],
                )
            )
        if t["evaluations"]:
            story.append(self.para("<b>" + escape(_("Evaluaties")) + "</b>"))
            story.append(
                self.grid(
                    [_("Gehouden op"), _("Status"), _("Samenvatting")],
                    [
                        [
                            _plain(e["held_on"] or e["due_on"]),
                            _plain(e["state"]),
                            _plain(e["summary"]),
                        ]
                        for e in t["evaluations"]
                    ],
                    [2.5 * cm, 2.5 * cm, CONTENT_WIDTH - 5 * cm],
                )
            )
        for claim in t["claims"]:
            story.append(
                self.para(
                    escape(_("Declaratie"))
                    + f": {_plain(claim['amount'])} ({_plain(claim['state'])})"
                )
            )
        return story
