"""`ovk kolada fetch` and `ovk kolada diff`, and the client under them, against a real HTTP
server on localhost (pytest-httpserver) that answers as Kolada's API v3 does. No test
reaches the internet."""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ovk.kolada import KoladaError, client as kolada_client
from ovk.kolada.client import USER_AGENT, Client, Settings
from ovk.model import kolada
from ovk.model.build import build
from ovk.model.entities import Malomraden
from ovk.yamlio.loader import load_path
from tests.conftest import REPO, run_ovk

FAST = Settings(
    read_timeout=0.3,
    connect_timeout=0.3,
    deadline=1.0,
    attempts=3,
    backoff=0.01,
    max_wait=0.05,
    interval=0.0,
)
TITLE = "Sjukfrånvaro, andel (%)"


def cell(value: float | None, gender: str = "T", status: str = "", deleted: bool = False) -> Any:
    """One of a data item's values, as Kolada writes it."""
    return {"gender": gender, "count": 1, "status": status, "value": value, "isdeleted": deleted}


class FakeKolada:
    """Kolada's API v3 on a local server: KPI metadata by id (or every KPI, the catalogue)
    and values by KPI, municipality and year, each answer paged (at most `page_size` items a
    page, whatever per_page asks) with an absolute next_url. `paths` records what was asked."""

    def __init__(
        self,
        server: HTTPServer,
        titles: dict[str, str],
        values: dict[tuple[str, int], list[Any]],
        page_size: int = 5000,
    ) -> None:
        self.titles, self.values, self.page_size = titles, values, page_size
        self.paths: list[str] = []
        self.queries: list[dict[str, str]] = []
        self.agents: list[str] = []
        server.expect_request(re.compile(r"^/v3/")).respond_with_handler(self)

    def __call__(self, request: Request) -> Response:
        self.paths.append(request.path)
        self.queries.append(dict(request.args))
        self.agents.append(request.headers.get("User-Agent", ""))
        parts = request.path.split("/")[2:]
        if parts == ["kpi"]:  # the catalogue: every KPI
            items = [self.kpi(i) for i in self.titles]
        elif parts[0] == "kpi":
            ids = parts[1].split(",")
            assert len(ids) <= 25
            items = [self.kpi(i) for i in ids if i in self.titles]
        else:
            assert parts[0:2] == ["data", "kpi"] and parts[3] == "municipality"
            kpis, municipality, years = parts[2].split(","), parts[4], parts[6].split(",")
            assert len(kpis) <= 25 and len(years) <= 25
            items = [
                {"kpi": k, "municipality": municipality, "period": int(y), "values": v}
                for k in kpis
                for y in years
                if (v := self.values.get((k, int(y)))) is not None
            ]
        page = int(request.args.get("page", "1"))
        size = min(int(request.args.get("per_page", "5000")), self.page_size)
        chunk = items[(page - 1) * size : page * size]
        following = None
        if page * size < len(items):
            query = {**request.args, "page": str(page + 1)}
            following = f"{request.base_url}?{urlencode(query)}"
        body = {"values": chunk, "count": len(chunk), "next_url": following, "previous_url": None}
        return Response(json.dumps(body), content_type="application/json")

    def kpi(self, kpi_id: str) -> Any:
        return {
            "id": kpi_id,
            "title": self.titles[kpi_id],
            "description": f"Beskrivning av {kpi_id}.",
            "operating_area": "Hälsa",
            "is_divided_by_gender": True,
            "municipality_type": "K",
            "publication_date": "2024-03-01",
            "auspice": None,
        }


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every wait short: the timeouts, the backoff, the pause between requests."""
    monkeypatch.setattr(kolada_client, "DEFAULT", FAST)


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> str:
    url = httpserver.url_for("/v3")
    monkeypatch.setenv("OVK_KOLADA_URL", url)
    return url


def small_tree(tmp_path: Path) -> Path:
    """The base example (one indicator of Kolada's N00090, values for 2023 and 2024) with
    the municipality's Kolada id added."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "tests/examples/_base", root)
    shutil.copytree(REPO / "schema", root / "schema")
    agreement = root / "agreements/2026/overenskommelse.yaml"
    text = agreement.read_text(encoding="utf-8")
    text = text.replace(
        "year: 2026\n", 'year: 2026\nmunicipality: {name: Nyköping, kolada_id: "0480"}\n'
    )
    agreement.write_text(text, encoding="utf-8")
    return root


def small_kolada(server: HTTPServer) -> FakeKolada:
    return FakeKolada(
        server,
        {"N00090": TITLE},
        {
            ("N00090", 2023): [cell(8.1), cell(9.0, "K"), cell(7.2, "M")],
            ("N00090", 2024): [cell(7.94), cell(None, "K", "Missing")],
        },
    )


def fetch(root: Path, *args: str) -> Any:
    return run_ovk("--root", str(root), "kolada", "fetch", *args)


def one_line_error(result: Any) -> str:
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ovk: error: "), result.stderr
    return lines[0]


# -- the client ----------------------------------------------------------------------------


def test_the_client_follows_next_url_through_every_page(httpserver: HTTPServer, api: str) -> None:
    values = {("N00090", y): [cell(float(y))] for y in range(2014, 2025)}
    fake = FakeKolada(httpserver, {"N00090": TITLE}, values, page_size=4)
    with Client() as client:
        found = client.values(["N00090"], "0480", range(2014, 2025))
    assert sorted(found.live) == [("N00090", y, "T") for y in range(2014, 2025)]
    assert [q.get("page") for q in fake.queries] == [None, "2", "3"]
    assert all(q["per_page"] == "5000" for q in fake.queries)
    years = ",".join(map(str, range(2014, 2025)))
    assert (
        client.requests[0] == f"{api}/data/kpi/N00090/municipality/0480/year/{years}?per_page=5000"
    )
    assert len(client.requests) == 3


def test_more_than_25_ids_are_asked_in_batches_of_25(httpserver: HTTPServer, api: str) -> None:
    ids = [f"N{n:05d}" for n in range(1, 31)]
    fake = FakeKolada(
        httpserver, {i: f"KPI {i}" for i in ids}, {(i, 2024): [cell(1.0)] for i in ids}
    )
    with Client() as client:
        metadata = client.kpis(ids)
        values = client.values(ids, "0480", [2024])
    assert sorted(metadata) == ids and len(values.live) == 30
    segments = [p.split("/")[3] for p in fake.paths if p.startswith("/v3/kpi/")]
    assert [len(s.split(",")) for s in segments] == [25, 5]
    data = [p.split("/")[4] for p in fake.paths if p.startswith("/v3/data/")]
    assert [len(s.split(",")) for s in data] == [25, 5]
    assert set(fake.agents) == {USER_AGENT} and USER_AGENT.startswith("ovk/0")


def test_the_client_keeps_to_a_few_requests_a_second(httpserver: HTTPServer, api: str) -> None:
    small_kolada(httpserver)
    waits: list[float] = []
    with Client(settings=Settings(interval=0.3), sleep=waits.append) as client:
        client.kpis(["N00090"])
        client.values(["N00090"], "0480", [2024])
    assert len(waits) == 1 and 0 < waits[0] <= 0.3  # the second request waited its turn
    assert 1 / Settings().interval <= 3  # as shipped: at most three a second


def test_a_429_is_retried_after_the_seconds_retry_after_says(
    httpserver: HTTPServer, api: str
) -> None:
    httpserver.expect_oneshot_request("/v3/kpi/N00090").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "0.04"}
    )
    small_kolada(httpserver)
    waits: list[float] = []
    with Client(settings=Settings(interval=0.0, max_wait=1.0), sleep=waits.append) as client:
        assert client.kpis(["N00090"])["N00090"].title == TITLE
    assert waits == [0.04]
    assert client.requests == [f"{api}/kpi/N00090"]  # asked twice, recorded once


def test_a_retry_after_is_honoured_only_up_to_the_cap(httpserver: HTTPServer, api: str) -> None:
    httpserver.expect_oneshot_request("/v3/kpi/N00090").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    small_kolada(httpserver)
    waits: list[float] = []
    with Client(settings=Settings(interval=0.0, max_wait=0.5), sleep=waits.append) as client:
        client.kpis(["N00090"])
    assert waits == [0.5]


def test_a_503_is_retried_with_exponential_backoff_then_succeeds(
    httpserver: HTTPServer, api: str
) -> None:
    for _ in range(2):
        httpserver.expect_oneshot_request("/v3/kpi/N00090").respond_with_data("", status=503)
    small_kolada(httpserver)
    waits: list[float] = []
    settings = Settings(interval=0.0, backoff=0.25, attempts=3)
    with Client(settings=settings, sleep=waits.append) as client:
        assert list(client.kpis(["N00090"])) == ["N00090"]
    assert waits == [0.25, 0.5]


def test_a_5xx_that_lasts_is_one_error_after_the_attempts(httpserver: HTTPServer, api: str) -> None:
    httpserver.expect_request("/v3/kpi/N00090").respond_with_data("", status=502)
    with (
        Client() as client,
        pytest.raises(KoladaError, match=r"HTTP 502 Bad Gateway after 3 tries"),
    ):
        client.kpis(["N00090"])
    assert len(httpserver.log) == 3


def test_null_values_stay_none_with_their_status_and_deleted_ones_are_dropped(
    httpserver: HTTPServer, api: str
) -> None:
    FakeKolada(
        httpserver,
        {"N00090": TITLE},
        {
            ("N00090", 2024): [
                cell(None, "T", "Missing"),
                cell(5.0, "K", deleted=True),
                cell(0.0, "M"),
            ]
        },
    )
    with Client() as client:
        found = client.values(["N00090"], "0480", [2024])
    assert found.live == {
        ("N00090", 2024, "T"): kolada.Value(None, "Missing", 1),
        ("N00090", 2024, "M"): kolada.Value(0.0, None, 1),
    }
    assert found.deleted == {("N00090", 2024, "K")}


def test_a_next_url_to_another_host_is_refused(httpserver: HTTPServer, api: str) -> None:
    body = {"values": [], "count": 0, "next_url": "http://evil.example/v3/kpi/N00090?page=2"}
    httpserver.expect_request("/v3/kpi/N00090").respond_with_json(body)
    with Client() as client, pytest.raises(KoladaError, match=r"next_url .* leaves .*not followed"):
        client.kpis(["N00090"])
    assert len(httpserver.log) == 1


def test_a_next_url_that_leads_back_is_an_error_not_a_loop(
    httpserver: HTTPServer, api: str
) -> None:
    body = {"values": [], "count": 0, "next_url": f"{api}/kpi/N00090"}
    httpserver.expect_request("/v3/kpi/N00090").respond_with_json(body)
    with Client() as client, pytest.raises(KoladaError, match=r"leads back to a page"):
        client.kpis(["N00090"])


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"count": 0}, r"no 'values' list"),
        ({"values": [{"id": "X1", "title": "t"}], "next_url": None}, r"KPI id 'X1'"),
        ({"values": [{"id": "N00090"}], "next_url": None}, r"KPI N00090 has no title"),
        ({"values": [], "next_url": 5}, r"next_url is not a URL"),
    ],
    ids=["no-values", "kpi-id", "no-title", "next-url"],
)
def test_an_answer_not_shaped_as_v3_is_one_error_naming_the_url(
    httpserver: HTTPServer, api: str, answer: Any, reason: str
) -> None:
    httpserver.expect_request("/v3/kpi/N00090").respond_with_json(answer)
    with (
        Client() as client,
        pytest.raises(KoladaError, match=rf"^Kolada: {re.escape(api)}/kpi/N00090: .*{reason}"),
    ):
        client.kpis(["N00090"])


def test_a_data_value_that_is_not_a_number_is_refused(httpserver: HTTPServer, api: str) -> None:
    as_text = {**cell(None), "value": "7,9"}  # a Swedish number as text is no JSON number
    FakeKolada(httpserver, {"N00090": TITLE}, {("N00090", 2024): [as_text]})
    with Client() as client, pytest.raises(KoladaError, match=r"value '7,9' is not a number"):
        client.values(["N00090"], "0480", [2024])


def test_a_whole_number_too_large_for_a_float_is_one_error_not_a_crash(
    httpserver: HTTPServer, api: str
) -> None:
    huge = {**cell(None), "value": int("9" * 400)}  # JSON allows it; math.isfinite overflows
    FakeKolada(httpserver, {"N00090": TITLE}, {("N00090", 2024): [huge]})
    with Client() as client, pytest.raises(KoladaError) as raised:
        client.values(["N00090"], "0480", [2024])
    message = str(raised.value)
    assert "KPI N00090 2024 T: value 999" in message and "… is not a number or null" in message
    assert len(message) < 300  # the value quoted short


def test_kolada_s_whole_numbers_are_kept_whole_in_the_snapshot(
    httpserver: HTTPServer, api: str
) -> None:
    FakeKolada(httpserver, {"N00090": TITLE}, {("N00090", 2024): [cell(259), cell(60.4, "K")]})
    with Client() as client:
        live = client.values(["N00090"], "0480", [2024]).live
    whole, share = live[("N00090", 2024, "T")].value, live[("N00090", 2024, "K")].value
    assert whole == 259 and isinstance(whole, int)
    assert share == 60.4 and isinstance(share, float)


def test_a_base_url_that_is_not_http_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVK_KOLADA_URL", "file:///etc/passwd")
    with pytest.raises(KoladaError, match=r"OVK_KOLADA_URL 'file:///etc/passwd' is not an http"):
        Client()


def test_a_trickling_answer_is_cut_at_the_deadline(tmp_path: Path) -> None:
    def trickle(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield b'{"values": ['
            for _ in range(40):
                time.sleep(0.05)
                yield b" "

        return Response(body(), content_type="application/json")

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request("/v3/kpi/N00090").respond_with_handler(trickle)
    server.start()
    try:
        settings = Settings(read_timeout=0.3, deadline=0.5, interval=0.0)
        with (
            Client(server.url_for("/v3"), settings) as client,
            pytest.raises(KoladaError, match=r"no whole answer within 0.5 s"),
        ):
            client.kpis(["N00090"])
    finally:
        server.stop()


# -- ovk kolada fetch ----------------------------------------------------------------------


def test_fetch_writes_the_snapshot_of_the_year(
    httpserver: HTTPServer, api: str, tmp_path: Path
) -> None:
    root = small_tree(tmp_path)
    fake = small_kolada(httpserver)
    result = fetch(root)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "wrote agreements/2026/kolada.json: 1 KPIs, 4 periods\n"
    text = (root / "agreements/2026/kolada.json").read_text(encoding="utf-8")
    snapshot = kolada.read_snapshot(text, "kolada.json")
    assert snapshot.municipality == "0480" and snapshot.base_url == api
    assert snapshot.periods == (2023, 2024, 2025, 2026)  # the printed ones, and the year's three
    kpi = snapshot.kpis["N00090"]
    assert kpi.title == TITLE and kpi.operating_area == "Hälsa"
    assert kpi.value(2024, "T") == kolada.Value(7.94, None, 1)
    assert kpi.value(2024, "K") == kolada.Value(None, "Missing", 1)  # never 0
    assert kpi.value(2024, "M") is None
    assert snapshot.requests == (
        f"{api}/kpi/N00090",
        f"{api}/data/kpi/N00090/municipality/0480/year/2023,2024,2025,2026?per_page=5000",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", snapshot.fetched)
    assert fake.paths == [
        "/v3/kpi/N00090",
        "/v3/data/kpi/N00090/municipality/0480/year/2023,2024,2025,2026",
    ]


def test_fetch_records_the_ids_kolada_does_not_know(
    httpserver: HTTPServer, api: str, tmp_path: Path
) -> None:
    root = small_tree(tmp_path)
    malomraden = root / "agreements/2026/malomraden.yaml"
    text = malomraden.read_text(encoding="utf-8").replace(
        "kolada: [N00090]", "kolada: [N00090, U99999]"
    )
    malomraden.write_text(text, encoding="utf-8")
    small_kolada(httpserver)
    result = fetch(root, "--year", "2026")
    assert result.exit_code == 0, result.stderr
    assert (
        result.stdout
        == "wrote agreements/2026/kolada.json: 1 KPIs, 3 periods, 1 unknown (U99999)\n"
    )  # an indicator of two KPIs prints no cell Kolada can confirm: the year's three periods
    snapshot = kolada.read_snapshot((root / "agreements/2026/kolada.json").read_text(), "k")
    assert snapshot.unknown == ("U99999",) and list(snapshot.kpis) == ["N00090"]
    # values are asked only of the KPIs Kolada knows
    assert snapshot.requests[-1].split("/")[6] == "N00090"


def test_fetch_without_the_municipality_s_kolada_id_says_what_to_add(
    httpserver: HTTPServer, api: str, base_tree: Path
) -> None:
    small_kolada(httpserver)
    line = one_line_error(fetch(base_tree))
    assert "overenskommelse.yaml names no Kolada id of the municipality" in line
    assert "kolada_id" in line
    assert len(httpserver.log) == 0


def test_fetch_of_a_year_without_kolada_ids_says_so(
    httpserver: HTTPServer, api: str, tmp_path: Path
) -> None:
    root = small_tree(tmp_path)
    malomraden = root / "agreements/2026/malomraden.yaml"
    text = malomraden.read_text(encoding="utf-8").replace("kolada: [N00090]", "kolada: []")
    malomraden.write_text(text, encoding="utf-8")
    line = one_line_error(fetch(root))
    assert "names no Kolada KPI" in line and "ovk kolada link" in line
    assert not (root / "agreements/2026/kolada.json").exists()


def written_before(root: Path) -> bytes:
    """A snapshot already there, as a failed fetch must leave it."""
    before = b'{"format": "a snapshot committed before"}\n'
    (root / "agreements/2026/kolada.json").write_bytes(before)
    return before


def test_malformed_json_exits_2_in_one_line_and_leaves_the_snapshot(
    httpserver: HTTPServer, api: str, tmp_path: Path
) -> None:
    root = small_tree(tmp_path)
    before = written_before(root)
    httpserver.expect_request("/v3/kpi/N00090").respond_with_data(
        '{"values": [', content_type="application/json"
    )
    line = one_line_error(fetch(root))
    assert line.startswith(f"ovk: error: Kolada: {api}/kpi/N00090: malformed JSON")
    assert (root / "agreements/2026/kolada.json").read_bytes() == before


def test_an_answer_that_never_comes_times_out_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = small_tree(tmp_path)
    before = written_before(root)

    def asleep(request: Request) -> Response:
        time.sleep(1.5)  # past the read timeout (0.3 s); bounded, so the server stops
        return Response("{}", content_type="application/json")

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request("/v3/kpi/N00090").respond_with_handler(asleep)
    server.start()
    try:
        monkeypatch.setenv("OVK_KOLADA_URL", server.url_for("/v3"))
        line = one_line_error(fetch(root))
    finally:
        server.stop()
    assert re.match(r"ovk: error: Kolada: http://127\.0\.0\.1:\d+/v3/kpi/N00090: timed out", line)
    assert (root / "agreements/2026/kolada.json").read_bytes() == before


def test_with_the_server_stopped_fetch_exits_2_and_the_snapshot_is_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = small_tree(tmp_path)
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    small_kolada(server)
    monkeypatch.setenv("OVK_KOLADA_URL", server.url_for("/v3"))
    assert fetch(root).exit_code == 0
    before = (root / "agreements/2026/kolada.json").read_bytes()
    server.stop()
    line = one_line_error(fetch(root))
    assert "Kolada: http://127.0.0.1:" in line and "/v3/kpi/N00090: " in line
    assert (root / "agreements/2026/kolada.json").read_bytes() == before
    line = one_line_error(run_ovk("--root", str(root), "kolada", "diff"))
    assert "Kolada: http://127.0.0.1:" in line


def test_an_http_error_is_one_line_and_no_snapshot(
    httpserver: HTTPServer, api: str, tmp_path: Path
) -> None:
    root = small_tree(tmp_path)
    httpserver.expect_request("/v3/kpi/N00090").respond_with_data("nope", status=404)
    line = one_line_error(fetch(root))
    assert line == f"ovk: error: Kolada: {api}/kpi/N00090: HTTP 404 Not Found"
    assert not (root / "agreements/2026/kolada.json").exists()


@pytest.mark.parametrize(
    ("inside", "said"),
    [
        (False, "kolada.json:1:1: link-outside links to "),  # the layout's finding
        (True, "is a symbolic link"),  # a link in the repository: the layout follows it
    ],
    ids=["outside", "inside"],
)
def test_fetch_never_writes_through_a_link(
    httpserver: HTTPServer, api: str, tmp_path: Path, inside: bool, said: str
) -> None:
    root = small_tree(tmp_path)
    target = (root if inside else tmp_path) / "elsewhere.json"
    target.write_text("mine\n", encoding="utf-8")
    (root / "agreements/2026/kolada.json").symlink_to(target)
    small_kolada(httpserver)
    line = one_line_error(fetch(root))
    assert said in line
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_without_httpx_the_kolada_commands_name_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = small_tree(tmp_path)
    monkeypatch.setitem(sys.modules, "httpx", None)  # `import httpx` fails as if not installed
    monkeypatch.delitem(sys.modules, "ovk.kolada.client")
    line = one_line_error(fetch(root))
    assert (
        line
        == "ovk: error: ovk kolada needs httpx, which is not installed: pip install 'ovk[kolada]'"
    )


# -- ovk kolada diff -----------------------------------------------------------------------


def test_diff_without_a_snapshot_suggests_fetch(
    httpserver: HTTPServer, api: str, tmp_path: Path
) -> None:
    root = small_tree(tmp_path)
    line = one_line_error(run_ovk("--root", str(root), "kolada", "diff", "--year", "2026"))
    assert line == (
        "ovk: error: agreements/2026/kolada.json does not exist; "
        "run 'ovk kolada fetch --year 2026' first"
    )


def test_diff_shows_each_kind_of_revision_and_exits_1(
    httpserver: HTTPServer, api: str, tmp_path: Path
) -> None:
    root = small_tree(tmp_path)
    fake = small_kolada(httpserver)
    assert fetch(root).exit_code == 0
    fetched = kolada.read_snapshot((root / "agreements/2026/kolada.json").read_text(), "k").fetched
    fake.titles["N00090"] = "Sjukfrånvaro\x1b[2J, andel (%)"
    fake.values[("N00090", 2024)] = [
        cell(1234.5),  # changed
        cell(None, "K", "Missing"),  # the same: no revision
        cell(7.0, "M"),  # added
    ]
    fake.values[("N00090", 2023)] = [cell(9.0, "K"), cell(7.2, "M", deleted=True)]  # removed
    result = run_ovk("--root", str(root), "kolada", "diff")
    assert result.exit_code == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"agreements/2026/kolada.json: 4 revision(s) in Kolada since {fetched[:10]}:",
        f"  N00090: retitled '{TITLE}' → 'Sjukfrånvaro\\x1b[2J, andel (%)'",
        "  N00090 2023 M: removed (was 7,2)",
        "  N00090 2024 T: 7,94 → 1\u00a0234,5",
        "  N00090 2024 M: added 7",
        "Källa: Kolada",
    ]
    assert fake.queries[-1] == {"per_page": "5000", "from_date": fetched[:10]}


def test_diff_shows_a_kpi_kolada_dropped_and_one_it_came_to_know(
    httpserver: HTTPServer, api: str, tmp_path: Path
) -> None:
    root = small_tree(tmp_path)
    malomraden = root / "agreements/2026/malomraden.yaml"
    text = malomraden.read_text(encoding="utf-8")
    malomraden.write_text(text.replace("[N00090]", "[N00090, U99999]"), encoding="utf-8")
    fake = small_kolada(httpserver)
    assert fetch(root).exit_code == 0
    del fake.titles["N00090"]
    fake.titles["U99999"] = "Ny KPI"
    result = run_ovk("--root", str(root), "kolada", "diff")
    assert result.exit_code == 1, result.stderr
    assert result.stdout.splitlines()[1:] == [
        f"  N00090: KPI removed (was '{TITLE}')",
        "  U99999: KPI added 'Ny KPI'",
        "Källa: Kolada",
    ]
    assert fake.paths[-1] == "/v3/kpi/N00090,U99999"  # no values of a KPI Kolada dropped


# -- end to end on the shipped agreements -------------------------------------------------


def real_tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "agreements", root / "agreements")
    shutil.copytree(REPO / "schema", root / "schema")
    return root


def kolada_of_2024() -> tuple[dict[str, str], dict[tuple[str, int], list[Any]]]:
    """What the local Kolada serves: the 14 KPIs of 2024, titled as the agreement's indicators
    are, with values of our choosing for every period asked."""
    document = load_path(REPO / "agreements/2024/malomraden.yaml", "m").document
    assert document is not None
    malomraden = build(Malomraden, document.data)
    titles: dict[str, str] = {}
    for item in kolada.linked(malomraden):
        for kpi in item.kpis:
            titles.setdefault(kpi, item.indicator.title)
    values = {
        (kpi, year): [cell(10.0 + n + (year - 2020) / 10, g) for g in "TKM"]
        for n, kpi in enumerate(sorted(titles))
        for year in range(2020, 2025)
    }
    return titles, values


@pytest.mark.data
def test_fetch_and_diff_end_to_end_on_the_2024_agreement(
    httpserver: HTTPServer, api: str, tmp_path: Path
) -> None:
    root = real_tree(tmp_path)
    titles, values = kolada_of_2024()
    assert len(titles) == 14
    fake = FakeKolada(httpserver, titles, values)
    result = fetch(root, "--year", "2024")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "wrote agreements/2024/kolada.json: 14 KPIs, 4 periods\n"
    path = root / "agreements/2024/kolada.json"
    first = path.read_text(encoding="utf-8")
    snapshot = kolada.read_snapshot(first, "kolada.json")
    assert sorted(snapshot.kpis) == sorted(titles) and snapshot.unknown == ()
    assert snapshot.periods == (2021, 2022, 2023, 2024)  # "Nuvärde avser" 2021/2022, and 2022–2024
    assert first == kolada.snapshot_json(snapshot)  # sorted as the model writes it
    assert (
        snapshot.kpis["U01405"].title == "Invånare med bra självskattat hälsotillstånd, andel (%)"
    )
    again = fetch(root, "--year", "2024")
    assert again.exit_code == 0
    second = path.read_text(encoding="utf-8")
    unstamped = re.compile(r'"fetched": "[^"]*"')
    assert unstamped.sub("", second) == unstamped.sub("", first)

    quiet = run_ovk("--root", str(root), "kolada", "diff", "--year", "2024")
    assert quiet.exit_code == 0, quiet.stderr
    assert quiet.stdout.splitlines()[-1] == "Källa: Kolada"
    assert "no revisions in Kolada since" in quiet.stdout

    fake.values[("U01405", 2022)] = [cell(60.4, "T"), *values[("U01405", 2022)][1:]]
    revised = run_ovk("--root", str(root), "kolada", "diff", "--year", "2024")
    assert revised.exit_code == 1, revised.stderr
    old = kolada.read_snapshot(second, "k").kpis["U01405"].value(2022, "T")
    assert old is not None and old.value is not None
    assert (
        f"  U01405 2022 T: {str(old.value).replace('.', ',')} → 60,4" in revised.stdout.splitlines()
    )
    assert revised.stdout.endswith("Källa: Kolada\n")
    assert path.read_text(encoding="utf-8") == second  # diff writes nothing
