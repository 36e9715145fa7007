"""What a password must be. Hashing itself lives in the services (argon2id)."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 8


def password_problems(password: str, login: str) -> list[str]:
    """Japanese messages for each way ``password`` falls short (empty list: acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"パスワード: {MIN_PASSWORD_LENGTH}文字以上にしてください")
    if login and password.lower() == login.lower():
        problems.append("パスワード: ログインIDと同じものは使えません")
    return problems
