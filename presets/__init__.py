"""The lecture's presets, one TOML file per step; ids sort in lecture order."""
