#!/usr/bin/env python
"""Write CHEATSHEET.md, the activation cheat sheet, from actlib's registry.

    python tools/cheatsheet.py            # (re)write CHEATSHEET.md at the repository root
    python tools/cheatsheet.py --check    # write nothing; exit 1 if CHEATSHEET.md is out of date

The file is ``actlib.cheatsheet.cheat_sheet_markdown()``, byte for byte; tests/test_cheatsheet.py
fails when the committed file and the registry disagree, so run this after changing the registry.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's actlib, even when it is not installed

from actlib.cheatsheet import cheat_sheet_markdown  # noqa: E402

TARGET = ROOT / "CHEATSHEET.md"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail if CHEATSHEET.md is out of date")
    args = parser.parse_args(argv)
    text = cheat_sheet_markdown()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else None
    if args.check:
        if current != text:
            print(f"{TARGET.name} is out of date: run python tools/cheatsheet.py", file=sys.stderr)
            return 1
        print(f"{TARGET.name} is up to date")
        return 0
    if current == text:
        print(f"{TARGET.name} is up to date")
    else:
        TARGET.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {TARGET.name} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
