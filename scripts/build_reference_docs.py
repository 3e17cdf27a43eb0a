"""Write ``docs/reference/``: one page per resource and one for the look-ups, from the code.

    .venv/bin/python scripts/build_reference_docs.py          # rewrite the pages
    .venv/bin/python scripts/build_reference_docs.py --check  # exit 1 when a page is stale

Run it after changing a resource (its model, docstrings, what replaces, outputs) or a look-up;
``tests/test_reference_docs.py`` fails until then. See ``devtools/reference_docs.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.reference_docs import REFERENCE, reference_files  # noqa: E402
from devtools.typed_inputs import REPO_ROOT  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale pages (exit 1 if any)")
    options = parser.parse_args(argv)
    files = reference_files()
    stale = [path for path, text in files.items() if not path.exists() or path.read_text() != text]
    extra = sorted(set(REFERENCE.glob("*.md")) - set(files)) if REFERENCE.exists() else []
    for path in stale:
        print(f"{'stale' if options.check else 'wrote'}: {path.relative_to(REPO_ROOT)}")
        if not options.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(files[path])
    for path in extra:
        print(f"{'not generated' if options.check else 'removed'}: {path.relative_to(REPO_ROOT)}")
        if not options.check:
            path.unlink()
    return 1 if options.check and (stale or extra) else 0


if __name__ == "__main__":
    raise SystemExit(main())
