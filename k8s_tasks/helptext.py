"""``--help`` that lists every subcommand with its options (argparse lists only their names)."""

from __future__ import annotations

import argparse


class FullHelpParser(argparse.ArgumentParser):
    """An ArgumentParser whose help ends with each subcommand's own help, options and all."""

    def format_help(self) -> str:
        text = super().format_help()
        for action in self._actions:
            if not isinstance(action, argparse._SubParsersAction):
                continue
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:  # an alias names the same parser again
                    seen.add(id(sub))
                    text += f"\n== {name}: {helps.get(name) or ''}\n" + sub.format_help()
        return text
