"""À la carte: each tensorgraft package installs and works on its own.

`tensorgraft` is one PEP 420 namespace shared by every package under packages/. A single
`tensorgraft/__init__.py` in any of them would hide all the others, so these tests check
the layout, then install the graph wheel alone in a fresh virtualenv and run a graph
there with the python backend.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = REPO / "packages"
# folder under packages/ -> subpackages it ships under src/tensorgraft/
SUBPACKAGES = {
    "graph": ["graph", "tensor", "compile"],
    "rewrite": ["rewrite"],
    "autodiff": ["autodiff"],
    "vectorize": ["vectorize"],
    "compile-c": ["compile_c"],
    "compile-numba": ["compile_numba"],
    "compile-jax": ["compile_jax"],
}
# Subpackages whose own folder holds __about__.py (the one hatch reads the version from).
VERSIONED = {folder: subs[0] for folder, subs in SUBPACKAGES.items()}


def _about_version(folder: str) -> str:
    if folder == "tensorgraft":
        about = PACKAGES / "tensorgraft" / "__about__.py"
    else:
        about = PACKAGES / folder / "src" / "tensorgraft" / VERSIONED[folder] / "__about__.py"
    match = re.search(r'^__version__ = "([^"]+)"$', about.read_text(), re.M)
    assert match, f"{about} must set a static __version__"
    return match.group(1)


def test_tensorgraft_is_a_namespace_package() -> None:
    import tensorgraft

    assert tensorgraft.__file__ is None, f"stray namespace __init__: {tensorgraft.__file__}"
    strays = sorted(PACKAGES.glob("*/src/tensorgraft/__init__.py"))
    assert strays == [], f"remove these, tensorgraft is a PEP 420 namespace: {strays}"
    assert not (PACKAGES / "tensorgraft" / "src").exists(), "the meta-package ships no code"


def test_every_package_has_the_expected_layout() -> None:
    assert sorted(p.name for p in PACKAGES.iterdir() if p.is_dir()) == sorted(
        [*SUBPACKAGES, "tensorgraft"]
    )
    for folder, subs in SUBPACKAGES.items():
        base = PACKAGES / folder / "src" / "tensorgraft"
        _about_version(folder)
        assert sorted(p.name for p in base.iterdir()) == sorted(subs), f"{base}: one dir per sub"
        for sub in subs:
            # PEP 561 in a namespace: each subpackage carries its own py.typed.
            assert (base / sub / "py.typed").is_file(), f"{base / sub} lacks py.typed"
        assert not (base / "py.typed").exists(), f"py.typed belongs in {base}/<sub>/, not {base}"


def test_sibling_pins_admit_the_siblings_versions() -> None:
    from packaging.requirements import Requirement

    versions = {f"tensorgraft-{folder}": _about_version(folder) for folder in SUBPACKAGES}
    versions["tensorgraft"] = _about_version("tensorgraft")
    for pyproject in sorted(PACKAGES.glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        for dep in project.get("dependencies", []):
            req = Requirement(dep)
            if req.name in versions:
                assert req.specifier.contains(versions[req.name]), f"{pyproject}: {dep}"


@pytest.mark.parametrize("sub", [s for subs in SUBPACKAGES.values() for s in subs])
def test_each_subpackage_imports_from_the_namespace(sub: str) -> None:
    module = importlib.import_module(f"tensorgraft.{sub}")
    assert module.__file__ is not None, f"tensorgraft.{sub} must be a regular package"


# --- the graph wheel, alone -------------------------------------------------------------

SCRIPT = textwrap.dedent(
    """
    import importlib.metadata as md
    import importlib.util
    import json

    import numpy as np

    import tensorgraft
    import tensorgraft.tensor as tt
    from tensorgraft.compile import function

    x = tt.vector("x", shape=(3,))
    y = tt.log(1 + x)
    f = function([x], y, mode="python")
    assert np.allclose(f(np.array([0.0, 1.0, np.e])), np.log1p([0.0, 1.0, np.e]))

    assert tensorgraft.__file__ is None
    assert importlib.util.find_spec("tensorgraft.rewrite") is None
    print(json.dumps({
        "dists": sorted(
            d.metadata["Name"] for d in md.distributions()
            if d.metadata["Name"].lower().startswith("tensorgraft")
        ),
        "backends": sorted(ep.name for ep in md.entry_points(group="tensorgraft.backends")),
    }))
    """
)


def _uv() -> str | None:
    # Hatch sets HATCH_UV in environments that use the uv installer; uv-made envs lack pip.
    return os.environ.get("HATCH_UV") or shutil.which("uv")


def _run(
    cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def _newest_source_mtime(folder: Path) -> float:
    files = [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return max(p.stat().st_mtime for p in files)


def _graph_wheel(tmp_path: Path) -> Path:
    """The wheel `hatch build --all` left in dist/ if newer than the sources, else a new one."""
    graph = PACKAGES / "graph"
    built = sorted((REPO / "dist").glob("tensorgraft_graph-*.whl"), key=lambda p: p.stat().st_mtime)
    if built and built[-1].stat().st_mtime >= _newest_source_mtime(graph):
        return built[-1]
    out = tmp_path / "wheels"
    uv = _uv()
    if uv:
        cmd = [uv, "build", "--wheel", "--out-dir", str(out), str(graph)]
    else:
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(graph)]
    _run(cmd)
    (wheel,) = out.glob("tensorgraft_graph-*.whl")
    return wheel


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONNOUSERSITE"] = "1"
    return env


@pytest.mark.slow
def test_graph_wheel_alone_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    wheel = _graph_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "tensorgraft/__init__.py" not in names
    for sub in SUBPACKAGES["graph"]:
        assert f"tensorgraft/{sub}/__init__.py" in names, f"wheel lacks tensorgraft.{sub}"
    assert {n.split("/")[1] for n in names if n.startswith("tensorgraft/")} == {
        "graph",
        "tensor",
        "compile",
    }

    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    env = _clean_env()
    uv = _uv()
    if uv:
        _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], env=env)
        _run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)], env=env)
    else:
        _run([sys.executable, "-m", "venv", str(venv)], env=env)
        _run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], env=env)

    # Run outside the repository so nothing of packages/ can be picked up from the cwd.
    workdir = tmp_path / "work"
    workdir.mkdir()
    proc = _run([str(python), "-I", "-c", SCRIPT], cwd=workdir, env=env)
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["dists"] == ["tensorgraft-graph"]
    assert found["backends"] == ["python"]
