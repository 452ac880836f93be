"""The UI texts the code shows, by id, with the placeholders the code fills in each.

`content check` holds content/ui.yaml against this table: a missing text or a placeholder
the code does not fill is reported before it can reach a coachee.
"""

UI_TEXTS: dict[str, frozenset[str]] = {
    "start.greeting": frozenset({"name"}),
    "start.what_we_are": frozenset(),
    "help.commands": frozenset(),
}

# The command menu set at start (setMyCommands), per language: command -> text id.
MENU_COMMANDS: tuple[str, ...] = ("help",)
for _command in MENU_COMMANDS:
    UI_TEXTS[f"menu.{_command}"] = frozenset()
