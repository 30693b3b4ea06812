"""Any change to the records the dashboard reads moves its data version (see page_cache)."""

from __future__ import annotations

from . import page_cache


def record_changed(sender: type, **kwargs) -> None:
    """post_save and post_delete of any model: only the watched apps' records count."""
    if page_cache.is_watched(sender):
        page_cache.data_changed()


def relation_changed(sender: type, action: str, **kwargs) -> None:
    """m2m_changed: the sender is the link table, which belongs to the app of the relation's owner."""
    if action.startswith("post_") and page_cache.is_watched(sender):
        page_cache.data_changed()
