"""The marketplace support bot."""

from bot.speedups.lazy_types import import_aiogram

import_aiogram()
