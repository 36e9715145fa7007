"""The window's arguments are read without the command parser; anything else goes to it."""

from __future__ import annotations

import pytest

from setacare_desktop import app


@pytest.mark.parametrize(("argv", "data_dir", "database"), [
    ([], None, None),
    (["--data-dir", "/tmp/x"], "/tmp/x", None),
    (["--data-dir=/tmp/x", "--database", "sqlite:///a.db"], "/tmp/x", "sqlite:///a.db"),
    (["--database=a.db", "--database=b.db"], None, "b.db"),
])
def test_window_arguments(argv: list[str], data_dir: str | None, database: str | None) -> None:
    args = app.window_arguments(argv)
    assert args is not None
    assert (args.command, args.data_dir, args.database) == (None, data_dir, database)


@pytest.mark.parametrize("argv", [
    ["info"], ["--help"], ["--version"], ["--data-dir"], ["--data-dir", "--database", "x"],
    ["--data-dir", "x", "demo"], ["--datadir", "x"],
])
def test_anything_else_goes_to_the_command_parser(argv: list[str]) -> None:
    assert app.window_arguments(argv) is None


def test_a_mistake_is_still_explained_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        app.main(["--data-dir"])
    assert exit_info.value.code == 2
    assert "--data-dir" in capsys.readouterr().err
