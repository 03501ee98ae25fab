"""How ``tracklens dashboard`` serves: the ``streamlit run`` command line it builds (without starting
a server) binds 127.0.0.1 unless ``--host`` is given, keeps XSRF protection on, caps uploads, and
passes the data roots to the app; a non-loopback address prints a warning."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tracklens.dashboard import cli


def command(*argv: str) -> list[str]:
    return cli.dashboard_command(cli.build_parser().parse_args(["dashboard", *argv]))


def options(cmd: list[str]) -> dict[str, str]:
    """Streamlit's ``--name value`` options (before the ``--`` that starts the app's arguments)."""
    head = cmd[: cmd.index("--")]
    return {head[i]: head[i + 1] for i in range(len(head)) if head[i].startswith("--server.")
            or head[i].startswith("--browser.") or head[i].startswith("--client.") or head[i].startswith("--runner.")}


def app_args(cmd: list[str]) -> list[str]:
    return cmd[cmd.index("--") + 1:]


def test_default_binds_localhost_with_xsrf_on_and_uploads_capped() -> None:
    cmd = command()
    assert cmd[:4] == [sys.executable, "-m", "tracklens.dashboard.serve", "run"]  # streamlit run, behind the guard
    assert cmd[4].endswith(os.path.join("dashboard", "app.py"))
    opts = options(cmd)
    assert opts["--server.address"] == "127.0.0.1"
    assert opts["--server.enableXsrfProtection"] == "true"
    assert opts["--server.maxUploadSize"] == str(cli.MAX_UPLOAD_MB) and 0 < cli.MAX_UPLOAD_MB <= 200
    assert opts["--server.headless"] == "true" and opts["--browser.gatherUsageStats"] == "false"
    assert opts["--server.port"] == "8501"
    assert opts["--client.toolbarMode"] == "viewer"  # no Deploy button, no developer menu
    assert opts["--runner.postScriptGC"] == "false"  # no full collection after every frame step / Play tick


def test_every_option_is_a_real_streamlit_option() -> None:
    """A misspelt option would be rejected by streamlit at start, or worse, silently do nothing."""
    from streamlit import config

    known = set(config._config_options_template)  # noqa: SLF001 - the list of option names
    for name in options(command("--host", "0.0.0.0")):
        assert name[2:] in known, name


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7", "::", "my-laptop.local"])
def test_host_changes_the_address(host: str) -> None:
    cmd = command("--host", host, "--port", "9999")
    assert options(cmd)["--server.address"] == host and options(cmd)["--server.port"] == "9999"
    assert options(cmd)["--server.enableXsrfProtection"] == "true"


def test_data_roots_and_folders_are_passed_to_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path)
    cmd = command("--gt-folder", "g", "--trackers-folder", "t", "--data-root", "a", "--data-root", str(tmp_path / "b"))
    args = app_args(cmd)
    assert args[args.index("--gt-folder") + 1] == "g" and args[args.index("--trackers-folder") + 1] == "t"
    roots = [args[i + 1] for i, a in enumerate(args) if a == "--data-root"]
    assert roots == [str(tmp_path / "a"), str(tmp_path / "b")]  # made absolute
    assert "--data-root" not in cmd[: cmd.index("--")]


def test_missing_data_root_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(cli, "serve", lambda cmd: pytest.fail("no server may start"))
    rc = cli.main(["dashboard", "--data-root", str(tmp_path / "nope")])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith(f"tracklens: error: {tmp_path / 'nope'}: data root not found")
    assert err.count("\n") == 1 and "Fix:" in err


@pytest.mark.parametrize("host,warned", [("127.0.0.1", False), ("localhost", False), ("127.0.0.2", False),
                                         ("::1", False), ("0.0.0.0", True), ("192.0.2.7", True), ("::", True),
                                         ("my-laptop.local", True)])
def test_non_loopback_address_prints_a_warning(host: str, warned: bool, monkeypatch: pytest.MonkeyPatch,
                                               capsys) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(cli, "serve", lambda cmd: started.append(cmd) or 0)
    assert cli.main(["dashboard", "--host", host]) == 0
    err = capsys.readouterr().err
    assert len(started) == 1 and options(started[0])["--server.address"] == host
    assert ("tracklens: warning:" in err) == warned, err
    if warned:
        assert host in err and "no login" in err


def test_default_prints_no_warning(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(cli, "serve", lambda cmd: started.append(cmd) or 0)
    assert cli.main(["dashboard"]) == 0
    err = capsys.readouterr().err
    assert "warning" not in err and "http://127.0.0.1:8501" in err
    assert options(started[0])["--server.address"] == "127.0.0.1"


def test_the_server_runs_behind_the_host_guard() -> None:
    """``tracklens.dashboard.serve`` wraps Streamlit; a host name bound with --host, and --allow-host names,
    are the names it answers to besides IP addresses, localhost and the machine's own name."""
    assert command()[2] == "tracklens.dashboard.serve" and "--allow-host" not in command()
    cmd = command("--host", "my-laptop.local", "--allow-host", "dash.team.example")
    guard = cmd[3: cmd.index("run")]
    assert guard == ["--allow-host", "dash.team.example", "--allow-host", "my-laptop.local"]
    assert "--allow-host" not in command("--host", "0.0.0.0")
