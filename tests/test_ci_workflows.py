"""The CI workflows ovk ships for a data repository, executed step by step.

Each test reads the workflow ovk prints (`ovk.tools.ci.workflow`), parses it and runs its
shell in order in a pull request of a temporary data repository: a bare `origin` whose
`main` holds a year, and a clone on a branch that changes that year and adds the next one
with `ovk new year`. The variables are those GitHub or GitLab set for a pull request;
`pip`, `gh` and `curl` are stand-ins on PATH that record what they are asked (no network),
and `ovk` runs this checkout's code. The repository under test comes from the fixture
`data_repository`, which another test module can override (e.g. with `ovk init`'s).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from ovk.diff.pull_request import COMMENT_MARKER
from ovk.tools.ci import WORKFLOW_PATHS, install_spec, workflow
from tests.conftest import REPO, git, make_tree, run_ovk

YEAR = re.compile(r"^[0-9]{4}$")
BOT = "github-actions[bot]"
# The `${{ … }}` expressions the GitHub workflow may use, as GitHub would give them.
EXPRESSIONS = {
    "github.token": "ghs_test-token",
    "github.event.pull_request.number": "7",
    "github.event.pull_request.head.repo.full_name": "kommun/agreements",
    "github.server_url": "https://github.com",
    "github.repository": "kommun/agreements",
    "github.run_id": "4242",
}
ALWAYS = "${{ !cancelled() }}"  # the one `if:` a step may have: it runs after a failure too


def load(text: str) -> Any:
    return YAML(typ="safe").load(text)


# --- the repository under test ------------------------------------------------------------


@pytest.fixture(params=["example", "init"])
def data_repository(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A repository that holds only agreements/ and schema/: the example tree (two divisions
    and their uppdrag), and a new municipality's repository as `ovk init --ci github` makes
    it (no division yet). The pull request changes its latest year and adds the next."""
    if request.param == "example":
        return make_tree(tmp_path / "made")
    root = tmp_path / "made"
    made = run_ovk(
        "init", str(root), "--municipality", "Nyköping", "--year", "2027", "--ci", "github"
    )
    assert made.exit_code == 0, made.stderr
    assert (root / WORKFLOW_PATHS["github"]).read_text(encoding="utf-8") == workflow("github")
    return root


@dataclass
class PullRequest:
    clone: Path  # the checkout CI makes: the pull request's branch, origin/main fetched
    changed: int  # the year the pull request changes
    added: int  # the year folder it adds, made by `ovk new year`


def ovk_in(clone: Path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ovk", *args], cwd=clone, env=ovk_env(), capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()


def committed_tree(tmp_path: Path) -> Path:
    """The example tree as a repository: its year 2026 committed on main."""
    root = make_tree(tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "2026")
    return root


def briefing_in(root: Path, base: str) -> subprocess.CompletedProcess[str]:
    """`ovk ci briefing BASE` run in `root`, as CI runs it."""
    return subprocess.run(
        [sys.executable, "-m", "ovk", "ci", "briefing", base],
        cwd=root,
        env=ovk_env(),
        capture_output=True,
        text=True,
    )


def ovk_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.fixture
def pull_request(data_repository: Path, tmp_path: Path) -> PullRequest:
    root = data_repository
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the agreements")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(root), str(origin))
    clone = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "switch", "-q", "-c", "next-year")
    years = sorted(int(p.name) for p in (clone / "agreements").iterdir() if YEAR.match(p.name))
    changed, added = years[-1], years[-1] + 1
    retitle(clone, changed, " (reviderad)")
    ovk_in(clone, "new", "year", str(added), "--from", str(changed))
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", f"{changed} revised, {added} added")
    return PullRequest(clone, changed, added)


def retitle(clone: Path, year: int, suffix: str) -> None:
    """Change the agreement's title: a change the briefing shows."""
    path = clone / f"agreements/{year}/overenskommelse.yaml"
    text, count = re.subn(  # inside the quotes of a quoted title
        r"""(?m)^(title: (["']?).*?)(\2\s*)$""",
        lambda m: f"{m[1]}{suffix}{m[3]}",
        path.read_text(encoding="utf-8"),
    )
    assert count == 1
    path.write_text(text, encoding="utf-8")


def push(pull: PullRequest, suffix: str) -> None:
    """A second push to the pull request's branch."""
    retitle(pull.clone, pull.changed, suffix)
    git(pull.clone, "commit", "-q", "-am", "another change")


# --- the stand-ins: pip, gh, curl ---------------------------------------------------------


def stand_in(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


PIP = """
import json, os, sys
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(json.dumps(["pip", *sys.argv[1:]]) + "\\n")
if sys.argv[1:] != ["install", os.environ["EXPECTED_INSTALL"]]:
    sys.exit(f"pip stand-in: expected install {os.environ['EXPECTED_INSTALL']!r}")
"""

# gh api: the comments of the pull request from a JSON file (its --jq filter run by jq, as
# gh runs it), PATCH and POST change that file; every call is logged.
GH = """
import json, os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(json.dumps(["gh", *args]) + "\\n")
assert args[0] == "api" and os.environ.get("GH_TOKEN"), args
state = os.environ["GH_COMMENTS"]
comments = json.load(open(state))
method = args[args.index("--method") + 1] if "--method" in args else "GET"
path = [a for a in args[1:] if a.startswith("repos/")][0]
if method == "GET":
    jq = args[args.index("--jq") + 1]
    out = subprocess.run(["jq", "-r", jq], input=json.dumps(comments), text=True,
                         capture_output=True, check=True).stdout
    sys.stdout.write(out)
    sys.exit(0)
field = args[args.index("-F") + 1]
assert field.startswith("body=@"), field
body = open(field[len("body=@"):]).read()
if method == "POST":
    assert path.endswith("/issues/7/comments"), path
    comments.append({"id": 1000 + len(comments), "user": {"login": "github-actions[bot]"},
                     "body": body})
else:
    assert method == "PATCH", method
    ident = int(path.rsplit("/", 1)[1])
    (comment,) = [c for c in comments if c["id"] == ident]
    assert comment["user"]["login"] == "github-actions[bot]"
    comment["body"] = body
json.dump(comments, open(state, "w"))
"""

# curl against GitLab's API: /user, the notes in pages of two (x-next-page), PUT and POST.
CURL = """
import json, os, sys, urllib.parse
args = sys.argv[1:]
with open(os.environ["STAND_IN_LOG"], "a") as log:
    log.write(json.dumps(["curl", *args]) + "\\n")
def value(option):
    return args[args.index(option) + 1] if option in args else None
assert value("--header") == "PRIVATE-TOKEN: " + os.environ["OVK_NOTE_TOKEN"], args
url = args[-1]
state = os.environ["GITLAB_NOTES"]
notes = json.load(open(state))
method = value("--request") or "GET"
api = os.environ["CI_API_V4_URL"]
where = f"{api}/projects/12/merge_requests/3/notes"
def answer(data, headers=""):
    if value("--dump-header"):
        open(value("--dump-header"), "w").write("HTTP/2 200\\r\\n" + headers + "\\r\\n")
    text = json.dumps(data)
    if value("--output"):
        open(value("--output"), "w").write(text)
    else:
        sys.stdout.write(text)
if method == "GET" and url == f"{api}/user":
    answer({"id": 99, "username": "project_12_bot"})
elif method == "GET":
    base, query = url.split("?")
    assert base == where, url
    page = int(urllib.parse.parse_qs(query)["page"][0])
    chunk = notes[(page - 1) * 2 : page * 2]
    more = f"x-next-page: {page + 1}\\r\\n" if page * 2 < len(notes) else "x-next-page: \\r\\n"
    answer(chunk, more)
else:
    field = value("--data-urlencode")
    assert field.startswith("body@"), field
    body = open(field[len("body@"):]).read()
    if method == "POST":
        assert url == where, url
        notes.append({"id": 500 + len(notes), "author": {"id": 99}, "body": body})
    else:
        assert method == "PUT", method
        (note,) = [n for n in notes if f"{where}/{n['id']}" == url]
        assert note["author"]["id"] == 99
        note["body"] = body
    answer({})
json.dump(notes, open(state, "w"))
"""


@dataclass
class Runner:
    """What a CI runner gives the steps: a PATH with the stand-ins and this checkout's ovk."""

    folder: Path
    log: Path

    def env(self, **extra: str) -> dict[str, str]:
        path = os.pathsep.join([str(self.folder / "bin"), os.environ["PATH"]])
        base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_"))}
        return {
            **base,
            "PATH": path,
            "CI": "true",
            "PYTHONPATH": str(REPO),
            "STAND_IN_LOG": str(self.log),
            "EXPECTED_INSTALL": install_spec(),
            **extra,
        }

    def calls(self, tool: str) -> list[list[str]]:
        lines = self.log.read_text(encoding="utf-8").splitlines() if self.log.exists() else []
        return [c[1:] for c in map(json.loads, lines) if c[0] == tool]


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed (gh's stand-in runs the workflow's --jq filter with it)")
    folder = tmp_path / "runner"
    (folder / "bin").mkdir(parents=True)
    stand_in(folder / "bin", "pip", PIP)
    stand_in(folder / "bin", "gh", GH)
    stand_in(folder / "bin", "curl", CURL)
    stand_in(folder / "bin", "ovk", "import runpy\nrunpy.run_module('ovk', run_name='__main__')\n")
    return Runner(folder, folder / "calls.jsonl")


# --- GitHub -------------------------------------------------------------------------------


def github_steps() -> tuple[dict[str, str], list[dict[str, Any]]]:
    parsed = load(workflow("github"))
    assert set(parsed["jobs"]) == {"review"}
    return parsed.get("env", {}), parsed["jobs"]["review"]["steps"]


def expression(text: str, values: dict[str, str] = EXPRESSIONS) -> str:
    def value(match: re.Match[str]) -> str:
        assert match.group(1) in values, f"an expression the test does not know: {match[0]}"
        return values[match.group(1)]

    return re.sub(r"\$\{\{\s*([^}]*?)\s*\}\}", value, text)


@dataclass
class Run:
    summary: str
    outcomes: list[tuple[str, int, str]]  # each step's name, exit code and output
    uploaded: Path | None  # the folder the artifact step uploads


def run_github(
    pull: PullRequest,
    runner: Runner,
    number: int,
    expressions: dict[str, str] | None = None,
    **event: str,
) -> Run:
    """Every step of the GitHub workflow, in order, as a runner on a pull request would
    (`expressions` replaces some of EXPRESSIONS)."""
    values = {**EXPRESSIONS, **(expressions or {})}
    workflow_env, steps = github_steps()
    work = runner.folder / f"run-{number}"
    work.mkdir()
    summary, output, event_path = work / "summary.md", work / "output", work / "event.json"
    event_path.write_text(json.dumps({"pull_request": {"number": 7}}), encoding="utf-8")
    github = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "next-year",
        "GITHUB_REPOSITORY": EXPRESSIONS["github.repository"],
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_WORKSPACE": str(pull.clone),
    }
    outcomes = []
    uploaded = None
    for step in steps:
        assert step.get("if") in (None, ALWAYS), step
        name = step.get("name") or step.get("uses")
        if "uses" in step:
            action = step["uses"].split("@")[0]
            assert action in {
                "actions/checkout",
                "actions/setup-python",
                "actions/upload-artifact",
            }, action
            if action == "actions/checkout":
                assert step["with"]["fetch-depth"] == 0  # the base branch's history
            if action == "actions/upload-artifact":  # what it would upload
                uploaded = pull.clone / step["with"]["path"]
            continue
        script = step["run"]
        assert "${{" not in script, f"an expression inside run: of {name!r}"
        env = {
            k: expression(str(v), values)
            for k, v in {**workflow_env, **step.get("env", {})}.items()
        }
        env = runner.env(**github, **env, **event)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=pull.clone,
            env=env,
            capture_output=True,
            text=True,
        )
        outcomes.append((name, done.returncode, done.stdout + done.stderr))
    text = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return Run(text, outcomes, uploaded)


def assert_passed(run: Run) -> None:
    failed = [(name, output) for name, code, output in run.outcomes if code]
    assert failed == []


def assert_briefing(summary: str, pull: PullRequest) -> None:
    changed, added = pull.changed, pull.added
    # the changed year against itself at the base; the new year against the year before it
    assert re.search(
        rf"^# Ändringar från {changed} i origin/main \(\w+\) till {changed}$", summary, re.M
    )
    assert re.search(
        rf"^# Ändringar från {changed} i origin/main \(\w+\) till {added}$", summary, re.M
    )
    assert "(reviderad)" in summary
    assert "New year folder" not in summary and "Nytt år" not in summary


def assert_bilagor(pull: PullRequest) -> None:
    for year in (pull.changed, pull.added):
        folder = pull.clone / "site" / str(year)
        bilagor = sorted(p.name for p in folder.glob("bilaga-*.html"))
        divisions = sorted(p.stem for p in pull.clone.glob(f"agreements/{year}/divisions/*.yaml"))
        assert bilagor == [f"bilaga-{code}.html" for code in divisions]
        assert (folder / "overenskommelse.html").is_file()


@pytest.fixture
def comments(tmp_path: Path) -> Path:
    """The pull request's comments, as gh's stand-in serves them: a reviewer's comment that
    quotes the marker first (the bot must not take it for its own)."""
    path = tmp_path / "comments.json"
    quoted = {"id": 1, "user": {"login": "reviewer"}, "body": f"{COMMENT_MARKER} quoted"}
    path.write_text(json.dumps([quoted]), encoding="utf-8")
    return path


def test_github_workflow_runs_in_a_data_repository_and_comments_the_briefing_once(
    pull_request: PullRequest, runner: Runner, comments: Path
) -> None:
    first = run_github(pull_request, runner, 1, GH_COMMENTS=str(comments))
    assert_passed(first)
    assert runner.calls("pip") == [["install", install_spec()]]
    assert install_spec().endswith(f"@v{__import__('ovk').__version__}")
    assert_briefing(first.summary, pull_request)
    assert first.uploaded == pull_request.clone / "site"
    assert_bilagor(pull_request)
    (posted,) = [c for c in json.loads(comments.read_text()) if c["user"]["login"] == BOT]
    assert posted["body"].startswith(COMMENT_MARKER + "\n")
    assert_briefing(posted["body"], pull_request)

    push(pull_request, " (andra gången)")
    second = run_github(pull_request, runner, 2, GH_COMMENTS=str(comments))
    assert_passed(second)
    mine = [c for c in json.loads(comments.read_text()) if c["user"]["login"] == BOT]
    assert [c["id"] for c in mine] == [posted["id"]]  # edited, not repeated
    assert "(andra gången)" in mine[0]["body"]
    methods = [c[c.index("--method") + 1] for c in runner.calls("gh") if "--method" in c]
    assert methods == ["POST", "PATCH"]
    assert json.loads(comments.read_text())[0]["body"] == f"{COMMENT_MARKER} quoted"


def test_github_workflow_on_a_fork_skips_the_comment_and_passes(
    pull_request: PullRequest, runner: Runner, comments: Path
) -> None:
    fork = {"github.event.pull_request.head.repo.full_name": "someone/agreements"}
    run = run_github(pull_request, runner, 1, fork, GH_COMMENTS=str(comments))
    assert_passed(run)
    assert_briefing(run.summary, pull_request)  # the summary has it all the same
    (comment_step,) = [o for name, _, o in run.outcomes if "comment" in name]
    assert "No comment: the pull request comes from a fork" in comment_step
    assert runner.calls("gh") == []


def test_github_workflow_fails_on_a_broken_file_with_the_finding_annotated(
    pull_request: PullRequest, runner: Runner, comments: Path
) -> None:
    path = pull_request.clone / f"agreements/{pull_request.added}/overenskommelse.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "owners: [\n", encoding="utf-8")
    run = run_github(pull_request, runner, 1, GH_COMMENTS=str(comments))
    outcomes = {name: (code, output) for name, code, output in run.outcomes}
    code, output = outcomes["Validate (annotations on the changed lines)"]
    shown = path.relative_to(pull_request.clone).as_posix()
    assert code == 1 and f"::error file={shown},line=" in output
    assert outcomes["Formatting"][0] != 0  # the later steps still ran, and report too


def test_the_briefing_of_a_repository_with_one_new_year_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    root = make_tree(tmp_path / "first")
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("Överenskommelser\n", encoding="utf-8")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "start")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the first year")
    done = briefing_in(root, "main~1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Nytt år 2026\n")
    assert "första år" in done.stdout and len(done.stdout.strip().splitlines()) == 3


# --- GitLab -------------------------------------------------------------------------------


def run_gitlab(pull: PullRequest, runner: Runner, notes: Path) -> tuple[int, str]:
    """The GitLab job as a runner runs it: its variables, before_script and script lines in
    one shell with `set -eo pipefail`."""
    parsed = load(workflow("gitlab"))
    (job,) = [v for k, v in parsed.items() if not k.startswith(".")]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    variables = {k: str(v) for k, v in job["variables"].items()}
    script = "\n".join(["set -eo pipefail", *job["before_script"], *job["script"]])
    gitlab = {
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "next-year",
        "CI_MERGE_REQUEST_IID": "3",
        "CI_PROJECT_ID": "12",
        "CI_API_V4_URL": "https://gitlab.example/api/v4",
        "CI_JOB_URL": "https://gitlab.example/kommun/agreements/-/jobs/88",
        "OVK_NOTE_TOKEN": "glpat-test",
        "GITLAB_NOTES": str(notes),
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        cwd=pull.clone,
        env=runner.env(**gitlab, **variables),
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """The merge request's notes: two of other people's first, so the bot's is on page 2."""
    path = tmp_path / "notes.json"
    others = [
        {"id": 1, "author": {"id": 5}, "body": "Ser bra ut."},
        {"id": 2, "author": {"id": 6}, "body": f"{COMMENT_MARKER} quoted"},
    ]
    path.write_text(json.dumps(others), encoding="utf-8")
    return path


def test_gitlab_job_runs_in_a_data_repository_and_edits_its_one_note(
    pull_request: PullRequest, runner: Runner, notes: Path
) -> None:
    code, log = run_gitlab(pull_request, runner, notes)
    assert code == 0, log
    assert runner.calls("pip") == [["install", install_spec()]]
    assert json.loads((pull_request.clone / "gl-code-quality.json").read_text()) == []
    assert_briefing((pull_request.clone / "briefing.md").read_text(encoding="utf-8"), pull_request)
    assert_briefing(log, pull_request)  # the job log shows it
    assert_bilagor(pull_request)
    (posted,) = [n for n in json.loads(notes.read_text()) if n["author"]["id"] == 99]
    assert posted["body"].startswith(COMMENT_MARKER + "\n")

    push(pull_request, " (andra gången)")
    code, log = run_gitlab(pull_request, runner, notes)
    assert code == 0, log
    mine = [n for n in json.loads(notes.read_text()) if n["author"]["id"] == 99]
    assert [n["id"] for n in mine] == [posted["id"]] and "(andra gången)" in mine[0]["body"]
    methods = [c[c.index("--request") + 1] for c in runner.calls("curl") if "--request" in c]
    assert methods == ["POST", "PUT"]
    assert "Edited the briefing note" in log


def test_gitlab_job_fails_on_a_broken_file_and_keeps_the_code_quality_report(
    pull_request: PullRequest, runner: Runner, notes: Path
) -> None:
    path = pull_request.clone / f"agreements/{pull_request.added}/overenskommelse.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "owners: [\n", encoding="utf-8")
    code, log = run_gitlab(pull_request, runner, notes)
    assert code == 1
    report = json.loads((pull_request.clone / "gl-code-quality.json").read_text())
    shown = path.relative_to(pull_request.clone).as_posix()
    assert report and {i["location"]["path"] for i in report} == {shown}
    assert re.search(rf"^{re.escape(shown)}:\d+:\d+: yaml-syntax", log, re.M)  # and in the log


def test_gitlab_job_without_a_token_skips_the_note(
    pull_request: PullRequest, runner: Runner, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = runner.env

    def without_token(**extra: str) -> dict[str, str]:
        env = original(**extra)
        env.pop("OVK_NOTE_TOKEN")
        return env

    monkeypatch.setattr(runner, "env", without_token)
    code, log = run_gitlab(pull_request, runner, notes)
    assert code == 0, log
    assert "No merge-request note" in log
    assert runner.calls("curl") == []


# --- the files themselves -----------------------------------------------------------------


def test_each_workflow_installs_this_ovk_pinned_and_runs_no_tests_of_the_tool() -> None:
    for kind in WORKFLOW_PATHS:
        text = workflow(kind)
        assert text.count(install_spec()) == 1  # the pin in one place, used by pip
        assert "pytest" not in text and "pip install -e" not in text


def test_ci_prints_each_workflow_and_writes_one_only_when_asked(tmp_path: Path) -> None:
    for kind in WORKFLOW_PATHS:
        assert run_ovk("ci", kind).stdout == workflow(kind)
    target = tmp_path / WORKFLOW_PATHS["github"]
    assert run_ovk("ci", "github", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == workflow("github")
    target.write_text("mine\n", encoding="utf-8")
    refused = run_ovk("ci", "github", "-o", str(target))
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert run_ovk("ci", "github", "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8") == workflow("github")
    link = tmp_path / "link.yml"
    link.symlink_to(tmp_path / "elsewhere.yml")
    assert run_ovk("ci", "gitlab", "-o", str(link), "--force").exit_code == 2
    assert not (tmp_path / "elsewhere.yml").exists()


def test_a_long_briefing_comment_is_cut_at_a_line_under_githubs_limit_with_a_pointer() -> None:
    from ovk.diff.pull_request import COMMENT_LIMIT, comment

    line = "- Uppdrag 2.1.3 Ökat valdeltagande (mottagare KLK; slutdatum 31 december 2026)\n"
    whole = line * (70_000 // len(line))
    body = comment(whole, "https://github.com/kommun/agreements/actions/runs/1")
    assert len(body) <= COMMENT_LIMIT < 65_536
    assert body.startswith(COMMENT_MARKER + "\n" + line)
    kept, _, pointer = body.rpartition("\n\n")
    assert kept.endswith(line)  # cut between lines, not inside one
    assert (
        "avkortad" in pointer and "(https://github.com/kommun/agreements/actions/runs/1)" in pointer
    )
    assert comment(line) == COMMENT_MARKER + "\n" + line  # a short one whole


def test_the_briefing_compares_each_new_year_with_the_year_before_and_names_a_removed_one(
    tmp_path: Path,
) -> None:
    # The base has 2026; the branch adds 2027 and 2028 and removes 2026: 2027 is compared
    # with 2026 at the base, 2028 with 2027 of the branch (not there at the base).
    root = committed_tree(tmp_path)
    ovk_in(root, "new", "year", "2027", "--from", "2026")
    ovk_in(root, "new", "year", "2028", "--from", "2027")
    shutil.rmtree(root / "agreements/2026")
    done = briefing_in(root, "main")
    assert done.returncode == 0, done.stderr
    titles = [line for line in done.stdout.splitlines() if line.startswith("# ")]
    assert titles[0] == "# agreements/2026 tas bort"
    assert re.fullmatch(r"# Ändringar från 2026 i main \(\w+\) till 2027", titles[1])
    assert titles[2:] == ["# Ändringar från 2027 till 2028"]


def shell_scripts() -> list[tuple[str, str]]:
    """Each shell script a shipped workflow runs: a GitHub step's run:, the GitLab job's
    lines (one script, as GitLab's runner joins them)."""
    steps = github_steps()[1]
    found = [(f"github: {s['name']}", s["run"]) for s in steps if "run" in s]
    (job,) = load(workflow("gitlab")).values()
    found.append(("gitlab", "\n".join([*job["before_script"], *job["script"]])))
    return found


@pytest.mark.parametrize(("where", "script"), shell_scripts(), ids=[w for w, _ in shell_scripts()])
def test_the_workflows_shell_passes_shellcheck(where: str, script: str, tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (pip install -e '.[test]')")
    path = tmp_path / "step.sh"
    path.write_text(f"#!/bin/bash\n{script}\n", encoding="utf-8")
    done = subprocess.run([shellcheck, "--shell=bash", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_the_briefing_says_when_nothing_changed_and_names_a_bad_base_in_one_line(
    tmp_path: Path,
) -> None:
    root = committed_tree(tmp_path)
    same = briefing_in(root, "main")
    assert (same.returncode, same.stdout) == (0, "Pull requesten ändrar inget under agreements/.\n")
    for base in ("origin/main", "HEAD~9"):
        bad = briefing_in(root, base)
        assert bad.returncode == 2
        assert bad.stderr.count("\n") == 1 and "is not a git revision" in bad.stderr
