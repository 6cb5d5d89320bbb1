"""`python -m bot`: run the bot with long polling."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.app import create_app, run_polling
from bot.logs import setup_logging
from bot.marketplace.datafile import DataFileError
from bot.settings import SettingsError, load_settings


async def _run() -> None:
    app = await create_app(load_settings())
    await run_polling(app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.parse_args(argv)
    setup_logging()
    try:
        asyncio.run(_run())
    except SettingsError as error:
        print(f"Cannot start: {error}", file=sys.stderr)  # noqa: T201
        return 2
    except DataFileError as error:
        print(f"Cannot start: MARKETPLACE_DATA {error}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
