"""ombuds: secure complaint intake and investigation for a human-rights inquiry."""

from __future__ import annotations


def _version() -> str:
    """The version pyproject.toml gives (the one source of truth; see docs/deploy.md, Releases).

    An installed wheel answers from its metadata. A source checkout (an editable install, or
    ``src`` on PYTHONPATH) reads its own pyproject.toml, so a version bump shows at once
    instead of after the next ``pip install -e .``.
    """
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == "ombuds" and isinstance(project.get("version"), str):
            return str(project["version"])
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ombuds")
    except PackageNotFoundError:  # a copied tree without metadata or pyproject
        return "0+unknown"


__version__ = _version()
