"""Every chart shown is downloadable as an SVG file and a PNG image: the manager dashboard's
(every figure tab) and the progress charts of a trajectory page (the gids's and the provider's).

Each chart has both links, named after the chart; each file is the page's chart (the SVG file has
the very same shapes and text, recomputed from the same parameters); a chart number the page
does not have is 404, bad filters 400 with the page's Dutch message, another role 403.

Attacks: a suppressed median stays a band in the file, its value is nowhere in it; another
provider's trajectory gives 404 and writes no export; every progress chart download is in the
audit log (personal data), the manager's are not (no personal data)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from html import unescape

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from lxml import etree
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.charts import TITLE_BAND
from app.statistics import FIGURE_NAMES
from models import AuditEntry

from ..factories import World
from ..workflows.stats_helpers import TODAY, fact, jeugd_times_five
from .care import NOW, evaluated
from .helpers import login_as
from .test_stats_presentation import PERIOD, signed_in, waiting

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LINK = re.compile(
    r'<a href="([^"]+)" download aria-label="Download als (SVG|PNG): ([^"]+)">Download als \2</a>'
)


def _charts(page: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", page, re.S)


def _links(page: str) -> list[tuple[str, str, str]]:
    """(url, kind, the chart title in the link's accessible name) of every download link."""
    return [(unescape(url), kind, unescape(title)) for url, kind, title in LINK.findall(page)]


def _drawn(root: etree._Element) -> list[tuple[str, dict[str, str], str]]:
    """What an SVG draws: each shape's tag, attributes and text, without the root's title and
    description (ids differ: the page has several charts) and the file's frame."""
    drawing = root.find(f"{SVG}g")  # the file's drawing sits below its title band
    return [
        (etree.QName(element).localname, dict(element.attrib), "".join(element.itertext()))
        for element in (root if drawing is None else drawing)
        if etree.QName(element).localname not in ("title", "desc")
    ]


def _check_svg(data: bytes, inline: str) -> etree._Element:
    """A standalone SVG file that draws exactly the inline chart."""
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = etree.fromstring(data)
    assert root.tag == f"{SVG}svg"
    page_root = etree.fromstring(inline.encode())
    assert root.findtext(f"{SVG}title") == page_root.findtext(f"{SVG}title")
    assert root.findtext(f"{SVG}desc") == page_root.findtext(f"{SVG}desc")
    width, height = (float(v) for v in page_root.get("viewBox").split()[2:])
    assert root.get("font-family")
    assert root.get("viewBox") == f"0 0 {width:.0f} {height + TITLE_BAND:.0f}"
    assert root.get("width") == f"{width:.0f}"
    assert root.get("height") == f"{height + TITLE_BAND:.0f}"
    heading = root.find(f"{SVG}text[@class='chart-heading']")
    assert heading is not None and heading.text == page_root.findtext(f"{SVG}title")
    assert root.find(f"{SVG}g").get("transform") == f"translate(0 {TITLE_BAND:.0f})"
    assert _drawn(root) == _drawn(page_root)
    return root


def _check_png(data: bytes, inline: str) -> Image.Image:
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    width, height = (float(v) for v in etree.fromstring(inline.encode()).get("viewBox").split()[2:])
    # 2 pixels a point (144 dpi), the title band above the drawing
    assert image.size == (round(width * 2), round((height + TITLE_BAND) * 2))
    return image


def _check_downloads(client: FlaskClient, page: str) -> list[tuple[str, bytes]]:
    """Both links under every chart, each naming its chart, each giving that chart as a file."""
    charts, links = _charts(page), _links(page)
    assert charts and len(links) == 2 * len(charts)
    files = []
    for index, inline in enumerate(charts):
        title = etree.fromstring(inline.encode()).findtext(f"{SVG}title")
        (svg_url, svg_kind, svg_title), (png_url, png_kind, png_title) = links[
            2 * index : 2 * index + 2
        ]
        assert (svg_kind, png_kind) == ("SVG", "PNG") and svg_title == png_title == title
        svg, png = client.get(svg_url), client.get(png_url)
        assert (svg.status_code, svg.mimetype) == (200, "image/svg+xml"), svg_url
        assert (png.status_code, png.mimetype) == (200, "image/png"), png_url
        assert "attachment" in svg.headers["Content-Disposition"]
        _check_svg(svg.data, inline)
        _check_png(png.data, inline)
        files += [(r.headers["Content-Disposition"], r.data) for r in (svg, png)]
    return files


# --- the manager dashboard ------------------------------------------------------------------


@pytest.fixture
def manager(client: FlaskClient, session: Session, world: World) -> Iterator[FlaskClient]:
    signed_in(client, session, world, *jeugd_times_five(), *waiting(6))
    with freeze_time(TODAY):
        yield client


@pytest.mark.parametrize("figure", FIGURE_NAMES)
def test_every_dashboard_chart_downloads_as_svg_and_png(manager: FlaskClient, figure: str) -> None:
    page = manager.get("/manager/", query_string={"figuur": figure, **PERIOD})
    assert page.status_code == 200
    files = _check_downloads(manager, page.get_data(as_text=True))
    names = [re.search(r"filename=(\S+)", disposition).group(1) for disposition, _data in files]
    assert names[:2] == [
        f"trajectwijzer-{figure}-2020-03-2021-10-grafiek-1.svg",
        f"trajectwijzer-{figure}-2020-03-2021-10-grafiek-1.png",
    ]


def test_the_files_follow_the_filters_of_the_page(manager: FlaskClient) -> None:
    """The same parameters give the same chart: another period is another picture."""
    wide = manager.get("/manager/grafiek-1.svg", query_string={"figuur": "flows", **PERIOD})
    narrow = manager.get(
        "/manager/grafiek-1.svg",
        query_string={"figuur": "flows", "from": "2021-01", "to": "2021-03", "domain": "jeugd"},
    )
    assert wide.status_code == narrow.status_code == 200
    assert b">2020-03</text>" in wide.data and b">2020-03</text>" not in narrow.data


@pytest.mark.parametrize(
    "url", ["/manager/grafiek-0.svg", "/manager/grafiek-3.png", "/manager/grafiek-1.gif"]
)
def test_a_chart_the_page_does_not_have_is_404(manager: FlaskClient, url: str) -> None:
    # flows has two charts
    assert manager.get(url, query_string={"figuur": "flows", **PERIOD}).status_code == 404


@pytest.mark.parametrize(
    "params",
    [{"from": "2021-13"}, {"from": "2021-05", "to": "2021-01"}, {"wijk": "Atlantis"}],
)
@pytest.mark.parametrize("kind", ["svg", "png"])
def test_bad_filters_give_the_pages_dutch_message_and_400(
    manager: FlaskClient, params: dict[str, str], kind: str
) -> None:
    page = manager.get("/manager/", query_string=params)
    assert page.status_code == 400
    summary = page.get_data(as_text=True).split("Controleer de filters")[1]
    messages = re.findall(r"<li>([^<]+)</li>", summary)
    assert messages
    response = manager.get(f"/manager/grafiek-1.{kind}", query_string=params)
    assert response.status_code == 400 and response.mimetype == "text/html"
    for message in messages:
        assert message in response.get_data(as_text=True)
    assert manager.get(f"/manager/grafiek-1.{kind}?figuur=geheim").status_code == 400


def test_a_hidden_median_is_a_band_in_the_file_and_its_value_is_nowhere(
    client: FlaskClient, session: Session, world: World
) -> None:
    """Two waits from decision (20 January) to start of care (3 and 4 February): 14 and 15
    days, a median of 14.5 over fewer than k = 5 waits, so hidden. Five such waits in March
    (14, 14, 15, 15, 16 days: median 15) are shown, for comparison."""
    decided = {"decision_date": date(2021, 1, 20)}
    march = {"decision_date": date(2021, 3, 1)}
    client = signed_in(
        client,
        session,
        world,
        fact("a", date(2021, 2, 3), **decided),
        fact("b", date(2021, 2, 4), **decided),
        *(fact(f"m{i}", date(2021, 3, 15 + d), **march) for i, d in enumerate([0, 0, 1, 1, 2])),
    )
    params = {"figuur": "waiting-times", "from": "2021-01", "to": "2021-04", "domain": "jeugd"}
    with freeze_time(TODAY):
        page = client.get("/manager/", query_string=params).get_data(as_text=True)
        svg = client.get("/manager/grafiek-2.svg", query_string=params)
        png = client.get("/manager/grafiek-2.png", query_string=params)
    text = svg.get_data(as_text=True)
    # March's median (15) is a point on the top tick (15, y = 28); February's is a band
    assert ">15</text>" in text and '<rect x="410.0" y="26.0" width="4.0" height="4.0"' in text
    _check_svg(svg.data, _charts(page)[1])
    assert re.search(r"<title>2021-02, Besluit . start: verborgen</title>", text)
    assert "14,5" not in text and "14.5" not in text and "14<" not in text
    # the line has a point only for March: February's slot holds no point, only the band
    root = etree.fromstring(svg.data)
    band = next(e for e in root.iter(f"{SVG}rect") if e.get("class") == "hidden-value")
    left, right = float(band.get("x")), float(band.get("x")) + float(band.get("width"))
    xs = [float(e.get("x")) for e in root.iter(f"{SVG}rect") if e.get("class") is None]
    xs += [
        float(p.split(",")[0]) for e in root.iter(f"{SVG}polyline") for p in e.get("points").split()
    ]
    assert xs and not [x for x in xs if left < x < right]
    # the PNG draws the band: its grey fill is there
    image = Image.open(io.BytesIO(png.data)).convert("RGB")
    assert (0xEC, 0xEC, 0xEC) in {colour for _n, colour in image.getcolors(1_000_000)}


@pytest.mark.parametrize("who", ["gids", "aanbieder_a", "beheerder"])
def test_only_managers_download_dashboard_charts(client: FlaskClient, world: World, who: str):
    login_as(client, getattr(world, who))
    for kind in ("svg", "png"):
        assert client.get(f"/manager/grafiek-1.{kind}").status_code == 403


def test_a_visitor_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/manager/grafiek-1.svg")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


# --- progress charts on a trajectory page (personal data) -----------------------------------


@pytest.fixture
def now() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def _exports(session: Session, after: int) -> list[AuditEntry]:
    """The export entries written since entry ``after`` (the log only grows)."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.id > after, AuditEntry.action == "geexporteerd")
            .order_by(AuditEntry.id)
        )
    )


def _last_entry(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))) or 0


@pytest.mark.parametrize("who", ["aanbieder_a", "gids"])
def test_progress_charts_download_and_every_download_is_audited(
    client: FlaskClient, session: Session, world: World, who: str, now: None
) -> None:
    trajectory = evaluated(session, world, [-1, 1], zrm={d: 2 for d in range(1, 14)})
    user = getattr(world, who)
    login_as(client, user)
    side = "aanbieder" if who == "aanbieder_a" else "gids"
    page = client.get(f"/{side}/trajecten/{trajectory.id}").get_data(as_text=True)
    before = _last_entry(session)
    files = _check_downloads(client, page)
    assert [url for url, _kind, _title in _links(page)] == [
        f"/{side}/trajecten/{trajectory.id}/voortgang-{key}.{kind}"
        for key in ("gas", "zrm")
        for kind in ("svg", "png")
    ]
    session.expire_all()
    exports = _exports(session, before)
    assert [(e.object_type, e.object_id, e.resident_id, e.user_id) for e in exports] == [
        ("traject", trajectory.id, trajectory.resident_id, user.id)
    ] * 4
    names = [
        f"trajectwijzer-voortgang-{trajectory.id}-{key}.{fmt}"
        for key in ("gas", "zrm")
        for fmt in ("svg", "png")
    ]
    assert [e.details for e in exports] == names
    assert [re.search(r"filename=(\S+)", d).group(1) for d, _data in files] == names


def test_another_providers_trajectory_chart_is_404_and_not_exported(
    client: FlaskClient, session: Session, world: World, now: None
) -> None:
    trajectory = evaluated(session, world, [0])
    login_as(client, world.aanbieder_b)
    before = _last_entry(session)
    for kind in ("svg", "png"):
        url = f"/aanbieder/trajecten/{trajectory.id}/voortgang-gas.{kind}"
        assert client.get(url).status_code == 404
    session.expire_all()
    assert _exports(session, before) == []


@pytest.mark.parametrize("who", ["manager", "aanbieder_a"])
def test_the_gids_side_is_for_the_gidsen(client, session, world, who, now) -> None:
    trajectory = evaluated(session, world, [0])
    login_as(client, getattr(world, who))
    before = _last_entry(session)
    assert client.get(f"/gids/trajecten/{trajectory.id}/voortgang-gas.svg").status_code == 403
    session.expire_all()
    assert _exports(session, before) == []


def test_a_chart_the_page_does_not_show_is_404(client, session, world, now) -> None:
    trajectory = evaluated(session, world, [0])  # GAS only, no ZRM
    login_as(client, world.aanbieder_a)
    base = f"/aanbieder/trajecten/{trajectory.id}"
    assert client.get(f"{base}/voortgang-gas.svg").status_code == 200
    for url in ("voortgang-zrm.svg", "voortgang-geheim.png", "voortgang-gas.pdf"):
        assert client.get(f"{base}/{url}").status_code == 404
    assert client.get("/aanbieder/trajecten/999999/voortgang-gas.svg").status_code == 404
