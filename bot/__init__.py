"""The marketplace support bot."""

from bot.lazy_types import import_aiogram

import_aiogram()
