"""Every distribution's README says what it does, how to install it, shows an example and
links to its documentation page (which exists)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READMES = sorted(ROOT.glob("packages/*/README.md"))


@pytest.mark.parametrize("readme", READMES, ids=[p.parent.name for p in READMES])
def test_readme_has_install_line_example_and_docs_link(readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert "pip install" in text or "new_plugin.py" in text  # the template is copied, not installed
    assert "```python" in text
    links = re.findall(r"\]\((\.\./\.\./docs/[^)#]+)", text)
    assert links, "no link to the documentation"
    for link in links:
        assert (readme.parent / link).resolve().is_file(), link
