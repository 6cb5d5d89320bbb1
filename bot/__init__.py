"""The marketplace support bot."""

from bot import speedups

# Before anything imports aiogram; SPEEDUPS decides on lazy_types (bot/speedups/README.md).
speedups.import_aiogram()
