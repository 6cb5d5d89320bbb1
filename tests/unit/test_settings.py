from datetime import UTC, datetime, timedelta
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
    assert s.redis_url is None


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
        "BOT_TOKEN=123:abc\nADMIN_IDS=1, 2,3\nSUPPORT_CHAT_ID=\nSMS_GATEWAY_URL=\nREDIS_URL=\n",
        "utf-8",
    )
    s = load_settings()
    assert s.admin_ids == frozenset({1, 2, 3})
    assert s.support_chat_id is None
    assert s.sms_gateway_url is None
    assert s.redis_url is None


def test_env_example_lists_every_setting() -> None:
    example = Path(__file__).parents[2] / ".env.example"
    names = {line.split("=")[0] for line in example.read_text("utf-8").splitlines() if "=" in line}
    names = {n for n in names if not n.startswith("#")}
    assert names == {name.upper() for name in Settings.model_fields}


def test_blank_token_from_env_example_counts_as_not_set(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=\n", "utf-8")
    with pytest.raises(SettingsError, match=r"^BOT_TOKEN is not set"):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SUPPORT_HOURS", "25:00-26:00"),
        ("SUPPORT_HOURS", "21:00-24:00"),
        ("LOGIN_TTL_DAYS", "10000000000"),
        ("RECOVERY_HOLD_DAYS", "999999999"),
        ("RETURN_WINDOW_DAYS", "3000000"),
        ("FIRST_RESPONSE_MINUTES", "100000000000"),
        ("TICKET_REOPEN_HOURS", "100000000000"),
        ("CODE_TTL_SECONDS", "100000000000000"),
        ("PHONE_REGION", "XX"),
        ("RECOVERY_CHECK_SECONDS", "inf"),
        ("RECOVERY_CHECK_SECONDS", "nan"),
        ("RECOVERY_CHECK_SECONDS", "-1"),
        ("RECOVERY_CHECK_SECONDS", "0"),
        ("SMS_GATEWAY_TIMEOUT_SECONDS", "nan"),
        ("OUTBOUND_CHAT_PER_SECOND", "0"),
        ("OUTBOUND_GLOBAL_PER_SECOND", "inf"),
        ("OUTBOUND_GROUP_PER_MINUTE", "1e-300"),
        ("TELEGRAM_API_URL", "localhost:8081"),
        ("TELEGRAM_API_URL", "http://"),
        ("TELEGRAM_API_URL", "ftp://example.com"),
        ("TELEGRAM_API_URL", "http://localhost:99999"),
        ("SMS_GATEWAY_URL", "gateway"),
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_URL", "redis://"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
    ],
)
def test_an_odd_setting_is_refused_at_load(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    # Each of these once passed the load and failed later: on the first date sum, the
    # first sleep or the first request, or never, as a busy loop.
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=rf"^{name} is malformed: \w") as refused:
        load_settings()
    assert "\n" not in str(refused.value)


def test_every_number_setting_is_bounded_so_date_sums_cannot_overflow() -> None:
    units = {"_seconds": "seconds", "_minutes": "minutes", "_hours": "hours", "_days": "days"}
    far = datetime(2200, 1, 1, tzinfo=UTC)
    for name, field in Settings.model_fields.items():
        if field.annotation not in (int, float):
            continue
        highest = [getattr(m, "le", None) or getattr(m, "lt", None) for m in field.metadata]
        bound = next((b for b in highest if b is not None), None)
        assert bound is not None, f"{name} has no upper bound"
        unit = next((u for suffix, u in units.items() if name.endswith(suffix)), None)
        if unit:
            assert far + timedelta(**{unit: bound}) < datetime(9000, 1, 1, tzinfo=UTC), name


def test_phone_region_is_a_region_phone_numbers_know_in_any_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("PHONE_REGION", "kz")
    assert load_settings().phone_region == "KZ"


def test_the_bounds_keep_every_default_and_the_unpaced_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    # What bench/burst.py gives a bot it wants unpaced.
    monkeypatch.setenv("OUTBOUND_CHAT_PER_SECOND", "100000")
    monkeypatch.setenv("OUTBOUND_GROUP_PER_MINUTE", "6000000")
    monkeypatch.setenv("OUTBOUND_GLOBAL_PER_SECOND", "100000")
    monkeypatch.setenv("SUPPORT_HOURS", "")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    settings = load_settings()
    assert settings.outbound_group_per_minute == 6000000
    assert settings.telegram_api_url == "http://127.0.0.1:8081/"
