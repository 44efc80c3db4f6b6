"""Modal screens: the preset picker, the save and export dialogs, and a yes/no question."""
