"""A hostile corpus (tests/hostile/conftest.py) through the CLI, the importer and POST /documents:
each file refused with its code, quickly, the good file of the batch imported, the server's memory
bounded, and nothing of /etc/passwd leaked."""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import httpx

from core.settings import load_settings
from extraction.importer import Importer, ImportOptions
from service.components import build_services

MAX_SECONDS = 10.0  # per hostile file
MAX_RSS_GROWTH = 300 * 1024 * 1024


def _passwd_lines() -> list[str]:
    try:
        return [line for line in Path("/etc/passwd").read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError:
        return []


def _codes_by_file(report: dict) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {}
    for failure in report["failures"]:
        codes.setdefault(Path(failure["path"]).name, set()).add(failure["code"])
    return codes


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def test_the_cli_refuses_each_hostile_file_with_its_code_and_imports_the_good_one(govkg, hostile_corpus, tmp_path):
    started = time.perf_counter()
    result = govkg(tmp_path / "data", "import", str(hostile_corpus.root), "--json")
    elapsed = time.perf_counter() - started
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    codes = _codes_by_file(report)
    for case in hostile_corpus.cases:
        if case.codes:
            assert codes.get(case.name, set()) & set(case.codes), (case.name, codes.get(case.name))
        else:
            assert case.name not in codes, (case.name, codes[case.name])
    imported = {Path(d["path"]).name for d in report["documents"] if d["status"] == "imported"}
    assert imported == {hostile_corpus.good, "invalid_utf8.txt"}
    assert report["documents_failed"] == sum(1 for c in hostile_corpus.cases if c.codes)
    leaked = [line for line in _passwd_lines() if line in result.stdout or line in result.stderr]
    assert not leaked
    assert elapsed < 120, elapsed  # the whole batch, spaCy included
    print(f"\nCLI: {len(hostile_corpus.cases)} hostile files + 1 good in {elapsed:.1f} s "
          f"(report elapsed {report['elapsed_s']} s)")


def test_each_hostile_file_is_refused_within_the_time_limit(hostile_corpus, pipeline, store):
    """In process, file by file (the progress callback times each): every refusal within 10 s."""
    times: dict[str, float] = {}

    class Timer:
        def start(self, total_files: int) -> None:
            self.last = time.perf_counter()

        def advance(self, path: Path, sentences: int) -> None:
            now = time.perf_counter()
            times[path.name] = now - self.last
            self.last = now

    report = Importer(lambda: pipeline, store, ImportOptions()).import_paths([hostile_corpus.root], Timer())
    codes = _codes_by_file(report.model_dump())
    for case in hostile_corpus.cases:
        if case.codes:
            assert codes.get(case.name, set()) & set(case.codes), (case.name, codes.get(case.name))
    slow = {name: t for name, t in times.items() if t > MAX_SECONDS}
    assert not slow
    print("\n" + "\n".join(f"  {name:22} {t:6.2f} s  {sorted(codes.get(name, {'imported'}))}"
                           for name, t in sorted(times.items())))


def test_a_file_that_vanishes_during_the_import_is_reported(pipeline, store, tmp_path):
    """A real race: the files are listed, then one is deleted before it is read."""
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_first.txt").write_text("The Department of Defense met in Washington.\n", encoding="utf-8")
    (folder / "b_gone.txt").write_text("The Federal Bureau of Investigation met.\n", encoding="utf-8")
    (folder / "c_last.txt").write_text("Senator Chuck Grassley of Iowa spoke.\n", encoding="utf-8")

    class DeleteNext:
        def start(self, total_files: int) -> None:
            assert total_files == 3  # listed

        def advance(self, path: Path, sentences: int) -> None:
            if path.name == "a_first.txt":
                (folder / "b_gone.txt").unlink()

    report = Importer(lambda: pipeline, store, ImportOptions()).import_paths([folder], DeleteNext())
    assert [(Path(f.path).name, f.code) for f in report.failures] == [("b_gone.txt", "E030")]
    assert report.documents_ok == 2


def test_symlink_loops_are_reported_not_followed(tmp_path):
    from extraction.importer import collect_files

    folder = tmp_path / "links"
    folder.mkdir()
    (folder / "good.txt").write_text("The Department of Defense.\n", encoding="utf-8")
    (folder / "self.txt").symlink_to("self.txt")
    (folder / "a.txt").symlink_to("b.txt")
    (folder / "b.txt").symlink_to("a.txt")
    (folder / "up").symlink_to("..", target_is_directory=True)
    (folder / "dangling.txt").symlink_to("nowhere.txt")
    files, failures = collect_files([folder])
    assert [f.name for f in files] == ["good.txt"]
    assert sorted((Path(f.path).name, f.code) for f in failures) == [
        ("a.txt", "E019"), ("b.txt", "E019"), ("dangling.txt", "E019"), ("self.txt", "E019"), ("up", "E019")]


def test_a_parse_past_the_time_limit_is_stopped(hostile_corpus, pipeline, store, tmp_path):
    """Without the depth limit, 10^6-deep HTML keeps the parser busy: the worker is killed (E039)."""
    folder = tmp_path / "slow"
    folder.mkdir()
    os.link(hostile_corpus["deep.html"], folder / "deep.html")
    options = ImportOptions(max_html_depth=10**7, parse_timeout_s=1.0)
    started = time.perf_counter()
    report = Importer(lambda: pipeline, store, options).import_paths([folder])
    assert [f.code for f in report.failures] == ["E039"]
    assert time.perf_counter() - started < 5


def test_a_parse_past_the_memory_limit_is_stopped(hostile_corpus, pipeline, store, tmp_path):
    """Without the archive limits, the zip bomb inflates 300 MB: the worker's memory limit stops it (E023)."""
    folder = tmp_path / "bomb"
    folder.mkdir()
    os.link(hostile_corpus["zip_bomb.docx"], folder / "zip_bomb.docx")
    options = ImportOptions(max_unzipped_bytes=10**10, max_zip_ratio=10**9, parse_memory_mb=128)
    report = Importer(lambda: pipeline, store, options).import_paths([folder])
    assert [f.code for f in report.failures] == ["E023"]


def test_post_documents_refuses_each_hostile_file_with_422_and_its_code(serve_api, bearer, hostile_corpus,
                                                                        tmp_path):
    """Through the real API: 422 with the code for each, never a 500, each within 10 s; the server's RSS
    (this process: server and client) grows by at most 300 MB."""
    settings = load_settings(data_dir=tmp_path / "data")
    settings.api.max_request_bytes = 160 * 1024 * 1024  # let the 100 MB JSONL reach the importer
    services = build_services(settings)
    passwd = _passwd_lines()
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.02)

    try:
        with serve_api(services) as base, httpx.Client(base_url=base, timeout=60, headers=bearer(services)) as client:
            name = hostile_corpus.good
            good = client.post("/documents", files={"file": (name, hostile_corpus[name].read_bytes())},
                               data={"department": "Department of Defense"})
            assert good.status_code == 201, good.text
            before = _rss()
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            timings = []
            for case in hostile_corpus.cases:
                if case.cli_only:
                    continue
                started = time.perf_counter()
                with hostile_corpus[case.name].open("rb") as handle:
                    response = client.post("/documents", files={"file": (case.name, handle)},
                                           data={"department": "Department of Defense"})
                elapsed = time.perf_counter() - started
                timings.append((case.name, elapsed, response.status_code))
                assert response.status_code != 500, (case.name, response.text)
                if case.codes:
                    assert response.status_code == 422, (case.name, response.status_code, response.text)
                    codes = {f["code"] for f in response.json()["failures"]}
                    assert codes & set(case.codes), (case.name, codes)
                else:
                    assert response.status_code in (200, 201), (case.name, response.text)
                assert not [line for line in passwd if line in response.text], case.name
                assert elapsed <= MAX_SECONDS, (case.name, elapsed)
            done.set()
            sampler.join()
            after = _rss()
            assert client.get("/health").status_code == 200
    finally:
        done.set()
        services.close()
    growth_peak, growth_after = peak[0] - before, after - before
    print(f"\nAPI: RSS before {before / 2**20:.0f} MB, peak {peak[0] / 2**20:.0f} MB "
          f"(+{growth_peak / 2**20:.0f}), after {after / 2**20:.0f} MB (+{growth_after / 2**20:.0f})")
    print("\n".join(f"  {name:22} {t:6.2f} s  HTTP {status}" for name, t, status in timings))
    assert growth_peak <= MAX_RSS_GROWTH, growth_peak


def test_a_jsonl_line_over_the_line_limit_fails_alone():
    """With a file limit that lets a long line in, the line limit refuses it before decoding (E038)."""
    from extraction.errors import LoaderError
    from extraction.loaders import LoadedText, LoadLimits
    from extraction.loaders.isolated import load_bytes_isolated

    data = b'{"text": "' + b"a" * 3_000_000 + b'"}\n{"text": "The Department of Defense."}\n'
    outcomes = load_bytes_isolated(data, "records.jsonl", LoadLimits(max_line_bytes=1_000_000))
    assert [o.code if isinstance(o, LoaderError) else o.text for o in outcomes] == [
        "E038", "The Department of Defense."]
    assert isinstance(outcomes[1], LoadedText) and outcomes[1].record_key == "line 2"


def test_coded_errors_cross_the_process_boundary():
    import pickle

    from extraction.errors import Errors, LoaderError

    error = pickle.loads(pickle.dumps(LoaderError(Errors.E037, limit=5)))
    assert isinstance(error, LoaderError) and error.code == "E037" and str(error) == error.message
