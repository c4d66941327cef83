"""Lists to trace (协查, 人员摸排): people named from above or by a grid, matched against the registry and followed until feedback."""
