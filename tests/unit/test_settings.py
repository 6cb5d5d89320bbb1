from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Settings must come only from what each test gives, not from the machine.
    for name in list(Settings.model_fields):
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_follow_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    s = load_settings()
    assert s.database_path == Path("data/support.sqlite3")
    assert s.default_locale == "ru"
    assert (s.code_length, s.code_ttl_seconds, s.code_max_attempts) == (6, 300, 5)
    assert (s.code_resend_cooldown_seconds, s.recovery_hold_days) == (60, 14)
    assert s.support_chat_id is None
    assert s.admin_ids == frozenset()


def test_missing_token_names_the_setting() -> None:
    with pytest.raises(SettingsError, match=r"^BOT_TOKEN is not set"):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_TOKEN", "nonsense"),
        ("ADMIN_IDS", "1,two"),
        ("DEFAULT_LOCALE", "de"),
        ("CODE_TTL_SECONDS", "-5"),
        ("SUPPORT_CHAT_ID", "forum"),
        ("SMTP_PORT", "70000"),
        ("SUPPORT_TIMEZONE", "Mars/Olympus"),
        ("SUPPORT_HOURS", "9 to 5"),
    ],
)
def test_malformed_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=rf"^{name} is malformed"):
        load_settings()


def test_lists_and_blanks_from_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "BOT_TOKEN=123:abc\nADMIN_IDS=1, 2,3\nSUPPORT_CHAT_ID=\nSMS_GATEWAY_URL=\n", "utf-8"
    )
    s = load_settings()
    assert s.admin_ids == frozenset({1, 2, 3})
    assert s.support_chat_id is None
    assert s.sms_gateway_url is None


def test_env_example_lists_every_setting() -> None:
    example = Path(__file__).parents[2] / ".env.example"
    names = {line.split("=")[0] for line in example.read_text("utf-8").splitlines() if "=" in line}
    names = {n for n in names if not n.startswith("#")}
    assert names == {name.upper() for name in Settings.model_fields}


def test_blank_token_from_env_example_counts_as_not_set(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=\n", "utf-8")
    with pytest.raises(SettingsError, match=r"^BOT_TOKEN is not set"):
        load_settings()
