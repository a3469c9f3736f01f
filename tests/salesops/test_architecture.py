"""The layering of ARCHITECTURE.md, checked: imports (import-linter's contract in pyproject.toml) and
foreign keys (a string "pipeline.Opportunity" is an import too) point downwards only."""
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _layer_of() -> dict[str, int]:
    """App label -> layer number (0 = lowest), from the import contract's layers (top first)."""
    layers = next(c["layers"] for c in CONTRACT["contracts"] if c["type"] == "layers")
    return {name.strip(): len(layers) - 1 - index
            for index, layer in enumerate(layers) for name in layer.split("|")}


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(cwd / "pyproject.toml")], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(cwd), "PATH": ""})


def test_the_import_contract_is_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_contract_breaks_on_an_upward_import(tmp_path):
    for package in CONTRACT["root_packages"]:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "customers" / "wrong_way.py").write_text("from pipeline.models import Opportunity  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout and "customers.wrong_way -> pipeline.models" in result.stdout


def _relations():
    """(model label, field name, target app label) of every relation a project model declares."""
    layer = _layer_of()
    for model in apps.get_models():
        if model._meta.app_label not in layer:
            continue
        for field in model._meta.get_fields(include_hidden=True):  # forward FK, one-to-one and M2M fields
            if field.is_relation and not field.auto_created and field.related_model is not None \
                    and field.related_model._meta.app_label in layer:
                yield model._meta.label, field.name, field.related_model._meta.app_label


def _wrong_way(relations) -> list[str]:
    """Relations that point at a higher layer, or at a sibling on the same layer."""
    layer = _layer_of()
    return [f"{label}.{name} -> {target}" for label, name, target in relations
            if layer[target] > layer[label.split(".")[0]]
            or (layer[target] == layer[label.split(".")[0]] and target != label.split(".")[0])]


def test_foreign_keys_point_downwards_only():
    relations = list(_relations())
    assert ("pipeline.OpportunityActivity", "activity", "customers") in relations  # the check sees them
    assert _wrong_way(relations) == []


def test_the_foreign_key_check_catches_an_upward_or_sideways_key():
    assert _wrong_way([("customers.Activity", "opportunity", "pipeline"),
                       ("leads.Lead", "account", "customers"),
                       ("customers.Activity", "lead", "leads"),
                       ("pipeline.Opportunity", "account", "customers")]) == [
        "customers.Activity.opportunity -> pipeline", "leads.Lead.account -> customers"]
