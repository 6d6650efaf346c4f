"""Shared fixtures for the loader tests: real sample files, a Hangul font, the build script."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]
HWP_SAMPLES = REPO / ".." / "shared" / "datasets" / "hwp-samples"
BUILD_SCRIPT = REPO / "knowledge" / "_sources" / "build.py"


@pytest.fixture(scope="session")
def hwp_samples() -> Path:
    if not HWP_SAMPLES.is_dir():
        pytest.skip(f"HWP sample files not found at {HWP_SAMPLES.resolve()} (shared/datasets/hwp-samples)")
    return HWP_SAMPLES.resolve()


@pytest.fixture(scope="session")
def build_module() -> ModuleType:
    """knowledge/_sources/build.py, imported from its path (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("fm_knowledge_build", BUILD_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def hangul_font(build_module: ModuleType) -> Path:
    font = build_module.find_font()
    if font is None:
        pytest.skip("no TTF font with Hangul on this machine: install fonts-nanum (apt-get install fonts-nanum)")
    return font


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """An empty knowledge root with the usual folders."""
    for folder in ("policies", "subsidies", "suppliers", "mentoring"):
        (tmp_path / folder).mkdir()
    return tmp_path
