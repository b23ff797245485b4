"""The README's main command on a fresh machine without any system font.

A copy of the repository's git-tracked files, a new venv, ``pip install .`` (the wheel,
not the editable install of the tests), then ``fiscalpub run examples/ -o datapackages
&& fiscalpub validate datapackages/`` — read from README.md's first ```sh block — with
the system font folders hidden: inside ``unshare --mount`` an empty tmpfs is mounted over
/usr/share/fonts and /usr/local/share/fonts (root only; the mounts vanish with the
process), HOME and the XDG folders point to an empty folder (no ~/.fonts, no
~/.local/share/fonts, no fontconfig cache).  pip keeps its download cache
(PIP_CACHE_DIR): packages, not fonts.

Where ``unshare`` cannot be used (not root, no mount namespaces), fontconfig is pointed
at an empty configuration instead (FONTCONFIG_FILE) with the same HOME; the charts'
fallback still looks under /usr/share/fonts itself then, so that run proves less: that
the charts are drawn with the bundled font, whatever else is installed.

The run must exit 0, every package with chart data must have its charts (PNG and SVG)
drawn with the bundled font, recorded as such in datapackage.json, with no
``charts-skipped`` finding — and, when the fresh venv has the same Pillow and fontTools
as this one, the very bytes this process draws from the same package.

Marked ``fresh_machine``: in CI (CI=true) a skip of this test is a failure
(tests/conftest.py).  It takes about half a minute with a warm pip cache.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fiscalpub.package.charts import BUNDLED_FONT_NAME, chart_data, draw
from fiscalpub.package.reader import read_package
from tests.conftest import ROOT

pytestmark = pytest.mark.fresh_machine

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")


def _readme_main_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.findall(r"```sh\n(.*?)\n```", readme, re.S)[0]
    assert "pip install -q ." in command and "fiscalpub run examples/ -o datapackages" in command
    return command


def _copy_tracked_files(target: Path) -> None:
    """The files a fresh clone has: git's tracked files, as they are in the work tree."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: cannot tell the tracked files")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False, timeout=60
    )
    if listed.returncode != 0:
        pytest.skip(f"{ROOT} is not a git checkout: {listed.stderr.decode().strip()}")
    for rel in filter(None, listed.stdout.decode("utf-8").split("\0")):
        source = ROOT / rel
        if not (source.is_file() or source.is_symlink()):
            continue  # deleted in the work tree
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest, follow_symlinks=False)


def _unshare_works() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"],
        capture_output=True,
        check=False,
        timeout=60,
    )
    return probe.returncode == 0


def _environment(tmp_path: Path) -> dict[str, str]:
    """This environment, minus what could let the dev tree or a font in."""
    python3 = shutil.which("python3")
    if python3 is None:
        pytest.skip("no python3 on PATH (the README's command needs it)")
    # the interpreter `python3` is, resolved now: a pyenv shim would look for its
    # versions under the HOME replaced below
    real = subprocess.run(
        [python3, "-c", "import sys; print(sys.executable)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(real)
    pip_cache = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV", "MPL", "FONTCONFIG", "XDG_", "CONDA"))
    }
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PIP_CACHE_DIR=pip_cache,
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def test_readme_main_command_on_a_machine_without_fonts(tmp_path: Path) -> None:
    command = _readme_main_command()
    repo = tmp_path / "repo"
    _copy_tracked_files(repo)
    env = _environment(tmp_path)
    # after the README's command: which system CJK fonts the fresh install can see
    probe = (
        ".venv/bin/python -c 'from fiscalpub.package.charts import system_fonts; "
        'print("system CJK fonts:", len(system_fonts()))\''
    )
    hidden = _unshare_works()
    if hidden:
        mounts = " && ".join(
            f"mount -t tmpfs fiscalpub-no-fonts {d}" for d in FONT_DIRS if Path(d).is_dir()
        )
        script = (
            f"{mounts or 'true'}\n"
            f'if [ -n "$(find {" ".join(FONT_DIRS)} -type f 2>/dev/null)" ]; then\n'
            "  echo 'font files still visible' >&2; exit 97\n"
            "fi\n"
            f"{command}\n{probe}\n"
        )
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-euc", script]
    else:
        empty = tmp_path / "fonts.conf"
        empty.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n', encoding="utf-8")
        env["FONTCONFIG_FILE"] = str(empty)
        argv = ["sh", "-euc", f"{command}\n{probe}\n"]
    done = subprocess.run(
        argv, cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=1200
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    if hidden:
        assert "system CJK fonts: 0" in done.stdout, done.stdout

    out = repo / "datapackages"
    packages = sorted(p.parent for p in out.glob("*/datapackage.json"))
    assert len(packages) == len(list((repo / "examples").glob("*.txt")))
    versions = "import PIL, fontTools; print(PIL.__version__, fontTools.version)"
    fresh = subprocess.run(
        [str(repo / ".venv" / "bin" / "python"), "-c", versions],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()
    import fontTools
    import PIL

    charted = 0
    for path in packages:
        package = read_package(path)
        descriptor = json.loads((path / "datapackage.json").read_text(encoding="utf-8"))
        findings = (path / "findings.csv").read_text(encoding="utf-8")
        assert "charts-skipped" not in findings, path.name
        expected = {f"charts/{d.name}.{ext}" for d in chart_data(package) for ext in ("png", "svg")}
        written = {p.relative_to(path).as_posix() for p in path.glob("charts/*")}
        assert written == expected, path.name
        if not expected:
            continue
        charted += 1
        assert descriptor["fiscalpub"]["charts_font"] == BUNDLED_FONT_NAME
        for rel in expected:
            data = (path / rel).read_bytes()
            assert data.startswith(b"\x89PNG\r\n\x1a\n" if rel.endswith(".png") else b"<?xml")
        if fresh == f"{PIL.__version__} {fontTools.version}":
            # the same bytes as this process draws: the font does not depend on the machine
            here = draw(package).files
            for rel in expected:
                assert (path / rel).read_bytes() == here[rel], f"{path.name}/{rel}"
    assert charted >= 1, "no example has chart data: the test proves nothing"
